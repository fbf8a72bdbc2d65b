/**
 * The signature policy's `ossSignatureV1: "refuse"` over real HTTP through the real server: every V1 request is
 * refused, reads included (a V1 DescribeJob signature could otherwise be replayed as ListJobs), and V4 is
 * served. The default policy accepts V1 (signature-binding.test.ts binds its state changes).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp } from "../../helpers/app.js";
import { type JobApiServer, startJobApiServer } from "../../helpers/job-api-server.js";
import { type OssCall, ossCreateJobBody, ossRequest } from "../../helpers/oss-client.js";

describe("OSS: signature V1 can be turned off", () => {
  let strict: JobApiServer;
  let lenient: JobApiServer;
  before(async () => {
    strict = await startJobApiServer({ signaturePolicy: { ossSignatureV1: "refuse" } });
    lenient = await startJobApiServer();
  });
  after(async () => {
    await strict.close();
    await lenient.close();
  });

  const v1Calls: OssCall[] = [
    { subres: "batchJob", query: { batchJobId: "some-job" } },
    { subres: "batchJob", query: { "max-keys": "10" } },
    { method: "POST", subres: "batchJob", body: ossCreateJobBody({ token: "v1-off" }) },
  ];

  it("refuses every V1 request, reads included", async () => {
    for (const call of v1Calls) {
      const r = await ossRequest(strict.url, call);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.xml.Error.Code, "AccessDenied");
      assert.match(r.xml.Error.Message, /V1 is turned off on this server: sign with V4/);
      assert.equal(r.xml.Error.RequestId, r.headers.get("x-oss-request-id"));
    }
  });

  it("serves V4 requests", async () => {
    const created = await ossRequest(strict.url, {
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({ token: "v4-on" }),
      v4: true,
    });
    assert.equal(created.status, 200, created.text);
    const jobId: string = created.xml.CreateJobResult.JobId;
    const described = await ossRequest(strict.url, { subres: "batchJob", query: { batchJobId: jobId }, v4: true });
    assert.equal(described.status, 200, described.text);
    assert.equal(described.xml.DescribeJobResult.Job.JobId, jobId);
  });

  it("accepts V1 under the default policy", async () => {
    const r = await ossRequest(lenient.url, v1Calls[1]!);
    assert.equal(r.status, 200, r.text);
  });

  it("is turned off by the config file's auth section of a real objbatch", async () => {
    const app = await startTestApp({ configFile: { auth: { ossSignatureV1: "refuse" } }, runEngine: false });
    try {
      const v1 = await ossRequest(app.url, v1Calls[1]!);
      assert.equal(v1.status, 403, v1.text);
      assert.match(v1.xml.Error.Message, /V1 is turned off on this server/);
      const v4 = await ossRequest(app.url, { ...v1Calls[1]!, v4: true });
      assert.equal(v4.status, 200, v4.text);
    } finally {
      await app.dispose();
    }
  });
});
