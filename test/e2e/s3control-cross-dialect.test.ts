/**
 * One job store, three dialects: a job created with the AWS SDK (S3 Control) is described, listed and cancelled
 * through COS (signed by the COS SDK's signer) and through OSS (signed by ali-oss), with its operation in each
 * dialect's terms; jobs created through COS and OSS are described, listed and cancelled with the AWS SDK in AWS
 * terms. Real objbatch, real HTTP, engine off (so statuses stay where the APIs put them).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateJobCommand,
  DescribeJobCommand,
  ListJobsCommand,
  type S3ControlClient,
  UpdateJobStatusCommand,
} from "@aws-sdk/client-s3-control";
import { SEED_CREATE_JOB_BODY } from "../api/fixtures/cos-seeds.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import { ossCreateJobBody, ossRequest } from "../helpers/oss-client.js";
import { ROOT_S3CONTROL, s3ControlClient } from "../helpers/s3control-client.js";

const ACCOUNT = ROOT_S3CONTROL.accountId;
let app: TestApp;
let sdk: S3ControlClient;

before(async () => {
  app = await startTestApp({ runEngine: false });
  sdk = s3ControlClient(app.url, "hostPrefix");
});
after(async () => {
  sdk?.destroy();
  await app?.dispose();
});

async function sdkCreate(token: string, operation: Parameters<typeof jobOf>[0]): Promise<string> {
  const out = await sdk.send(new CreateJobCommand(jobOf(operation, token)));
  return out.JobId!;
}

function jobOf(
  operation: NonNullable<ConstructorParameters<typeof CreateJobCommand>[0]["Operation"]>,
  token: string,
): ConstructorParameters<typeof CreateJobCommand>[0] {
  return {
    AccountId: ACCOUNT,
    ClientRequestToken: token,
    Operation: operation,
    Report: { Enabled: true, Bucket: "arn:aws:s3:::reports", Format: "Report_CSV_20180820", Prefix: "r" },
    Manifest: {
      Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
      Location: { ObjectArn: "arn:aws:s3:::source/manifest.csv", ETag: "0123456789abcdef" },
    },
    Priority: 7,
    RoleArn: "arn:aws:iam::123456789012:role/batch",
    Description: "made with the AWS SDK",
  };
}

const sdkDescribe = async (jobId: string) =>
  (await sdk.send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId: jobId }))).Job!;

describe("a job created with the AWS SDK", () => {
  it("is described, listed and cancelled through COS, in COS terms", async () => {
    const jobId = await sdkCreate("to-cos", {
      S3PutObjectCopy: { TargetResource: "arn:aws:s3:::destination", StorageClass: "STANDARD_IA" },
    });
    const described = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
    assert.equal(described.status, 200, described.text);
    const job = described.xml.DescribeJobResult.Job;
    assert.deepEqual(job.Operation, {
      COSPutObjectCopy: { StorageClass: "STANDARD_IA", TargetResource: "arn:aws:s3:::destination" },
    });
    assert.equal(job.Description, "made with the AWS SDK");
    assert.equal(job.Report.Format, "Report_CSV_V1");
    assert.equal(job.Manifest.Location.ObjectArn, "arn:aws:s3:::source/manifest.csv");

    const listed = await cosRequest(app.url, "GET", "/jobs");
    const member = listed.xml.ListJobsResult.Jobs.member.find((m: { JobId: string }) => m.JobId === jobId);
    assert.equal(member.Operation, "COSPutObjectCopy");

    const cancelled = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Cancelled", statusUpdateReason: "cancelled through COS" },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    const after = await sdkDescribe(jobId);
    assert.equal(after.Status, "Cancelling");
    assert.equal(after.StatusUpdateReason, "cancelled through COS");
  });

  it("is described, listed and cancelled through OSS, in OSS terms", async () => {
    const jobId = await sdkCreate("to-oss", { S3PutObjectTagging: { TagSet: [{ Key: "k", Value: "v" }] } });
    const described = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId } });
    assert.equal(described.status, 200, described.text);
    const job = described.xml.DescribeJobResult.Job;
    assert.deepEqual(job.Operation, { PutObjectTagging: { TagSet: { Tag: [{ Key: "k", Value: "v" }] } } });
    assert.equal(job.Priority, "7");

    const listed = await ossRequest(app.url, { subres: "batchJob", query: { "max-keys": "1000" } });
    const items: { JobId: string; Operation: string }[] = [listed.xml.ListJobsResult.Jobs.JobListDescriptor].flat();
    assert.equal(items.find((j) => j.JobId === jobId)?.Operation, "PutObjectTagging");

    const cancelled = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: jobId, requestedJobStatus: "Cancelled" },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await sdkDescribe(jobId)).Status, "Cancelling");
  });
});

describe("jobs created through COS and OSS, seen with the AWS SDK", () => {
  it("describes, lists and cancels a COS job in AWS terms", async () => {
    const created = await cosRequest(app.url, "POST", "/jobs", { body: SEED_CREATE_JOB_BODY });
    assert.equal(created.status, 200, created.text);
    const jobId: string = created.xml.CreateJobResult.JobId;
    const job = await sdkDescribe(jobId);
    assert.deepEqual(job.Operation, {
      S3PutObjectCopy: { TargetResource: "qcs::cos:ap-chengdu:uid/1250000000:destinationbucket-1250000000" },
    });
    assert.deepEqual(job.Report, {
      Bucket: "qcs::cos:ap-chengdu::sourcebucket-1250000000",
      Format: "Report_CSV_20180820",
      Enabled: true,
      Prefix: "job-result",
      ReportScope: "AllTasks",
    });
    assert.equal(job.Manifest?.Spec?.Format, "COSBatchOperations_CSV_V1");
    assert.equal(job.JobArn, `arn:aws:s3:us-east-1:${ACCOUNT}:job/${jobId}`);
    const listed = await sdk.send(new ListJobsCommand({ AccountId: ACCOUNT }));
    assert.equal(listed.Jobs?.find((j) => j.JobId === jobId)?.Operation, "S3PutObjectCopy");
    const out = await sdk.send(
      new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: jobId, RequestedJobStatus: "Cancelled" }),
    );
    assert.equal(out.Status, "Cancelling");
    const viaCos = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
    assert.equal(viaCos.xml.DescribeJobResult.Job.Status, "Cancelling");
  });

  it("describes OSS jobs in AWS terms, a KeyPrefixManifestGenerator as an S3JobManifestGenerator", async () => {
    const created = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({
        token: "oss-generator",
        operation: "<AddObjectTagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></AddObjectTagging>",
        manifest:
          "<KeyPrefixManifestGenerator><SourceBucket>photos</SourceBucket><Prefix>2024/</Prefix></KeyPrefixManifestGenerator>",
      }),
    });
    assert.equal(created.status, 200, created.text);
    const jobId: string = created.xml.CreateJobResult.JobId;
    const job = await sdkDescribe(jobId);
    assert.equal(job.Description, "批量设置对象标签任务");
    assert.deepEqual(job.ManifestGenerator, {
      S3JobManifestGenerator: {
        SourceBucket: "photos",
        Filter: { KeyNameConstraint: { MatchAnyPrefix: ["2024/"] } },
        EnableManifestOutput: false,
      },
    });
    // AWS has no merge-tagging operation; objbatch shows its extension name.
    const listed = await sdk.send(new ListJobsCommand({ AccountId: ACCOUNT, JobStatuses: ["New"] }));
    assert.equal(listed.Jobs?.find((j) => j.JobId === jobId)?.Operation, "S3AddObjectTagging");
    assert.deepEqual(job.Report, {
      Bucket: "report-bucket",
      Enabled: true,
      Prefix: "batch-reports/",
      ReportScope: "AllTasks",
    });
  });
});
