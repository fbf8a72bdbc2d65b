/**
 * store/chunks/read-chunks.ts on real SQLite and PostgreSQL: how many of a job's chunks are pending, running,
 * stale (their worker presumed dead), done or skipped, and what the done ones counted.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { countChunks, sumChunkCounters } from "../../../src/store/chunks/read-chunks.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("countChunks and sumChunkCounters", (t) => {
  it("tells every state apart, running from stale by the time asked", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(5));
    await t.store.leaseChunk(job.jobId, "l0", 1_000, 1_000);
    await t.store.leaseChunk(job.jobId, "l1", 1_500, 1_000);
    await t.store.leaseChunk(job.jobId, "l2", 1_000, 60_000);
    await t.store.completeChunk(
      job.jobId,
      2,
      "l2",
      { succeeded: 3, failed: 1, succeededRows: null, failedRows: null },
      1,
    );
    assert.deepEqual(await countChunks(t.db, job.jobId, 2_000), {
      pending: 2,
      running: 2,
      stale: 0,
      done: 1,
      skipped: 0,
    });
    assert.deepEqual(await countChunks(t.db, job.jobId, 2_001), {
      pending: 2,
      running: 1,
      stale: 1,
      done: 1,
      skipped: 0,
    });
    assert.deepEqual(await sumChunkCounters(t.db, job.jobId), { succeeded: 3, failed: 1, records: 5 });
    assert.deepEqual(await countChunks(t.db, "no-such-job", 0), {
      pending: 0,
      running: 0,
      stale: 0,
      done: 0,
      skipped: 0,
    });
  });
});
