/**
 * store/chunks/abandon-chunks.ts on real SQLite and PostgreSQL: a finishing job's unfinished chunks are skipped,
 * and a worker still holding one can no longer record it.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { abandonUnfinishedChunks } from "../../../src/store/chunks/abandon-chunks.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("abandonUnfinishedChunks", (t) => {
  it("renews, releases and fences leases", async () => {
    const row = await jobIn(t.store, "Active");
    await t.store.insertChunks(row.jobId, [
      { seq: 0, startByte: 0, endByte: 5, firstRecord: 0, records: 1 },
      { seq: 1, startByte: 5, endByte: 9, firstRecord: 1, records: 1 },
    ]);
    const a = (await t.store.leaseChunk(row.jobId, "ra", 1_000, 100))!;
    await t.store.renewLeases(["ra"], 10_000);
    assert.deepEqual((await t.store.countChunks(row.jobId, 5_000)).running, 1);
    await t.store.releaseChunk(row.jobId, a.seq, "ra");
    assert.equal((await t.store.countChunks(row.jobId, 5_000)).pending, 2);
    await t.store.leaseChunk(row.jobId, "rb", 6_000, 100);
    await abandonUnfinishedChunks(t.db, row.jobId);
    const counts = await t.store.countChunks(row.jobId, 6_000);
    assert.deepEqual(counts, { pending: 0, running: 0, stale: 0, done: 0, skipped: 2 });
    assert.equal(
      await t.store.completeChunk(
        row.jobId,
        0,
        "rb",
        { succeeded: 1, failed: 0, succeededRows: null, failedRows: null },
        7_000,
      ),
      false,
    );
  });

  it("leaves done chunks done", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(3));
    await t.store.leaseChunk(job.jobId, "done", 1_000, 60_000);
    await t.store.completeChunk(
      job.jobId,
      0,
      "done",
      { succeeded: 1, failed: 0, succeededRows: null, failedRows: null },
      1,
    );
    await abandonUnfinishedChunks(t.db, job.jobId);
    assert.deepEqual(await t.store.countChunks(job.jobId, 2_000), {
      pending: 0,
      running: 0,
      stale: 0,
      done: 1,
      skipped: 2,
    });
  });
});
