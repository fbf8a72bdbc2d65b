/**
 * Failures by cause (D27) on real SQLite and PostgreSQL: store/jobs/failure-causes.ts through completeChunk, the
 * transaction that records a chunk. The counts are exact: a chunk recorded by two competing lease holders counts
 * once, chunks of the same cause recorded at the same time both land, samples stop at five, the causes go with
 * their job, and the transition that ends a job names the top causes in FailureReasons.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { type FailureCause, failureCauseReasons, tallyFailures } from "../../../src/domain/failure-causes.js";
import { failed, succeeded } from "../../../src/domain/task.js";
import { completeChunk } from "../../../src/store/chunks/complete-chunk.js";
import { deleteTerminalJob } from "../../../src/store/jobs/delete-terminal-job.js";
import { readFailureCauses } from "../../../src/store/jobs/failure-causes.js";
import { purgeTerminatedBefore } from "../../../src/store/jobs/purge-terminated-jobs.js";
import { byteRangePlans, database, describeOnStores, jobIn } from "../helpers.js";

const task = (key: string) => ({ bucket: "b", key });

/** A chunk's results: `missing` NoSuchKey and `denied` AccessDenied failures, keys prefixed with `tag`. */
function chunkResults(tag: string, missing: number, denied: number) {
  const entries = [
    ...Array.from({ length: missing }, (_, i) => ({
      task: task(`${tag}/missing-${i}`),
      result: failed(404, "NoSuchKey", "x"),
    })),
    ...Array.from({ length: denied }, (_, i) => ({
      task: task(`${tag}/denied-${i}`),
      result: failed(403, "AccessDenied", "x"),
    })),
    { task: task(`${tag}/fine`), result: succeeded() },
  ];
  return {
    succeeded: 1,
    failed: missing + denied,
    succeededRows: null,
    failedRows: null,
    causes: tallyFailures(entries),
  };
}

const countsOf = (causes: readonly FailureCause[]) => causes.map((c) => [c.httpStatus, c.errorCode, c.count]);

describeOnStores("failure causes", (t) => {
  it("counts a chunk's failures once when two lease holders both try to record it", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(1));
    await t.store.leaseChunk(job.jobId, "holder-a", 1_000, 500);
    await t.store.leaseChunk(job.jobId, "holder-b", 2_000, 500); // a's lease expired: b takes the chunk over
    const results = chunkResults("c0", 3, 2);
    // Both holders record at once; only the current lease's transaction may count.
    const outcomes = await Promise.all([
      completeChunk(t.db, t.dialect, job.jobId, 0, "holder-a", results, 2_100),
      completeChunk(t.db, t.dialect, job.jobId, 0, "holder-b", results, 2_100),
    ]);
    assert.deepEqual(outcomes, [false, true]);
    assert.equal(
      await completeChunk(t.db, t.dialect, job.jobId, 0, "holder-b", results, 2_200),
      false,
      "and never again",
    );
    const causes = await t.store.readFailureCauses(job.jobId);
    assert.deepEqual(countsOf(causes), [
      [404, "NoSuchKey", 3],
      [403, "AccessDenied", 2],
    ]);
    assert.deepEqual(causes[0].sampleKeys, [
      { bucket: "b", key: "c0/missing-0" },
      { bucket: "b", key: "c0/missing-1" },
      { bucket: "b", key: "c0/missing-2" },
    ]);
    const counted = (await t.store.getJob(job.jobId))!.progress;
    assert.equal(counted.failed, 5, "the job's counter agrees");
  });

  it("adds up chunks recorded at the same time, and keeps at most five samples per cause", async () => {
    const job = await jobIn(t.store, "Active");
    const n = 8;
    await t.store.insertChunks(job.jobId, byteRangePlans(n));
    const tokens: string[] = [];
    for (let i = 0; i < n; i++) {
      tokens.push(`lease-${i}`);
      await t.store.leaseChunk(job.jobId, `lease-${i}`, 1_000, 60_000);
    }
    const recorded = await Promise.all(
      tokens.map((token, seq) =>
        completeChunk(t.db, t.dialect, job.jobId, seq, token, chunkResults(`c${seq}`, 2, 1), 1_500),
      ),
    );
    assert.ok(recorded.every(Boolean));
    const causes = await t.store.readFailureCauses(job.jobId);
    assert.deepEqual(countsOf(causes), [
      [404, "NoSuchKey", 2 * n],
      [403, "AccessDenied", n],
    ]);
    for (const cause of causes) {
      assert.equal(cause.sampleKeys.length, 5, `${cause.errorCode}: five samples`);
      assert.equal(new Set(cause.sampleKeys.map((s) => s.key)).size, 5, "all different");
    }
    assert.equal((await t.store.getJob(job.jobId))!.progress.failed, 3 * n);
  });

  it("names the top three causes in FailureReasons when the job ends, after the entries it had", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(1));
    await t.store.leaseChunk(job.jobId, "lease", 1_000, 60_000);
    const entries = [
      ...["a", "b", "c", "d"].map((k) => ({ task: task(k), result: failed(404, "NoSuchBucket", "x") })),
      ...["e", "f", "g"].map((k) => ({ task: task(k), result: failed(404, "NoSuchKey", "x") })),
      ...["h", "i"].map((k) => ({ task: task(k), result: failed(403, "AccessDenied", "x") })),
      { task: task("j"), result: failed(500, "InternalError", "x") },
    ];
    const results = { succeeded: 0, failed: 10, succeededRows: null, failedRows: null, causes: tallyFailures(entries) };
    assert.ok(await completeChunk(t.db, t.dialect, job.jobId, 0, "lease", results, 1_500));
    await t.store.addFailureReason(job.jobId, { code: "ReportWriteFailed", reason: "no report" }, 1_600);
    assert.ok(await t.store.transition(job.jobId, "Active", "Completing", 1_700));
    const patch = { failureCauses: { limit: 3, reasons: failureCauseReasons } };
    assert.ok(await t.store.transition(job.jobId, "Completing", "Complete", 1_800, patch));
    assert.deepEqual((await t.store.getJob(job.jobId))!.failureReasons, [
      { code: "ReportWriteFailed", reason: "no report" },
      { code: "TasksFailed", reason: "4 tasks failed: 404 NoSuchBucket (e.g. b/a)" },
      { code: "TasksFailed", reason: "3 tasks failed: 404 NoSuchKey (e.g. b/e)" },
      { code: "TasksFailed", reason: "2 tasks failed: 403 AccessDenied (e.g. b/h)" },
    ]);
  });

  it("adds nothing to FailureReasons when no task failed", async () => {
    const job = await jobIn(t.store, "Completing");
    const patch = { failureCauses: { limit: 3, reasons: failureCauseReasons } };
    assert.ok(await t.store.transition(job.jobId, "Completing", "Complete", 1_800, patch));
    assert.deepEqual((await t.store.getJob(job.jobId))!.failureReasons, []);
  });

  it("goes with its job: deleted with a finished job and purged with it", async () => {
    const withCauses = async () => {
      const job = await jobIn(t.store, "Active");
      await t.store.insertChunks(job.jobId, byteRangePlans(1));
      await t.store.leaseChunk(job.jobId, "lease", 1_000, 60_000);
      assert.ok(await completeChunk(t.db, t.dialect, job.jobId, 0, "lease", chunkResults("k", 1, 1), 1_500));
      assert.ok(await t.store.transition(job.jobId, "Active", "Completing", 1_600));
      assert.ok(await t.store.transition(job.jobId, "Completing", "Complete", 1_700));
      assert.equal((await readFailureCauses(t.db, job.jobId)).length, 2);
      return job.jobId;
    };
    const rowsOf = async (jobId: string) =>
      (await database(t.store).selectFrom("failure_causes").select("job_id").where("job_id", "=", jobId).execute())
        .length;
    const deleted = await withCauses();
    assert.ok(await deleteTerminalJob(t.db, t.dialect, deleted, 1));
    assert.equal(await rowsOf(deleted), 0, "deleted");
    const purged = await withCauses();
    assert.ok((await purgeTerminatedBefore(t.db, t.dialect, 10_000, 10_000)) >= 1);
    assert.equal(await rowsOf(purged), 0, "purged");
  });
});
