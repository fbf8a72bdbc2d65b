/**
 * store/chunks/lease-chunk.ts on real SQLite and PostgreSQL: chunks are leased in order, each to exactly one of
 * many workers, and a chunk whose lease expired (its worker died) is leased again.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { leaseChunk } from "../../../src/store/chunks/lease-chunk.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("leaseChunk", (t) => {
  it("leases each chunk to exactly one of many concurrent workers", async () => {
    const job = await jobIn(t.store, "Active");
    const plans = Array.from({ length: 40 }, (_, i) => ({
      seq: i,
      startByte: i * 10,
      endByte: i * 10 + 10,
      firstRecord: i * 2,
      records: 2,
    }));
    await t.store.insertChunks(job.jobId, plans);
    const leased: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const c = await leaseChunk(t.db, t.dialect, job.jobId, randomUUID(), 100, 60_000);
          if (!c) return;
          leased.push(c.seq);
        }
      }),
    );
    assert.equal(leased.length, 40);
    assert.equal(new Set(leased).size, 40);
    const counts = await t.store.countChunks(job.jobId, 100);
    assert.deepEqual(counts, { pending: 0, running: 40, stale: 0, done: 0, skipped: 0 });
  });

  it("leases in order, and takes over a lease only once it has expired", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(2));
    const a = (await leaseChunk(t.db, t.dialect, job.jobId, "a", 1_000, 500))!;
    const b = (await leaseChunk(t.db, t.dialect, job.jobId, "b", 1_000, 500))!;
    assert.deepEqual([a.seq, b.seq], [0, 1]);
    assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "c", 1_500, 500), undefined, "both leases still run");
    const c = (await leaseChunk(t.db, t.dialect, job.jobId, "c", 1_501, 500))!;
    assert.deepEqual([c.seq, c.leaseToken, c.attempts], [0, "c", 2]);
    assert.equal((await leaseChunk(t.db, t.dialect, job.jobId, "d", 1_501, 500))?.seq, 1);
    assert.equal(await leaseChunk(t.db, t.dialect, "no-such-job", "e", 1_501, 500), undefined);
  });
});
