/**
 * store/jobs/delete-terminal-job.ts on real SQLite and PostgreSQL: only a finished job is deleted, and its
 * chunks and report files go with it.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { JOB_STATUSES } from "../../../src/domain/status.js";
import { deleteTerminalJob } from "../../../src/store/jobs/delete-terminal-job.js";
import { describeOnStores, jobIn } from "../helpers.js";

describeOnStores("deleteTerminalJob", (t) => {
  it("deletes a finished job with its chunks and report files", async () => {
    for (const status of ["Complete", "Cancelled", "Failed"] as const) {
      const job = await jobIn(t.store, status);
      await t.store.insertChunks(job.jobId, [{ seq: 0, startByte: 0, endByte: 1, firstRecord: 0, records: 1 }]);
      await t.store.startReportFile(job.jobId, {
        status: "succeeded",
        index: 0,
        key: "k",
        uploadId: null,
        parts: [],
        bytes: 0,
        throughSeq: -1,
        md5State: "",
        md5: null,
        completed: false,
      });
      assert.equal(await deleteTerminalJob(t.db, t.dialect, job.jobId, 1), true, status);
      assert.equal(await t.store.getJob(job.jobId), undefined);
      assert.deepEqual(await t.store.sumChunkCounters(job.jobId), { succeeded: 0, failed: 0, records: 0 });
      assert.deepEqual(await t.store.reportFiles(job.jobId, "succeeded"), []);
      assert.equal(await deleteTerminalJob(t.db, t.dialect, job.jobId, 1), false, "gone");
    }
  });

  it("refuses every unfinished status", async () => {
    for (const status of JOB_STATUSES.filter((s) => !["Complete", "Cancelled", "Failed"].includes(s))) {
      const job = await jobIn(t.store, status);
      assert.equal(await deleteTerminalJob(t.db, t.dialect, job.jobId, 1), false, status);
      assert.equal((await t.store.getJob(job.jobId))?.status, status);
    }
  });
});
