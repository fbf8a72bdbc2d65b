/**
 * store/job-row.ts: the one mapping between a `jobs` row and the domain. A new job's row, and the Job, summary
 * and JobState read back from a row, including the Active time measured up to a given moment.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newJobRow, rowToJob, rowToState, rowToSummary } from "../../src/store/job-row.js";
import { newJob } from "../helpers/stores.js";

describe("job rows", () => {
  const job = newJob(
    { accountId: "acct-9", priority: 42, tags: [{ key: "k", value: "v" }], confirmationRequired: true },
    { jobId: "job-1", creationTime: 7_000, requestFingerprint: "fp" },
  );

  it("starts a new job New, nothing counted, its spec stored without the account and tags", () => {
    const row = newJobRow(job);
    assert.equal(row.job_id, "job-1");
    assert.equal(row.account_id, "acct-9");
    assert.equal(row.status, "New");
    assert.equal(row.priority, 42);
    assert.equal(row.total_tasks, -1);
    assert.equal(row.confirmed, 0, "confirmation required");
    assert.equal(row.client_request_token, job.spec.clientRequestToken);
    assert.equal(row.request_fingerprint, "fp");
    assert.equal(row.tags, '[{"key":"k","value":"v"}]');
    assert.equal(row.updated_time, 7_000);
    const stored = JSON.parse(row.spec);
    assert.equal(stored.accountId, undefined);
    assert.equal(stored.tags, undefined);
    assert.equal(newJobRow(newJob()).confirmed, 1);
  });

  it("reads the Job back as it was asked for, with its Active time up to `now`", () => {
    const row = { ...newJobRow(job), status: "Active", active_ms: 2_500, active_since: 10_000 };
    const back = rowToJob(row, 13_600);
    const { accountId, tags, ...spec } = job.spec;
    assert.deepEqual(
      { ...back, progress: undefined },
      {
        ...spec,
        accountId,
        tags,
        jobId: "job-1",
        status: "Active",
        priority: 42,
        creationTime: new Date(7_000),
        terminationDate: undefined,
        suspendedDate: undefined,
        suspendedCause: undefined,
        statusUpdateReason: undefined,
        failureReasons: [],
        progress: undefined,
        generatedManifest: undefined,
        manifestEtag: undefined,
      },
    );
    assert.deepEqual(back.progress, { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 6 });
    assert.equal(rowToJob({ ...row, active_since: null }, 99_999).progress.elapsedActiveSeconds, 2);
    assert.equal(rowToJob({ ...row, active_since: 20_000 }, 13_600).progress.elapsedActiveSeconds, 2, "a clock behind");
  });

  it("summarises a job with the fields ListJobs shows", () => {
    const summary = rowToSummary(newJobRow(job), 7_000);
    assert.deepEqual(Object.keys(summary).sort(), [
      "creationTime",
      "description",
      "dialect",
      "jobId",
      "operation",
      "priority",
      "progress",
      "status",
      "terminationDate",
    ]);
    const back = rowToJob(newJobRow(job), 7_000);
    assert.equal(summary.description, back.description);
    assert.deepEqual(summary.operation, { kind: back.operation.kind }, "of the operation, only its kind");
    assert.equal(summary.dialect, back.dialect);
    assert.deepEqual(summary.progress, back.progress);
    assert.deepEqual(summary.creationTime, back.creationTime);
  });

  it("reads a JobState without the spec", () => {
    const row = { ...newJobRow(job), suspended_time: 8_000, phase_owner: "e", phase_expires: 9_000 };
    assert.deepEqual(rowToState(row), {
      jobId: "job-1",
      status: "New",
      priority: 42,
      creationTime: 7_000,
      suspendedTime: 8_000,
      totalTasks: -1,
      succeeded: 0,
      failed: 0,
      confirmed: false,
      held: false,
      phaseClaim: { owner: "e", expires: 9_000 },
    });
    assert.equal(rowToState(newJobRow(job)).phaseClaim, undefined);
  });
});
