/**
 * Exactly-once accounting under faults: a 5,000-task copy job on Ceph's RADOS Gateway, with objbatch talking to
 * the gateway through the fault-injection proxy (test/helpers/fault-proxy.ts), which answers 10% of requests
 * 503 SlowDown, 5% 500 InternalError and drops the connection of 5% (half before the gateway saw the request,
 * half after it did the work). Every request objbatch makes goes through it: the manifest read, the copies and
 * the report writes. The job must end Complete with every task succeeded, counted once in ProgressSummary and
 * reported once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { type FaultProxy, startFaultProxy } from "../test/helpers/fault-proxy.js";
import {
  bucketNamer,
  CEPH,
  type CephApp,
  cephGateway,
  createBuckets,
  getText,
  putManifest,
  putObjects,
  readReport,
  removeBuckets,
  reportConfig,
  startCephApp,
} from "./helpers.js";

const TASKS = 5000;
const name = bucketNamer("faults");
const SRC = name("src");
const DST = name("dst");
const REPORTS = name("reports");

async function countKeys(s3: S3Client, Bucket: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.add(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

describe("a 5,000-task copy job through 20% injected faults", () => {
  let s3: S3Client;
  let proxy: FaultProxy;
  let ceph: CephApp;
  const keys = Array.from({ length: TASKS }, (_, i) => `f/${String(i % 50).padStart(2, "0")}/obj-${i}.bin`);
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [SRC, DST, REPORTS]);
    await putObjects(s3, SRC, keys, (k) => `payload of ${k}`, 48);
    proxy = await startFaultProxy({
      target: CEPH.endpoint,
      seed: 20250101,
      slowDown: 0.1,
      internalError: 0.05,
      drop: 0.05,
    });
    ceph = await startCephApp({
      endpoint: proxy.url,
      app: {
        engine: {
          chunkSize: 250,
          // 20% of attempts fail: ten attempts leave a task about a one in ten million chance of failing for good.
          retry: { attempts: 10, baseDelayMs: 20, maxDelayMs: 500 },
        },
      },
    });
  });
  after(async () => {
    await ceph?.dispose();
    await proxy?.close();
    await removeBuckets(s3, [SRC, DST, REPORTS]);
    s3?.destroy();
  });

  it("ends Complete, every task succeeded, counted once and reported once", async () => {
    const manifest = await putManifest(
      s3,
      SRC,
      "manifest.csv",
      keys.map((key) => ({ bucket: SRC, key })),
    );
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${DST}` } },
      Report: reportConfig(REPORTS, "faults"),
    });
    const job = await ceph.waitForJob(jobId, 300_000);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.deepEqual(
      {
        total: job.ProgressSummary?.TotalNumberOfTasks,
        succeeded: job.ProgressSummary?.NumberOfTasksSucceeded,
        failed: job.ProgressSummary?.NumberOfTasksFailed,
      },
      { total: TASKS, succeeded: TASKS, failed: 0 },
    );

    const report = await readReport(s3, REPORTS, "faults", jobId);
    assert.equal(report.rows.length, TASKS, "one report row per task");
    assert.equal(new Set(report.rows.map((r) => r.key)).size, TASKS, "no task reported twice");
    assert.ok(report.rows.every((r) => r.status === "succeeded" && r.bucket === SRC));
    assert.deepEqual(new Set(report.rows.map((r) => r.key)), new Set(keys));

    const copied = await countKeys(s3, DST);
    assert.equal(copied.size, TASKS);
    for (const k of [keys[0]!, keys[2500]!, keys[TASKS - 1]!])
      assert.equal(await getText(s3, DST, k), `payload of ${k}`);

    // The faults really happened, in about the configured shares.
    const stats = proxy.stats();
    const faulted = stats.requests - stats.passed;
    process.stdout.write(`# fault proxy: ${JSON.stringify(stats)}\n`);
    assert.ok(stats.requests > TASKS, JSON.stringify(stats));
    assert.ok(stats.slowDown / stats.requests > 0.07 && stats.slowDown / stats.requests < 0.13, JSON.stringify(stats));
    assert.ok(
      stats.internalError > 0 && stats.dropBeforeForward > 0 && stats.dropAfterForward > 0,
      JSON.stringify(stats),
    );
    assert.ok(faulted / stats.requests > 0.15 && faulted / stats.requests < 0.25, JSON.stringify(stats));
  });
});
