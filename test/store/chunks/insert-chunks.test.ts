/**
 * store/chunks/insert-chunks.ts on real SQLite and PostgreSQL: a prepared job's chunks are recorded pending, in
 * as many statements as it takes, and forgotten again before a job is prepared anew.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { deleteChunks, insertChunks } from "../../../src/store/chunks/insert-chunks.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("insertChunks and deleteChunks", (t) => {
  it("records every chunk pending, more than one statement's worth", async () => {
    const job = await jobIn(t.store, "Preparing");
    await insertChunks(t.db, job.jobId, byteRangePlans(1_234));
    assert.deepEqual(await t.store.countChunks(job.jobId, 0), {
      pending: 1_234,
      running: 0,
      stale: 0,
      done: 0,
      skipped: 0,
    });
    assert.deepEqual(await t.store.sumChunkCounters(job.jobId), { succeeded: 0, failed: 0, records: 1_234 });
    assert.ok(await t.store.transition(job.jobId, "Preparing", "Ready", 0));
    assert.ok(await t.store.transition(job.jobId, "Ready", "Active", 0));
    const first = (await t.store.leaseChunk(job.jobId, "lease", 0, 1_000))!;
    assert.deepEqual(
      { ...first },
      {
        jobId: job.jobId,
        seq: 0,
        startByte: 0,
        endByte: 1,
        firstRecord: 0,
        records: 1,
        tasks: null,
        leaseToken: "lease",
        attempts: 1,
      },
    );
  });

  it("forgets a job's chunks, and only that job's", async () => {
    const job = await jobIn(t.store, "Preparing");
    const other = await jobIn(t.store, "Preparing");
    await insertChunks(t.db, job.jobId, byteRangePlans(3));
    await insertChunks(t.db, other.jobId, byteRangePlans(2));
    await deleteChunks(t.db, job.jobId);
    assert.equal((await t.store.sumChunkCounters(job.jobId)).records, 0);
    assert.equal((await t.store.sumChunkCounters(other.jobId)).records, 2);
    await insertChunks(t.db, job.jobId, byteRangePlans(3));
    assert.equal((await t.store.sumChunkCounters(job.jobId)).records, 3, "prepared again from scratch");
  });
});
