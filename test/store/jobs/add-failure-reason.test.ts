/**
 * store/jobs/add-failure-reason.ts on real SQLite and PostgreSQL: entries are appended in order, any text
 * survives the append as JSON, and appends made at once all land (one statement, no read-modify-write).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { addFailureReason } from "../../../src/store/jobs/add-failure-reason.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("addFailureReason", (t) => {
  it("appends entries in order, to an empty list and to a list that has entries", async () => {
    const job = await jobIn(t.store, "Completing");
    await addFailureReason(t.db, job.jobId, { code: "ReportWriteFailed", reason: "first" }, 5_000);
    await addFailureReason(t.db, job.jobId, { code: "Second", reason: "second" }, 6_000);
    assert.deepEqual((await t.store.getJob(job.jobId))?.failureReasons, [
      { code: "ReportWriteFailed", reason: "first" },
      { code: "Second", reason: "second" },
    ]);
    const row = await rawJobRow(t.store, job.jobId);
    assert.equal(row?.status, "Completing", "the status stays");
    assert.equal(row?.updated_time, 6_000);
  });

  it("keeps quotes, brackets, commas, backslashes and non-ASCII text intact", async () => {
    const job = await jobIn(t.store, "Failing");
    const odd = { code: 'Q"],[', reason: 'a "quoted" ], [bracket], back\\slash, 取消 ✓, emoji 🧪, line\nbreak' };
    await addFailureReason(t.db, job.jobId, odd, 1);
    await addFailureReason(t.db, job.jobId, { code: "]", reason: "[" }, 2);
    assert.deepEqual((await t.store.getJob(job.jobId))?.failureReasons, [odd, { code: "]", reason: "[" }]);
  });

  it("keeps every one of many appends made at once", async () => {
    const job = await jobIn(t.store, "Failing");
    const n = 24;
    await Promise.all(
      Array.from({ length: n }, (_, i) => addFailureReason(t.db, job.jobId, { code: `C${i}`, reason: `r${i}` }, i)),
    );
    const codes = (await t.store.getJob(job.jobId))!.failureReasons.map((f) => f.code);
    assert.equal(codes.length, n);
    assert.deepEqual(new Set(codes), new Set(Array.from({ length: n }, (_, i) => `C${i}`)));
  });

  it("does nothing for a job that is gone", async () => {
    await addFailureReason(t.db, "no-such-job", { code: "X", reason: "y" }, 1);
    assert.equal(await t.store.getJob("no-such-job"), undefined);
  });
});
