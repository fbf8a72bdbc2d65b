/**
 * For end-to-end tests that create jobs through JobService directly (operations no COS request can name):
 * an S3 Control-style job spec over a CSV manifest in the test app's data dir, and waiting for a job to end.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobSpec, Operation } from "../../src/domain/job.js";
import { ROOT, type TestApp } from "../helpers/app.js";

let tokens = 0;

export function jobSpec(
  operation: Operation,
  manifestBucket: string,
  manifestKey: string,
  reportBucket: string,
): JobSpec {
  return {
    accountId: ROOT.accountId,
    dialect: "s3control",
    clientRequestToken: `e2e-${process.pid}-${++tokens}-${Date.now()}`,
    confirmationRequired: false,
    priority: 10,
    roleArn: "arn:aws:iam::123456789012:role/batch-operations",
    operation,
    manifest: {
      format: "S3BatchOperations_CSV_20180820",
      fields: ["Bucket", "Key"],
      location: { bucket: { arn: `arn:aws:s3:::${manifestBucket}`, bucket: manifestBucket }, key: manifestKey },
    },
    report: {
      enabled: true,
      bucket: { arn: `arn:aws:s3:::${reportBucket}`, bucket: reportBucket },
      format: "Report_CSV_20180820",
      prefix: "reports",
      scope: "AllTasks",
    },
  };
}

/** Polls DescribeJob (through the service) until the job is Complete, Cancelled or Failed. */
export async function waitUntilDone(app: TestApp, jobId: string, timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let job: Job | undefined;
  while (Date.now() < deadline) {
    job = await app.service.describeJob(ROOT.accountId, jobId);
    if (job.status === "Complete" || job.status === "Cancelled" || job.status === "Failed") return job;
    await sleep(25);
  }
  assert.fail(`job ${jobId} did not end in ${timeoutMs} ms; last seen ${job?.status}`);
}
