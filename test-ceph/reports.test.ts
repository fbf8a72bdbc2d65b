/**
 * Completion reports written to the RADOS Gateway while the job runs, with S3's real part rules (every part but
 * the last at least 5 MiB): the gateway itself shows the results file's upload and its parts while the job is
 * Active; when the job ends, manifest.json's MD5 matches each file and every task is reported once.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GetObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { DescribeJobCommand } from "@aws-sdk/client-s3-control";
import { ROOT_S3CONTROL } from "../test/helpers/s3control-client.js";
import {
  bucketNamer,
  type CephApp,
  cephGateway,
  createBuckets,
  putManifest,
  readReport,
  removeBuckets,
  reportConfig,
  startCephApp,
} from "./helpers.js";

const name = bucketNamer("reports");
const TARGET = name("target");
const REPORTS = name("reports");
const MiB = 1024 * 1024;
/** Rows of about 1 KB: 11,000 of them make two full 5 MiB parts and a last one. */
const TASKS = 11_000;
const keyOf = (i: number) => `${"long-key-segment/".repeat(55)}object-${String(i).padStart(6, "0")}`;

describe("reports written as the job goes, on radosgw", () => {
  let s3: S3Client;
  let ceph: CephApp;
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [TARGET, REPORTS]);
    ceph = await startCephApp({
      app: {
        engine: {
          reportPartBytes: 5 * MiB,
          reportFlushIntervalMs: 100,
          maxRequestsPerSecondPerJob: 1_000,
          // Every task fails on purpose (see below); the job must still run to the end.
          failureRatio: 1,
        },
      },
    });
  });
  after(async () => {
    await ceph?.dispose();
    await removeBuckets(s3, [TARGET, REPORTS]);
    s3?.destroy();
  });

  it("uploads 5 MiB parts while Active and completes the file when the job ends", { timeout: 180_000 }, async () => {
    const keys = Array.from({ length: TASKS }, (_, i) => keyOf(i));
    // Deleting the tags of keys that do not exist fails each task at once with the gateway's 404, which costs it
    // little: the report is the work here.
    const manifest = await putManifest(
      s3,
      REPORTS,
      "manifest.csv",
      keys.map((key) => ({ bucket: TARGET, key })),
    );
    const jobId = await ceph.createJob({
      ConfirmationRequired: false,
      Operation: { S3DeleteObjectTagging: {} },
      Manifest: manifest,
      Report: reportConfig(REPORTS, "live"),
    });

    const partsSeenWhileActive = new Map<number, number>();
    let wasActive = false;
    // An upload listed can be completed before its parts are asked for: radosgw then answers ListParts with a 404
    // (NoSuchKey, "UnknownError"; CI met it once). That look at the upload is skipped; any other error fails.
    const uploadsGoneBetween: string[] = [];
    for (const deadline = Date.now() + 150_000; Date.now() < deadline; await sleep(100)) {
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: REPORTS, Prefix: `live/job-${jobId}/` }));
      const parts = [];
      for (const u of uploads.Uploads ?? []) {
        const listed = await s3
          .send(new ListPartsCommand({ Bucket: REPORTS, Key: u.Key!, UploadId: u.UploadId! }))
          .catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => {
            if (e.$metadata?.httpStatusCode !== 404) throw e;
            uploadsGoneBetween.push(`${e.name} (${e.$metadata?.httpStatusCode})`);
            return undefined;
          });
        parts.push(...(listed?.Parts ?? []));
      }
      const job = await ceph.control.send(
        new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobId }),
      );
      const status = job.Job?.Status;
      if (status === "Active") wasActive = true;
      else if (wasActive || ["Complete", "Failed", "Cancelled"].includes(status ?? "")) break;
      else continue; // not started yet
      for (const p of parts) partsSeenWhileActive.set(p.PartNumber!, p.Size!);
    }
    assert.ok(
      partsSeenWhileActive.size >= 1,
      `the gateway held a part of the report while the job was Active (ListParts failed ${uploadsGoneBetween.length} times: ${uploadsGoneBetween.slice(0, 3).join(", ")})`,
    );
    for (const [n, size] of partsSeenWhileActive) assert.ok(size >= 5 * MiB, `part ${n} is ${size} bytes`);

    const job = await ceph.waitForJob(jobId, 150_000);
    assert.equal(job.Status, "Complete");
    assert.equal(job.ProgressSummary?.NumberOfTasksFailed, TASKS);

    const report = await readReport(s3, REPORTS, "live", jobId);
    assert.equal(report.rows.length, TASKS);
    assert.deepEqual(
      report.rows.map((r) => r.key),
      keys,
      "every task once, in manifest order",
    );
    assert.ok(report.rows.every((r) => r.status === "failed" && r.httpStatus === "404"));
    for (const result of report.manifest.Results) {
      const body = await (
        await s3.send(new GetObjectCommand({ Bucket: REPORTS, Key: result.Key }))
      ).Body!.transformToByteArray();
      assert.equal(result.MD5Checksum, createHash("md5").update(body).digest("hex"), `MD5 of ${result.Key}`);
      assert.ok(body.length > 10 * MiB, `the failed file holds ${body.length} bytes`);
    }
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: REPORTS, Prefix: `live/job-${jobId}/` }));
    assert.deepEqual(left.Uploads ?? [], [], "no upload is left in progress");
  });
});
