/**
 * store/jobs/transition-job.ts on real SQLite and PostgreSQL: a status moves only by compare-and-set along the
 * transition table, with its bookkeeping (Active time, termination and suspension, FailureReasons) in the same
 * transaction, and no FailureReasons entry appended meanwhile is lost.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { IllegalTransitionError } from "../../../src/store/errors.js";
import { transitionJob } from "../../../src/store/jobs/transition-job.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("transition", (t) => {
  it("moves status by compare-and-set and keeps the bookkeeping", async () => {
    const job = newJob();
    await t.store.insertJob(job);
    const id = job.jobId;
    assert.equal(await transitionJob(t.db, t.dialect, id, "New", "Preparing", 2_000), true);
    assert.equal(await transitionJob(t.db, t.dialect, id, "New", "Preparing", 2_000), false, "second CAS loses");
    await assert.rejects(transitionJob(t.db, t.dialect, id, "Preparing", "Complete", 2_000), IllegalTransitionError);
    assert.ok(await transitionJob(t.db, t.dialect, id, "Preparing", "Suspended", 3_000, { suspendedCause: "confirm" }));
    let got = (await rawJobRow(t.store, id))!;
    assert.equal(got.suspended_time, 3_000);
    assert.equal(got.suspended_cause, "confirm");
    assert.ok(await transitionJob(t.db, t.dialect, id, "Suspended", "Ready", 4_000, { statusUpdateReason: "go" }));
    assert.ok(await transitionJob(t.db, t.dialect, id, "Ready", "Active", 10_000));
    assert.ok(await transitionJob(t.db, t.dialect, id, "Active", "Pausing", 13_500));
    assert.ok(await transitionJob(t.db, t.dialect, id, "Pausing", "Active", 20_000));
    assert.ok(
      await transitionJob(t.db, t.dialect, id, "Active", "Failing", 21_000, { failure: { code: "X", reason: "why" } }),
    );
    assert.ok(await transitionJob(t.db, t.dialect, id, "Failing", "Failed", 22_000));
    got = (await rawJobRow(t.store, id))!;
    assert.equal(got.status, "Failed");
    assert.equal(got.active_ms, 3_500 + 1_000, "time in Active only");
    assert.equal(got.active_since, null);
    assert.equal(got.termination_time, 22_000);
    assert.equal(got.status_update_reason, "go");
    assert.deepEqual(JSON.parse(got.failure_reasons), [{ code: "X", reason: "why" }]);

    const described = (await t.store.getJob(id, 99_000))!;
    assert.equal(described.suspendedDate?.getTime(), 3_000);
    assert.equal(described.suspendedCause, "confirm");
    assert.equal(described.terminationDate?.getTime(), 22_000);
    assert.equal(described.progress.elapsedActiveSeconds, 4, "Active time stops at the end");
  });

  it("says false for a job that is gone, and ends a finished job's phase claim", async () => {
    assert.equal(await transitionJob(t.db, t.dialect, "no-such-job", "New", "Preparing", 1), false);
    const job = await jobIn(t.store, "Cancelling");
    assert.ok(await t.store.claimPhase(job.jobId, "Cancelling", "engine-a", 1_000, 60_000));
    assert.ok(await transitionJob(t.db, t.dialect, job.jobId, "Cancelling", "Cancelled", 2_000));
    assert.equal((await t.store.getJobState(job.jobId))?.phaseClaim, undefined);
  });

  it("restates FailureReasons entries of a code from the counts as they stand in the transaction", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, [{ seq: 0, startByte: 0, endByte: 1, firstRecord: 0, records: 5 }]);
    const chunk = (await t.store.leaseChunk(job.jobId, "lease", 2_000, 60_000))!;
    assert.ok(
      await transitionJob(t.db, t.dialect, job.jobId, "Active", "Failing", 2_000, {
        failure: { code: "T", reason: "0 of 0" },
      }),
    );
    const results = { succeeded: 1, failed: 4, succeededRows: null, failedRows: null };
    assert.ok(await t.store.completeChunk(job.jobId, 0, chunk.leaseToken, results, 2_100));
    await t.store.addFailureReason(job.jobId, { code: "Other", reason: "kept" }, 2_200);
    assert.ok(
      await transitionJob(t.db, t.dialect, job.jobId, "Failing", "Failed", 3_000, {
        restateFailure: { code: "T", reason: (c) => `${c.failed} of ${c.succeeded + c.failed}` },
      }),
    );
    assert.deepEqual((await t.store.getJob(job.jobId))?.failureReasons, [
      { code: "T", reason: "4 of 5" },
      { code: "Other", reason: "kept" },
    ]);
  });

  it("loses no FailureReasons entry appended while it moves the job", async () => {
    const job = await jobIn(t.store, "Active");
    const appends = Array.from({ length: 8 }, (_, i) =>
      t.store.addFailureReason(job.jobId, { code: `A${i}`, reason: `append ${i}` }, 2_000),
    );
    const [moved] = await Promise.all([
      transitionJob(t.db, t.dialect, job.jobId, "Active", "Failing", 2_000, {
        failure: { code: "F", reason: "moved" },
      }),
      ...appends,
    ]);
    assert.equal(moved, true);
    const codes = (await t.store.getJob(job.jobId))!.failureReasons.map((f) => f.code).sort();
    assert.deepEqual(codes, ["A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "F"]);
  });
});
