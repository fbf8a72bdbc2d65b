/**
 * One job store, two dialects: a job created through COS (signed by the COS SDK) is described, listed and
 * cancelled through OSS (signed by ali-oss) with its operation in OSS terms, and a job created through OSS is
 * visible, in COS terms, through COS. Real objbatch, real HTTP, engine off.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../../helpers/app.js";
import { cosRequest } from "../../helpers/cos-client.js";
import { ossCreateJobBody, ossRequest } from "../../helpers/oss-client.js";
import { SEED_CREATE_JOB_BODY } from "../fixtures/cos-seeds.js";

let app: TestApp;

before(async () => {
  app = await startTestApp({ runEngine: false });
});
after(() => app.dispose());

async function cosCreate(body: string): Promise<string> {
  const r = await cosRequest(app.url, "POST", "/jobs", { body });
  assert.equal(r.status, 200, r.text);
  return r.xml.CreateJobResult.JobId;
}

const ossDescribe = async (jobId: string) => {
  const r = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId } });
  assert.equal(r.status, 200, r.text);
  return r.xml.DescribeJobResult.Job;
};

describe("a COS job seen through OSS", () => {
  it("is described in OSS terms: extension operation name, plain bucket names, epoch seconds", async () => {
    const jobId = await cosCreate(SEED_CREATE_JOB_BODY);
    const job = await ossDescribe(jobId);
    assert.deepEqual(job.Operation, {
      PutObjectCopy: { TargetBucket: "destinationbucket-1250000000" },
    });
    assert.deepEqual(job.Manifest, {
      Location: {
        ETag: '"15150651828fa9cdcb8356b6d1c7638b"',
        Bucket: "sourcebucket-1250000000",
        Object: "manifests/batch-copy-manifest.csv",
      },
      Spec: { Fields: "Bucket,Key", Format: "OSS_BatchOperations_CSV_20250611" },
    });
    assert.deepEqual(job.Report, {
      Bucket: "sourcebucket-1250000000",
      Enabled: "true",
      Prefix: "job-result",
      ReportScope: "AllTasks",
    });
    assert.equal(job.RoleArn, "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole");
    const cos = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
    const iso = cos.xml.DescribeJobResult.Job.CreationTime;
    assert.equal(Number(job.CreationTime), Date.parse(iso) / 1000, "the same instant in both dialects");
  });

  it("is listed with its operation in OSS terms, and cancelled through OSS", async () => {
    const copy = await cosCreate(
      SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, "<ClientRequestToken>copy-2<"),
    );
    const addTags = await cosCreate(
      SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, "<ClientRequestToken>add-tags<").replace(
        /<Operation>.*<\/Operation>/,
        "<Operation><COSPutObjectTagging><TaggingDirective>Add</TaggingDirective><TagSet><COSTag><Key>a</Key><Value>b</Value></COSTag></TagSet></COSPutObjectTagging></Operation>",
      ),
    );
    const listed = await ossRequest(app.url, { subres: "batchJob", query: { "max-keys": "1000" } });
    assert.equal(listed.status, 200, listed.text);
    const items: { JobId: string; Operation: string }[] = listed.xml.ListJobsResult.Jobs.JobListDescriptor;
    assert.equal(items.find((j) => j.JobId === copy)?.Operation, "PutObjectCopy");
    assert.equal(items.find((j) => j.JobId === addTags)?.Operation, "AddObjectTagging");
    assert.deepEqual((await ossDescribe(addTags)).Operation, {
      AddObjectTagging: { TagSet: { Tag: [{ Key: "a", Value: "b" }] } },
    });

    const cancelled = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: copy, requestedJobStatus: "Cancelled", statusUpdateReason: "cancelled via OSS" },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.xml.UpdateJobStatusResult.Status, "Cancelling");
    const viaCos = await cosRequest(app.url, "GET", `/jobs/${copy}`);
    assert.equal(viaCos.xml.DescribeJobResult.Job.Status, "Cancelling");
    assert.equal(viaCos.xml.DescribeJobResult.Job.StatusUpdateReason, "cancelled via OSS");
    const filtered = await ossRequest(app.url, { subres: "batchJob", query: { batchJobStatuses: "Cancelling" } });
    assert.deepEqual(
      filtered.xml.ListJobsResult.Jobs.JobListDescriptor.map((j: { JobId: string }) => j.JobId),
      [copy],
    );
  });
});

describe("an OSS job seen through COS", () => {
  it("is described, listed and cancelled through COS in COS terms", async () => {
    const created = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({ token: "from-oss" }),
    });
    assert.equal(created.status, 200, created.text);
    const jobId = created.xml.CreateJobResult.JobId;
    const described = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
    assert.equal(described.status, 200, described.text);
    const job = described.xml.DescribeJobResult.Job;
    assert.equal(job.JobId, jobId);
    assert.equal(job.Description, "批量设置对象标签任务");
    assert.match(job.CreationTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(job.Operation.COSPutObjectTagging.TaggingDirective, "Replaced");
    assert.equal(job.Manifest.Location.ObjectArn, "manifest-bucket/manifest.csv");
    const listed = await cosRequest(app.url, "GET", "/jobs", { query: { jobStatuses: "New" } });
    const members: { JobId: string; Operation: string }[] = listed.xml.ListJobsResult.Jobs.member;
    assert.equal(members.find((m) => m.JobId === jobId)?.Operation, "COSPutObjectTagging");
    const cancelled = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Cancelled" },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await ossDescribe(jobId)).Status, "Cancelling");
  });

  it("shows a KeyPrefixManifestGenerator job through COS too", async () => {
    const created = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({
        token: "generator-from-oss",
        operation: "<DeleteObjectTagging/>",
        manifest:
          "<KeyPrefixManifestGenerator><SourceBucket>bucket</SourceBucket><Prefix>logs/</Prefix></KeyPrefixManifestGenerator>",
      }),
    });
    assert.equal(created.status, 200, created.text);
    const jobId = created.xml.CreateJobResult.JobId;
    const described = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
    assert.equal(described.status, 200, described.text);
    assert.ok("COSDeleteObjectTagging" in described.xml.DescribeJobResult.Job.Operation);
  });
});
