/**
 * Completion reports written while the job runs (issue 4), end to end through the COS API on both job stores:
 * results-file parts go up while the job is Active, files roll over at their part limit, and when the job ends
 * manifest.json lists every file with its MD5 and the files hold every task exactly once.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import { TEST_STORES, type TestStore } from "../helpers/stores.js";
import {
  createJob,
  describe as describeJob,
  dropFiles,
  makeBuckets,
  readReport,
  waitForStatus,
  writeManifest,
} from "./helpers.js";

const COPY = "<COSPutObjectCopy><TargetResource>dst</TargetResource></COSPutObjectCopy>";

async function seed(app: TestApp, name: string, n: number, missingEvery = 0) {
  const keys = Array.from({ length: n }, (_, i) => `${name}/object-${String(i).padStart(5, "0")}.txt`);
  const present = keys.filter((_, i) => missingEvery === 0 || i % missingEvery !== 0);
  await dropFiles(app, "src", Object.fromEntries(present.map((k) => [k, k])));
  await writeManifest(app, "src", `${name}.csv`, "src", keys);
  return keys;
}

/** Polls while the job runs; returns the most parts and files seen in the store while it was still Active. */
async function watchWhileActive(app: TestApp, jobId: string) {
  let parts = 0;
  let files = 0;
  let pendingUploads = 0;
  await waitForStatus(app, jobId, ["Active"]);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const recorded = await app.store.reportFiles(jobId, "succeeded");
    const uploads: string[] = [];
    for await (const u of app.storage.listMultipartUploads("reports", "")) uploads.push(u.uploadId);
    const job = await describeJob(app, jobId);
    if (job.Status !== "Active") break;
    parts = Math.max(
      parts,
      recorded.reduce((n, f) => n + f.parts.length, 0),
    );
    files = Math.max(files, recorded.length);
    pendingUploads = Math.max(pendingUploads, uploads.length);
    await sleep(20);
  }
  return { parts, files, pendingUploads };
}

async function fileMd5(app: TestApp, bucket: string, key: string) {
  return createHash("md5")
    .update(await readFile(join(app.dataDir, "buckets", bucket, key)))
    .digest("hex");
}

for (const open of TEST_STORES) {
  describe(`reports written as the job goes, on ${open.name.replace("TestStore", "")}`, () => {
    let t: TestStore;
    let app: TestApp;
    before(async () => {
      t = await open();
      app = await startTestApp({
        storeUrl: t.url,
        engine: {
          chunkSize: 10,
          chunkSlots: 2,
          taskConcurrency: 4,
          maxRequestsPerSecondPerJob: 400,
          reportPartBytes: 1_000,
          reportMaxPartsPerFile: 6,
          reportFlushIntervalMs: 20,
        },
      });
      await makeBuckets(app, "src", "dst", "reports");
    });
    after(async () => {
      await app.dispose();
      await t.dispose();
    });

    it("uploads parts while Active, rolls files over, and reports every task once", { timeout: 90_000 }, async () => {
      const keys = await seed(app, "run", 1_200, 7);
      const jobId = await createJob(app, { manifest: "src/run.csv", operation: COPY, report: { bucket: "reports" } });
      const seen = await watchWhileActive(app, jobId);
      assert.ok(seen.parts >= 2, `parts recorded while Active: ${seen.parts}`);
      assert.ok(seen.files >= 2, `results files started while Active: ${seen.files}`);
      assert.ok(seen.pendingUploads >= 1, "an upload was in progress while Active");

      const job = await waitForStatus(app, jobId);
      assert.equal(job.Status, "Complete");
      const failedCount = keys.filter((_, i) => i % 7 === 0).length;
      assert.equal(job.ProgressSummary.NumberOfTasksFailed, String(failedCount));

      const report = await readReport(app, "reports", "reports", jobId);
      const succeededFiles = report.manifest.Results.filter(
        (r: { TaskExecutionStatus: string }) => r.TaskExecutionStatus === "succeeded",
      );
      assert.ok(succeededFiles.length >= 2, `succeeded files: ${succeededFiles.length}`);
      for (const result of report.manifest.Results) {
        assert.equal(result.MD5Checksum, await fileMd5(app, "reports", result.Key), `MD5 of ${result.Key}`);
      }
      assert.equal(report.rows.length, keys.length);
      assert.deepEqual(
        report.rows.map((r) => r.key).sort(),
        [...keys].sort(),
        "every task is in the report exactly once",
      );
      const inOrder = report.rows.filter((r) => r.status === "succeeded").map((r) => r.key);
      assert.deepEqual(inOrder, [...inOrder].sort(), "succeeded rows keep manifest order across files");
      assert.equal(report.rows.filter((r) => r.status === "failed").length, failedCount);

      const pending: string[] = [];
      for await (const u of app.storage.listMultipartUploads("reports", "")) pending.push(u.uploadId);
      assert.deepEqual(pending, [], "no upload is left behind");
      const left: string[] = [];
      for await (const rows of app.store.rowsBetween(jobId, "succeeded", -1, 1_000_000)) left.push(rows);
      assert.deepEqual(left, [], "no report row is left in the store");
    });

    it("a job cancelled mid-run reports exactly what ran, parts written before and after", {
      timeout: 90_000,
    }, async () => {
      await seed(app, "cancel", 2_000);
      const jobId = await createJob(app, {
        manifest: "src/cancel.csv",
        operation: COPY,
        report: { bucket: "reports", prefix: "cancelled" },
      });
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const files = await app.store.reportFiles(jobId, "succeeded");
        if (files.reduce((n, f) => n + f.parts.length, 0) >= 2) break;
        await sleep(10);
      }
      const r = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
        query: { requestedJobStatus: "Cancelled", statusUpdateReason: "enough" },
      });
      assert.equal(r.status, 200, r.text);
      const job = await waitForStatus(app, jobId);
      assert.equal(job.Status, "Cancelled");
      const succeeded = Number(job.ProgressSummary.NumberOfTasksSucceeded);
      assert.ok(succeeded > 0 && succeeded < 2_000, `ran ${succeeded}`);
      const report = await readReport(app, "reports", "cancelled", jobId);
      assert.equal(report.rows.length, succeeded);
      assert.equal(new Set(report.rows.map((row) => row.key)).size, succeeded);
    });

    it("FailedTasksOnly never writes succeeded rows", { timeout: 60_000 }, async () => {
      const keys = await seed(app, "failedonly", 600, 2);
      const jobId = await createJob(app, {
        manifest: "src/failedonly.csv",
        operation: COPY,
        report: { bucket: "reports", prefix: "failed-only", scope: "FailedTasksOnly" },
      });
      await waitForStatus(app, jobId);
      const report = await readReport(app, "reports", "failed-only", jobId);
      assert.ok(
        report.manifest.Results.every((r: { TaskExecutionStatus: string }) => r.TaskExecutionStatus === "failed"),
      );
      assert.equal(report.rows.length, keys.filter((_, i) => i % 2 === 0).length);
      assert.deepEqual(await app.store.reportFiles(jobId, "succeeded"), []);
    });
  });
}
