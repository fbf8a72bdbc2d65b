/**
 * store/reports/report-files.ts on real SQLite and PostgreSQL: results files are started once, each part is
 * recorded by compare-and-set together with the clearing of the rows it holds, and the done chunks' rows come
 * back in chunk order.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { ReportFile } from "../../../src/store/reports/report-files.js";
import {
  completeReportFile,
  dropEmptyReportFile,
  recordReportPart,
  reportFiles,
  rowsBetween,
  rowsExtents,
  startReportFile,
} from "../../../src/store/reports/report-files.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";

function file(overrides: Partial<ReportFile> = {}): ReportFile {
  return {
    status: "succeeded",
    index: 0,
    key: "job-result/job-1/results/0.csv",
    uploadId: "upload-1",
    parts: [],
    bytes: 0,
    throughSeq: -1,
    md5State: "state-0",
    md5: null,
    completed: false,
    ...overrides,
  };
}

/** Leases and completes chunks 0..n-1 of the job; chunk i succeeds with row `s<i>` when ok(i), else fails. */
async function completeAll(
  t: { store: import("../../../src/store/job-store.js").JobStore },
  jobId: string,
  n: number,
  ok: (i: number) => boolean,
) {
  for (let i = 0; i < n; i++) {
    const c = (await t.store.leaseChunk(jobId, randomUUID(), 1, 60_000))!;
    const good = ok(c.seq);
    await t.store.completeChunk(
      jobId,
      c.seq,
      c.leaseToken,
      {
        succeeded: good ? 1 : 0,
        failed: good ? 0 : 1,
        succeededRows: good ? `s${c.seq}\n` : null,
        failedRows: good ? null : `f${c.seq}\n`,
      },
      2,
    );
  }
}

describeOnStores("report files", (t) => {
  it("streams report rows in chunk order", async () => {
    const row = await jobIn(t.store, "Active");
    const n = 450;
    await t.store.insertChunks(
      row.jobId,
      Array.from({ length: n }, (_, i) => ({ seq: i, startByte: i, endByte: i + 1, firstRecord: i, records: 1 })),
    );
    await completeAll(t, row.jobId, n, (seq) => seq % 3 === 0);
    const succeeded: string[] = [];
    for await (const part of rowsBetween(t.db, row.jobId, "succeeded", -1, n)) succeeded.push(part);
    const failed: string[] = [];
    for await (const part of rowsBetween(t.db, row.jobId, "failed", -1, n)) failed.push(part);
    assert.equal(succeeded.length, 150);
    assert.equal(failed.length, 300);
    assert.deepEqual(
      succeeded,
      Array.from({ length: 150 }, (_, i) => `s${i * 3}\n`),
    );
    assert.equal(failed[0], "f1\n");
    assert.equal(failed[299], `f${n - 1}\n`);
  });

  it("starts a file once, records parts by compare-and-set, clearing the rows they hold, and completes it", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(4));
    await completeAll(t, job.jobId, 4, (i) => i !== 2);

    const started = file();
    assert.equal(await startReportFile(t.db, job.jobId, started), true);
    assert.equal(await startReportFile(t.db, job.jobId, file({ key: "another" })), false, "started already");
    assert.deepEqual(await reportFiles(t.db, job.jobId, "succeeded"), [started]);

    assert.deepEqual(await rowsExtents(t.db, job.jobId, "succeeded", -1, 10), [
      { seq: 0, state: "done", chars: 3 },
      { seq: 1, state: "done", chars: 3 },
      { seq: 2, state: "done", chars: 0 },
      { seq: 3, state: "done", chars: 3 },
    ]);
    const next = { parts: [{ partNumber: 1, etag: "e1" }], bytes: 6, throughSeq: 1, md5State: "state-1" };
    assert.equal(await recordReportPart(t.db, job.jobId, started, next), true);
    assert.equal(await recordReportPart(t.db, job.jobId, started, next), false, "the file moved on: CAS fails");
    assert.deepEqual(await rowsExtents(t.db, job.jobId, "succeeded", -1, 10), [
      { seq: 0, state: "done", chars: 0 },
      { seq: 1, state: "done", chars: 0 },
      { seq: 2, state: "done", chars: 0 },
      { seq: 3, state: "done", chars: 3 },
    ]);
    const failedRows: string[] = [];
    for await (const text of rowsBetween(t.db, job.jobId, "failed", -1, 3)) failedRows.push(text);
    assert.deepEqual(failedRows, ["f2\n"], "the other status's rows stay");

    const [recorded] = await reportFiles(t.db, job.jobId, "succeeded");
    assert.deepEqual(recorded, { ...started, ...next });
    assert.equal(await completeReportFile(t.db, job.jobId, recorded, "d41d8cd98f00b204e9800998ecf8427e"), true);
    assert.equal(await completeReportFile(t.db, job.jobId, recorded, "x"), false, "only once");
    const [completed] = await reportFiles(t.db, job.jobId, "succeeded");
    assert.deepEqual([completed.completed, completed.md5], [true, "d41d8cd98f00b204e9800998ecf8427e"]);
    assert.equal(await recordReportPart(t.db, job.jobId, recorded, { ...next, throughSeq: 3 }), false);
  });

  it("drops a file only while it has no part", async () => {
    const job = await jobIn(t.store, "Active");
    const empty = file({ status: "failed", index: 0 });
    const withPart = file({ status: "failed", index: 1 });
    await startReportFile(t.db, job.jobId, empty);
    await startReportFile(t.db, job.jobId, withPart);
    await recordReportPart(t.db, job.jobId, withPart, {
      parts: [{ partNumber: 1, etag: "e" }],
      bytes: 1,
      throughSeq: -1,
      md5State: "s",
    });
    await dropEmptyReportFile(t.db, job.jobId, empty);
    await dropEmptyReportFile(t.db, job.jobId, withPart);
    assert.deepEqual(
      (await reportFiles(t.db, job.jobId, "failed")).map((f) => f.index),
      [1],
    );
  });
});
