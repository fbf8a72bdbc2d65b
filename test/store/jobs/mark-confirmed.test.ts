/**
 * store/jobs/mark-confirmed.ts on real SQLite and PostgreSQL: a confirmation while Preparing is recorded for the
 * preparer, with its reason; once the job has left Preparing it says false and changes nothing.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { markConfirmed } from "../../../src/store/jobs/mark-confirmed.js";
import { describeOnStores, jobIn } from "../helpers.js";

describeOnStores("markConfirmed", (t) => {
  it("records the confirmation of a Preparing job, with its reason", async () => {
    const job = await jobIn(t.store, "Preparing", { confirmationRequired: true });
    assert.equal((await t.store.getJobState(job.jobId))?.confirmed, false);
    assert.equal(await markConfirmed(t.db, t.dialect, job.jobId, "ok early", 2_000), true);
    assert.equal((await t.store.getJobState(job.jobId))?.confirmed, true);
    assert.equal((await t.store.getJob(job.jobId))?.statusUpdateReason, "ok early");
    assert.equal((await t.store.getJob(job.jobId))?.status, "Preparing", "the status stays");
  });

  it("says false for a job that is no longer Preparing", async () => {
    for (const status of ["New", "Suspended", "Cancelling"] as const) {
      const job = await jobIn(t.store, status, { confirmationRequired: true });
      assert.equal(await markConfirmed(t.db, t.dialect, job.jobId, undefined, 2_000), false, status);
      assert.equal((await t.store.getJobState(job.jobId))?.confirmed, false, status);
    }
  });
});
