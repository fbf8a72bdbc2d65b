/**
 * store/chunks/complete-chunk.ts on real SQLite and PostgreSQL: exactly-once accounting. A chunk's results are
 * recorded and added to the job's counters once, and only by the holder of its current lease.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { completeChunk } from "../../../src/store/chunks/complete-chunk.js";
import { database, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("completeChunk", (t) => {
  it("counts a chunk once: a taken-over lease cannot record results", async () => {
    const row = await jobIn(t.store, "Active");
    await t.store.insertChunks(row.jobId, [{ seq: 0, startByte: 0, endByte: 5, firstRecord: 0, records: 3 }]);
    const first = (await t.store.leaseChunk(row.jobId, "token-a", 1_000, 500))!;
    assert.equal(first.attempts, 1);
    assert.equal(await t.store.leaseChunk(row.jobId, "token-x", 1_200, 500), undefined, "lease still valid");
    const second = (await t.store.leaseChunk(row.jobId, "token-b", 2_000, 500))!;
    assert.equal(second.seq, 0, "expired lease is taken over");
    assert.equal(second.attempts, 2);
    const results = { succeeded: 2, failed: 1, succeededRows: "s\n", failedRows: "f\n" };
    assert.equal(await completeChunk(t.db, t.dialect, row.jobId, 0, "token-a", results, 2_100), false);
    assert.equal(await completeChunk(t.db, t.dialect, row.jobId, 0, "token-b", results, 2_100), true);
    assert.equal(await completeChunk(t.db, t.dialect, row.jobId, 0, "token-b", results, 2_100), false, "only once");
    const job = (await t.store.getJob(row.jobId))!;
    assert.equal(job.progress.succeeded, 2);
    assert.equal(job.progress.failed, 1);
    assert.deepEqual(await t.store.sumChunkCounters(row.jobId), { succeeded: 2, failed: 1, records: 3 });
  });

  it("keeps the chunk's report rows for the flusher and drops its inline tasks", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, [
      { seq: 0, startByte: 0, endByte: 0, firstRecord: 0, records: 1, tasks: '[["b","k"]]' },
    ]);
    await t.store.leaseChunk(job.jobId, "lease", 1_000, 60_000);
    const results = { succeeded: 1, failed: 0, succeededRows: "b,k,,succeeded,200,,Successful\n", failedRows: null };
    assert.ok(await completeChunk(t.db, t.dialect, job.jobId, 0, "lease", results, 1_500));
    const rows = [];
    for await (const text of t.store.rowsBetween(job.jobId, "succeeded", -1, 0)) rows.push(text);
    assert.deepEqual(rows, [results.succeededRows]);
    const chunk = await database(t.store)
      .selectFrom("chunks")
      .select(["state", "tasks", "lease_token"])
      .where("job_id", "=", job.jobId)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...chunk }, { state: "done", tasks: null, lease_token: null });
  });
});
