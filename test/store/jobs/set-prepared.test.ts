/**
 * store/jobs/set-prepared.ts on real SQLite and PostgreSQL: a counted manifest's total and the ETag chunk reads
 * are pinned to.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setPrepared } from "../../../src/store/jobs/set-prepared.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("setPrepared", (t) => {
  it("records the total tasks and the manifest's ETag", async () => {
    const job = await jobIn(t.store, "Preparing");
    await setPrepared(t.db, job.jobId, 3_000_000, '"0123abcd"', 8_000);
    const got = (await t.store.getJob(job.jobId))!;
    assert.equal(got.progress.total, 3_000_000);
    assert.equal(got.manifestEtag, '"0123abcd"');
    assert.equal((await t.store.getJobState(job.jobId))?.totalTasks, 3_000_000);
    assert.equal((await rawJobRow(t.store, job.jobId))?.updated_time, 8_000);
  });

  it("records no ETag for a generated manifest", async () => {
    const job = await jobIn(t.store, "Preparing");
    await setPrepared(t.db, job.jobId, 0, null, 8_000);
    assert.equal((await t.store.getJob(job.jobId))?.manifestEtag, undefined);
    assert.equal((await t.store.getJob(job.jobId))?.progress.total, 0);
  });
});
