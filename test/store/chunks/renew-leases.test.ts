/**
 * store/chunks/renew-leases.ts on real SQLite and PostgreSQL: a worker's heartbeat keeps its leases from
 * expiring, and touches no one else's.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { renewLeases } from "../../../src/store/chunks/renew-leases.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("renewLeases", (t) => {
  it("pushes back the expiry of the given leases only", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(2));
    await t.store.leaseChunk(job.jobId, "ra", 1_000, 100);
    await t.store.leaseChunk(job.jobId, "other", 1_000, 100);
    await renewLeases(t.db, ["ra"], 10_000);
    assert.deepEqual((await t.store.countChunks(job.jobId, 5_000)).running, 1);
    assert.deepEqual((await t.store.countChunks(job.jobId, 5_000)).stale, 1);
    assert.equal(await t.store.leaseChunk(job.jobId, "taker", 5_000, 100).then((c) => c?.seq), 1);
    await renewLeases(t.db, [], 99_000);
    assert.equal((await t.store.countChunks(job.jobId, 10_001)).running, 0, "an empty heartbeat renews nothing");
  });
});
