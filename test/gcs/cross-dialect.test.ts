/**
 * One job store, the Google dialect beside S3 Control (D46): a job created through S3 Control (signed SigV4)
 * is listed and described through the Google dialect under its objbatch id, with its nearest Google
 * transformation and the objbatchOperation extension, and cancelled there; a Google job is listed and described
 * through S3 Control. Real objbatch, real HTTP, engine off.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { body, OPERATIONS } from "../api/fixtures/s3control-requests.js";
import { signedCall } from "../helpers/s3control-client.js";
import { type GcsTestApp, prefixJob, startGcsApp } from "./gcs-client.js";

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (n) => n === "member" });

describe("the Google dialect beside S3 Control", () => {
  let g: GcsTestApp;
  before(async () => {
    g = await startGcsApp();
  });
  after(() => g.app.dispose());

  it("shows an S3 Control job under its objbatch id with its nearest transformation, and cancels it", async () => {
    const created = await signedCall(g.app.url, {
      method: "POST",
      path: "/v20180820/jobs",
      body: body(OPERATIONS.legalHold!).replace("token-1", "cross-1"),
    });
    assert.equal(created.status, 200, created.text);
    const jobId = parser.parse(created.text).CreateJobResult.JobId as string;

    const listed = await g.call("GET", `${g.base}/jobs`);
    const job = listed.json.jobs.find((j: { name: string }) => j.name.endsWith(`/jobs/${jobId}`));
    assert.ok(job, listed.text);
    assert.deepEqual(job.putObjectHold, { temporaryHold: "SET" });
    assert.deepEqual(job.objbatchOperation, { kind: "PutObjectLegalHold" });
    assert.equal(job.description, "a job");
    assert.deepEqual(job.bucketList, {
      buckets: [{ bucket: "manifests", manifest: { manifestLocation: "gs://manifests/jobs/m.csv" } }],
    });
    const got = await g.call("GET", `${g.base}/jobs/${jobId}`);
    assert.deepEqual(got.json, job);

    const cancelled = await g.call("POST", `${g.base}/jobs/${jobId}:cancel`);
    assert.equal(cancelled.status, 200, cancelled.text);
    const described = await signedCall(g.app.url, { path: `/v20180820/jobs/${jobId}` });
    assert.equal(described.status, 200, described.text);
    assert.match(parser.parse(described.text).DescribeJobResult.Job.Status, /^Cancell(ing|ed)$/);
  });

  it("shows a Google job through S3 Control's ListJobs and DescribeJob", async () => {
    const created = await g.call("POST", `${g.base}/jobs?jobId=seen-by-aws`, {
      body: { ...prefixJob("photos", { deleteObject: {} }), description: "from gcloud" },
    });
    assert.equal(created.status, 200, created.text);
    const jobId = created.json.name.split("/").pop();
    const listed = await signedCall(g.app.url, { path: "/v20180820/jobs" });
    assert.equal(listed.status, 200, listed.text);
    const members = parser.parse(listed.text).ListJobsResult.Jobs.member as { JobId: string; Description: string }[];
    assert.equal(members.find((m) => m.JobId === jobId)?.Description, "from gcloud");
    const described = await signedCall(g.app.url, { path: `/v20180820/jobs/${jobId}` });
    assert.equal(described.status, 200, described.text);
    const job = parser.parse(described.text).DescribeJobResult.Job;
    assert.equal(job.JobId, jobId);
    assert.equal(job.Description, "from gcloud");
  });
});
