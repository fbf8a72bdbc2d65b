/**
 * store/chunks/release-chunk.ts on real SQLite and PostgreSQL: a chunk given back unfinished is pending again,
 * and only its lease holder can give it back.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { releaseChunk } from "../../../src/store/chunks/release-chunk.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

describeOnStores("releaseChunk", (t) => {
  it("gives a leased chunk back to be run again from the start, by its holder only", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(2));
    const a = (await t.store.leaseChunk(job.jobId, "ra", 1_000, 100))!;
    await releaseChunk(t.db, job.jobId, a.seq, "not-the-holder");
    assert.equal((await t.store.countChunks(job.jobId, 1_050)).running, 1, "a stranger's release is ignored");
    await releaseChunk(t.db, job.jobId, a.seq, "ra");
    assert.equal((await t.store.countChunks(job.jobId, 5_000)).pending, 2);
    const again = (await t.store.leaseChunk(job.jobId, "rb", 6_000, 100))!;
    assert.deepEqual([again.seq, again.attempts], [0, 2]);
    assert.equal(
      await t.store.completeChunk(
        job.jobId,
        0,
        "ra",
        { succeeded: 1, failed: 0, succeededRows: null, failedRows: null },
        6_100,
      ),
      false,
      "the old holder can no longer record it",
    );
  });
});
