/**
 * The OSS routes end to end over real HTTP: a real objbatch (startTestApp: server, JobService, SQLite store) with
 * the engine off, so jobs stay where the API puts them; requests signed by the official ali-oss package (its
 * offline signer, and its own HTTP client for a few calls). Every operation of the API, list paging with
 * continuation-token, OSS's status rules, and errors in OSS form.
 *
 * Over 400 lines: every route of one API, end to end, shares one server, its accounts and its helpers; each
 * describe is one group of operations.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { StaticAccountRegistry } from "../../../../src/accounts/types.js";
import { ossRoutes } from "../../../../src/api/dialects/oss/routes.js";
import type { JobServiceApi } from "../../../../src/service/types.js";
import { startTestApp, type TestApp } from "../../../helpers/app.js";
import {
  type OssCall,
  type OssCredentials,
  type OssResponse,
  ossClient,
  ossCreateJobBody,
  ossRequest,
  ossSdkRequest,
  ossSign,
  parseXml,
  ROOT_OSS,
} from "../../../helpers/oss-client.js";
import { inChunks, type RawAnswer, rawHttpRequest } from "../../../helpers/raw-http.js";
import { sqliteTestLedger } from "../../../helpers/signature-ledger.js";

const LISTER: OssCredentials = { accessKeyId: "LTAIlister0000000001", accessKeySecret: "lister-secret" };
const CROWD: OssCredentials = { accessKeyId: "LTAIcrowd00000000001", accessKeySecret: "crowd-secret" };
const MAX_BODY = 64 * 1024;

let app: TestApp;
// V1 requests sign every parameter here: these tests send many different requests a second, which V1 signatures
// over the sub-resource alone would make identical, and objbatch refuses a V1 signature on a second, different
// request (test/api/auth/signature-binding.test.ts). ali-oss's own V1 signing is exercised through ossSdkRequest.
const call = (c: OssCall) => ossRequest(app.url, { v1AllParameters: true, ...c });

async function createJob(
  options: Parameters<typeof ossCreateJobBody>[0] = {},
  credentials = ROOT_OSS,
): Promise<string> {
  const r = await call({ method: "POST", subres: "batchJob", body: ossCreateJobBody(options), credentials });
  assert.equal(r.status, 200, r.text);
  return r.xml.CreateJobResult.JobId;
}

function assertOssError(r: OssResponse, status: number, code: string, message?: RegExp | string, ec?: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get("content-type"), "application/xml");
  const e = r.xml?.Error;
  assert.ok(e, `an <Error> body: ${r.text}`);
  assert.equal(e.Code, code);
  if (typeof message === "string") assert.equal(e.Message, message);
  else if (message) assert.match(e.Message, message);
  assert.match(e.RequestId, /^[0-9A-F]{24}$/);
  assert.equal(e.RequestId, r.headers.get("x-oss-request-id"), "RequestId matches x-oss-request-id");
  assert.equal(typeof e.HostId, "string");
  if (ec !== undefined) assert.equal(e.EC, ec);
}

/** A raw HTTP request, for what fetch cannot send (chunked bodies, no Content-Type). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: (string | Buffer)[],
): Promise<RawAnswer> {
  return rawHttpRequest(new URL(path, app.url), { method, headers }, inChunks(chunks));
}

before(async () => {
  app = await startTestApp({
    runEngine: false,
    configFile: {
      maxBodyBytes: MAX_BODY,
      accounts: [
        { id: "1250000011", accessKeyId: LISTER.accessKeyId, secretAccessKey: LISTER.accessKeySecret, buckets: ["*"] },
        { id: "1250000012", accessKeyId: CROWD.accessKeyId, secretAccessKey: CROWD.accessKeySecret, buckets: ["*"] },
      ],
    },
  });
});

after(() => app.dispose());

describe("OSS routes: CreateJob and DescribeJob", () => {
  it("creates the Go SDK's example job and describes it", async () => {
    const r = await call({ method: "POST", subres: "batchJob", body: ossCreateJobBody({ token: "describe-me" }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("content-type"), "application/xml");
    assert.match(r.headers.get("x-oss-request-id") ?? "", /^[0-9A-F]{24}$/);
    const jobId: string = r.xml.CreateJobResult.JobId;
    const d = await call({ subres: "batchJob", query: { batchJobId: jobId } });
    assert.equal(d.status, 200, d.text);
    const job = d.xml.DescribeJobResult.Job;
    assert.equal(job.JobId, jobId);
    assert.equal(job.Status, "New");
    assert.equal(job.Priority, "10");
    assert.equal(job.Description, "批量设置对象标签任务");
    assert.ok(Math.abs(Number(job.CreationTime) - Date.now() / 1000) < 60, `epoch seconds: ${job.CreationTime}`);
    assert.deepEqual(job.Manifest.Location, {
      ETag: "d41d8cd98f00b204e9800998ecf8427e",
      Bucket: "manifest-bucket",
      Object: "manifest.csv",
    });
    assert.equal(job.Manifest.Spec.Fields, "Bucket,Key");
    assert.equal(job.ProgressSummary.Timers.ElapsedTimeInActiveSeconds, "0");
    assert.equal(job.Report.Format, undefined);
    assert.equal(job.RoleArn, "acs:ram::1234567890:role/oss-sdk-batch-test");
  });

  it("creates every OSS operation and a KeyPrefixManifestGenerator job", async () => {
    const operations = {
      PutObjectTagging: "<PutObjectTagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></PutObjectTagging>",
      AddObjectTagging: "<AddObjectTagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></AddObjectTagging>",
      DeleteObjectTagging: "<DeleteObjectTagging></DeleteObjectTagging>",
      PutObjectAcl: "<PutObjectAcl><ObjectAcl>private</ObjectAcl></PutObjectAcl>",
      RestoreObject: "<RestoreObject><Days>2</Days><Tier>Expedited</Tier></RestoreObject>",
      DeleteObject: "<DeleteObject/>",
    };
    for (const [name, operation] of Object.entries(operations)) {
      const jobId = await createJob({ token: `op-${name}`, operation });
      const d = await call({ subres: "batchJob", query: { batchJobId: jobId } });
      assert.deepEqual(Object.keys(d.xml.DescribeJobResult.Job.Operation), [name], d.text);
    }
    const generated = await createJob({
      token: "generator",
      manifest:
        "<KeyPrefixManifestGenerator><SourceBucket>bucket</SourceBucket><Prefix>batch-manifests/</Prefix></KeyPrefixManifestGenerator>",
    });
    const d = await call({ subres: "batchJob", query: { batchJobId: generated } });
    assert.deepEqual(d.xml.DescribeJobResult.Job.KeyPrefixManifestGenerator, {
      SourceBucket: "bucket",
      Prefix: "batch-manifests/",
    });
  });

  it("answers a repeated ClientRequestToken idempotently, and refuses it for a different request", async () => {
    const first = await createJob({ token: "idem-1" });
    assert.equal(await createJob({ token: "idem-1" }), first);
    const other = await call({
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({ token: "idem-1", priority: 11 }),
    });
    assertOssError(other, 400, "InvalidRequest", /ClientRequestToken/);
    // Without a token, two identical requests are two jobs.
    assert.notEqual(await createJob({ token: null }), await createJob({ token: null }));
  });

  it("reads the body whatever its Content-Type, and checks Content-MD5", async () => {
    for (const contentType of ["text/plain", "application/json", "application/octet-stream"]) {
      const r = await call({
        method: "POST",
        subres: "batchJob",
        body: ossCreateJobBody({ token: `ct-${contentType}` }),
        headers: { "content-type": contentType },
      });
      assert.equal(r.status, 200, `${contentType}: ${r.text}`);
    }
    const bad = await call({
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({ token: "md5" }),
      headers: { "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==" },
    });
    assertOssError(bad, 400, "InvalidDigest", /Content-MD5/);
    const garbage = await call({
      method: "POST",
      subres: "batchJob",
      body: ossCreateJobBody({ token: "md5-garbage" }),
      headers: { "content-md5": "nope" },
    });
    assertOssError(garbage, 400, "InvalidDigest");
  });

  it("answers bad bodies with OSS errors, never 5xx", async () => {
    const post = (body: string | undefined) => call({ method: "POST", subres: "batchJob", body });
    assertOssError(await post(undefined), 400, "MalformedXML", /empty/);
    assertOssError(await post("<CreateJobRequest>"), 400, "MalformedXML");
    assertOssError(
      await post(`<!DOCTYPE x [<!ENTITY a "b">]><CreateJobRequest>&a;</CreateJobRequest>`),
      400,
      "MalformedXML",
      /DOCTYPE/,
    );
    assertOssError(
      await post(ossCreateJobBody({ operation: "<PutObjectCopy/>" })),
      400,
      "MalformedXML",
      /Unknown operation/,
    );
    assertOssError(
      await post(ossCreateJobBody({ operation: "<DeleteObject/><DeleteObjectTagging/>" })),
      400,
      "MalformedXML",
    );
    assertOssError(await post(ossCreateJobBody({ priority: -1 })), 400, "InvalidArgument", /Priority/);
    assertOssError(
      await post(ossCreateJobBody().replace(/<RoleArn>[^<]*</, "<RoleArn><")),
      400,
      "InvalidArgument",
      /RoleArn/,
      "0017-00001009",
    );
    assertOssError(
      await post(ossCreateJobBody({ description: "d".repeat(300) })),
      400,
      "InvalidArgument",
      /Description/,
    );
  });

  it("refuses bodies over the limit with EntityTooLarge, announced or chunked", async () => {
    const big = ossCreateJobBody({ description: "x".repeat(MAX_BODY) });
    const r = await call({ method: "POST", subres: "batchJob", body: big });
    assertOssError(r, 400, "EntityTooLarge");
    // Chunked: a body of unknown length, signed without Content-MD5 or Content-Type.
    const { headers } = ossSign(app.url, { method: "POST", subres: "batchJob" });
    const { host: _host, ...sent } = headers;
    const chunked = await raw("POST", "/?batchJob", { ...sent, "transfer-encoding": "chunked" }, [
      big.slice(0, 1000),
      big.slice(1000),
    ]);
    assert.equal(chunked.status, 400, chunked.text);
    assert.match(chunked.text, /<Code>EntityTooLarge<\/Code>/);
    assert.ok(chunked.headers["x-oss-request-id"]);
  });

  it("answers unknown, malformed and other accounts' job ids", async () => {
    assertOssError(
      await call({ subres: "batchJob", query: { batchJobId: "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=" } }),
      404,
      "NoSuchJob",
    );
    assertOssError(
      await call({ subres: "batchJob", query: { batchJobId: "a/b" } }),
      400,
      "InvalidArgument",
      /batchJobId/,
      "0017-00001002",
    );
    assertOssError(
      await call({ subres: "batchJob", query: { batchJobId: "" } }),
      400,
      "InvalidArgument",
      undefined,
      "0017-00001002",
    );
    const theirs = await createJob({ token: "theirs" }, CROWD);
    assertOssError(await call({ subres: "batchJob", query: { batchJobId: theirs } }), 404, "NoSuchJob");
    const own = await call({ subres: "batchJob", query: { batchJobId: theirs }, credentials: CROWD });
    assert.equal(own.status, 200, own.text);
  });
});

describe("OSS routes: ListJobs", () => {
  let jobs: string[];
  before(async () => {
    jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await createJob({ token: `list-${i}`, priority: i }, LISTER));
  });
  const list = (query: Record<string, string>) => call({ subres: "batchJob", query, credentials: LISTER });
  const ids = (r: OssResponse): string[] =>
    (r.xml.ListJobsResult.Jobs?.JobListDescriptor ?? []).map((j: { JobId: string }) => j.JobId);

  it("pages newest first with continuation-token until the last page", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await list({ "max-keys": "2", ...(token ? { "continuation-token": token } : {}) });
      assert.equal(r.status, 200, r.text);
      seen.push(...ids(r));
      token = r.xml.ListJobsResult.NextToken;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...jobs].reverse());
    const all = await list({});
    assert.equal(all.xml.ListJobsResult.NextToken, undefined);
    const item = all.xml.ListJobsResult.Jobs.JobListDescriptor[0];
    assert.equal(item.Operation, "PutObjectTagging");
    assert.deepEqual(Object.keys(item.ProgressSummary), [
      "NumberOfTasksFailed",
      "NumberOfTasksSucceeded",
      "Timers",
      "TotalNumberOfTasks",
    ]);
    assert.match(item.CreationTime, /^\d{10}$/);
  });

  it("filters by batchJobStatuses, |-separated with spaces", async () => {
    const cancel = await call({
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: jobs[0]!, requestedJobStatus: "Cancelled", statusUpdateReason: "not needed" },
      credentials: LISTER,
    });
    assert.equal(cancel.status, 200, cancel.text);
    const count = async (statuses: string) => ids(await list({ batchJobStatuses: statuses })).length;
    assert.equal(await count("Cancelling"), 1);
    assert.equal(await count("New"), 4);
    assert.equal(await count("New | Cancelling"), 5);
    assert.equal(await count("New|Cancelling|Active"), 5);
    assert.equal(await count("Active | Complete"), 0);
    assert.equal(await count(""), 5);
  });

  it("uses a page of 100 by default and accepts up to 1000", async () => {
    for (let i = 0; i < 101; i++) await createJob({ token: `crowd-${i}` }, CROWD);
    const first = await call({ subres: "batchJob", credentials: CROWD });
    assert.equal(ids(first).length, 100);
    assert.ok(first.xml.ListJobsResult.NextToken);
    const rest = await call({
      subres: "batchJob",
      query: { "continuation-token": first.xml.ListJobsResult.NextToken },
      credentials: CROWD,
    });
    // CROWD also owns the job of the other-account test.
    assert.equal(ids(rest).length, 2);
    const big = await call({ subres: "batchJob", query: { "max-keys": "1000" }, credentials: CROWD });
    assert.equal(ids(big).length, 102);
    assert.equal(big.xml.ListJobsResult.NextToken, undefined);
  });

  it("rejects bad parameters with InvalidArgument", async () => {
    assertOssError(await list({ batchJobStatuses: "Running" }), 400, "InvalidArgument", /batchJobStatuses/);
    for (const bad of ["0", "1001", "abc", "-1"]) {
      assertOssError(await list({ "max-keys": bad }), 400, "InvalidArgument", /max-keys/);
    }
    assertOssError(
      await list({ "continuation-token": "x".repeat(1025) }),
      400,
      "InvalidArgument",
      /continuation-token/,
    );
    assertOssError(await list({ "continuation-token": "bad token" }), 400, "InvalidArgument", /continuation-token/);
    assertOssError(await list({ "continuation-token": "no-such-job" }), 400, "InvalidArgument", /token/);
  });
});

describe("OSS routes: UpdateJobPriority and UpdateJobStatus", () => {
  const priority = (batchJobId: string, targetPriority?: string) =>
    call({
      method: "POST",
      subres: "batchJobPriority",
      query: { batchJobId, ...(targetPriority !== undefined ? { targetPriority } : {}) },
    });
  const status = (batchJobId: string, requestedJobStatus?: string, statusUpdateReason?: string) =>
    call({
      method: "POST",
      subres: "batchJobStatus",
      query: {
        batchJobId,
        ...(requestedJobStatus !== undefined ? { requestedJobStatus } : {}),
        ...(statusUpdateReason !== undefined ? { statusUpdateReason } : {}),
      },
    });

  it("updates the priority", async () => {
    const jobId = await createJob({ token: "prio" });
    const r = await priority(jobId, "20");
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.xml.UpdateJobPriorityResult, { JobId: jobId, Priority: "20" });
    const d = await call({ subres: "batchJob", query: { batchJobId: jobId } });
    assert.equal(d.xml.DescribeJobResult.Job.Priority, "20");
    assertOssError(await priority(jobId, "2147483648"), 400, "InvalidArgument", /targetPriority/);
    assertOssError(await priority(jobId), 400, "InvalidArgument", /targetPriority/);
    assertOssError(await priority("x!", "1"), 400, "InvalidArgument", /batchJobId/, "0017-00001002");
    assertOssError(await priority("MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=", "1"), 404, "NoSuchJob");
  });

  it("cancels a job, then refuses to cancel it again or confirm it", async () => {
    const jobId = await createJob({ token: "cancel" });
    const reason = "User requested cancellation – 取消";
    const r = await status(jobId, "Cancelled", reason);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.xml.UpdateJobStatusResult, { JobId: jobId, Status: "Cancelling", StatusUpdateReason: reason });
    assertOssError(await status(jobId, "Cancelled"), 400, "InvalidRequest", /Cancelling/);
    assertOssError(await status(jobId, "Ready"), 400, "InvalidRequest");
    assert.ok(await app.store.transition(jobId, "Cancelling", "Cancelled", Date.now()));
    assertOssError(await status(jobId, "Cancelled"), 400, "InvalidRequest", /finished/);
    assertOssError(await priority(jobId, "1"), 404, "NoSuchJob");
  });

  it("follows OSS's rules for Ready: allowed while Preparing and Suspended, not while New", async () => {
    const early = await createJob({ token: "ready-early", confirmationRequired: true });
    assertOssError(await status(early, "Ready"), 400, "InvalidRequest", /New to Ready/);
    assert.ok(await app.store.transition(early, "New", "Preparing", Date.now()));
    const whilePreparing = await status(early, "Ready");
    assert.equal(whilePreparing.status, 200, whilePreparing.text);
    assert.equal(whilePreparing.xml.UpdateJobStatusResult.Status, "Preparing");
    assert.equal(
      (await app.store.getJobState(early))?.confirmed,
      true,
      "the confirmation is recorded for the preparer",
    );

    const late = await createJob({ token: "ready-late", confirmationRequired: true });
    assert.ok(await app.store.transition(late, "New", "Preparing", Date.now()));
    assert.ok(await app.store.transition(late, "Preparing", "Suspended", Date.now()));
    const confirmed = await status(late, "Ready", "looks right");
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.xml.UpdateJobStatusResult.Status, "Ready");
    assertOssError(await status(late, "Ready"), 400, "InvalidRequest", /Ready to Ready/);
  });

  it("rejects bad status parameters", async () => {
    const jobId = await createJob({ token: "bad-status" });
    assertOssError(await status(jobId, "Active"), 400, "InvalidArgument", /requestedJobStatus/);
    assertOssError(await status(jobId), 400, "InvalidArgument", /requestedJobStatus/);
    assertOssError(await status(jobId, "Cancelled", "r".repeat(257)), 400, "InvalidArgument", /statusUpdateReason/);
    assertOssError(await status("", "Cancelled"), 400, "InvalidArgument", undefined, "0017-00001002");
  });
});

describe("OSS routes: the root resource", () => {
  it("answers / without a batch sub-resource, or with the wrong method, in OSS form", async () => {
    assertOssError(await call({}), 400, "InvalidRequest", /sub-resources/);
    assertOssError(await call({ method: "POST" }), 400, "InvalidRequest", /sub-resources/);
    assertOssError(await call({ subres: "batchJobStatus" }), 405, "MethodNotAllowed");
    assertOssError(await call({ method: "PUT", subres: "batchJob" }), 405, "MethodNotAllowed");
    assertOssError(await call({ method: "DELETE", subres: "batchJob" }), 405, "MethodNotAllowed");
    assertOssError(
      // V4 signs every parameter (a V1 signature would cover only one of the two sub-resources).
      await call({ subres: "batchJob", query: { batchJobStatus: "" }, v4: true }),
      400,
      "InvalidArgument",
      /only one/,
    );
    // Unsigned, it is the signature that is missing.
    assertOssError(await call({ unsigned: true }), 403, "AccessDenied");
    const head = await fetch(`${app.url}/?batchJob`, { method: "HEAD" });
    assert.equal(head.status, 403);
    assert.ok(head.headers.get("x-oss-request-id"));
  });

  it("leaves /healthz, /metrics and COS /jobs alone", async () => {
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    assert.equal(health.headers.get("x-oss-request-id"), null);
    const metrics = await fetch(`${app.url}/metrics`);
    assert.equal(metrics.status, 200);
    const cos = await fetch(`${app.url}/jobs`);
    assert.equal(cos.status, 403);
    assert.match(await cos.text(), /<TraceId>/, "a COS error, not an OSS one");
    assert.equal(cos.headers.get("x-oss-request-id"), null);
  });
});

describe("OSS routes: the official SDK's own HTTP client", () => {
  for (const v4 of [false, true]) {
    it(`creates, lists, describes, reprioritises and cancels a job (${v4 ? "V4" : "V1"} signatures)`, async () => {
      const created = await ossSdkRequest(app.url, {
        method: "POST",
        subres: "batchJob",
        body: ossCreateJobBody({ token: `sdk-${v4}` }),
        v4,
      });
      assert.equal(created.status, 200, created.text);
      const jobId: string = created.xml.CreateJobResult.JobId;
      const listed = await ossSdkRequest(app.url, {
        method: "GET",
        subres: "batchJob",
        query: { batchJobStatuses: "New | Active", "max-keys": "1000" },
        v4,
      });
      assert.ok(listed.xml.ListJobsResult.Jobs.JobListDescriptor.some((j: { JobId: string }) => j.JobId === jobId));
      const described = await ossSdkRequest(app.url, {
        method: "GET",
        subres: "batchJob",
        query: { batchJobId: jobId },
        v4,
      });
      assert.equal(described.xml.DescribeJobResult.Job.JobId, jobId);
      const prio = await ossSdkRequest(app.url, {
        method: "POST",
        subres: "batchJobPriority",
        query: { batchJobId: jobId, targetPriority: "99" },
        v4,
      });
      assert.equal(prio.xml.UpdateJobPriorityResult.Priority, "99");
      const cancelled = await ossSdkRequest(app.url, {
        method: "POST",
        subres: "batchJobStatus",
        query: { batchJobId: jobId, requestedJobStatus: "Cancelled", statusUpdateReason: "done" },
        v4,
      });
      assert.equal(cancelled.xml.UpdateJobStatusResult.Status, "Cancelling");
    });
  }

  it("surfaces OSS errors through the SDK as its own errors, EC included", async () => {
    const client = ossClient(app.url) as unknown as { request(p: object): Promise<unknown> };
    await assert.rejects(
      client.request({ method: "GET", subres: "batchJob", query: { batchJobId: "a/b" }, successStatuses: [200] }),
      (e: { status: number; code: string; ecCode: string; requestId: string }) =>
        e.status === 400 &&
        e.code === "InvalidArgument" &&
        e.ecCode === "0017-00001002" &&
        /^[0-9A-F]{24}$/.test(e.requestId),
    );
    await assert.rejects(
      client.request({
        method: "GET",
        subres: "batchJob",
        query: { batchJobId: "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=" },
        successStatuses: [200],
      }),
      (e: { status: number; code: string }) => e.status === 404 && e.code === "NoSuchJob",
    );
  });
});

describe("OSS routes: unexpected failures", () => {
  it("turns an unexpected exception into a logged 500 InternalError in OSS form", async () => {
    const logged: unknown[] = [];
    const failing = new Proxy({} as JobServiceApi, {
      get: () => async () => {
        throw new TypeError("store exploded");
      },
    });
    const accounts = new StaticAccountRegistry([
      {
        id: "1",
        keys: [{ accessKeyId: ROOT_OSS.accessKeyId, secretAccessKey: ROOT_OSS.accessKeySecret }],
        buckets: ["*"],
      },
    ]);
    const broken = Fastify({
      logger: { level: "error", stream: { write: (line: string) => void logged.push(JSON.parse(line)) } },
    });
    const testLedger = await sqliteTestLedger();
    await broken.register(ossRoutes({ service: failing, accounts, signatureLedger: testLedger.ledger }));
    await broken.listen({ host: "127.0.0.1", port: 0 });
    try {
      const url = `http://127.0.0.1:${(broken.server.address() as AddressInfo).port}`;
      const r = await ossRequest(url, { subres: "batchJob" });
      assertOssError(r, 500, "InternalError");
      assert.ok(!r.text.includes("store exploded"), "internal details stay in the log");
      assert.ok(JSON.stringify(logged).includes("store exploded"), "the error was logged");
      const injected = await broken.inject({ method: "GET", url: "/?batchJob" });
      assert.equal(injected.statusCode, 403);
      assert.equal(parseXml(injected.body).Error.Code, "AccessDenied");
    } finally {
      await broken.close();
      await testLedger.dispose();
    }
  });
});
