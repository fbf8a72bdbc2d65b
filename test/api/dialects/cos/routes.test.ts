/**
 * The COS routes end to end over real HTTP: the real JobService on a real SQLite store, requests signed by the
 * official COS SDK (its offline signer, and its own HTTP client for a few calls). The engine does not run, so
 * jobs stay where the API puts them.
 *
 * Over 400 lines: every route of one API, end to end, shares one server, its accounts and its helpers; each
 * describe is one group of operations.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import COS from "cos-nodejs-sdk-v5";
import Fastify, { type FastifyInstance } from "fastify";
import { StaticAccountRegistry } from "../../../../src/accounts/types.js";
import { cosRoutes } from "../../../../src/api/dialects/cos/routes.js";
import { JobService } from "../../../../src/service/job-service.js";
import type { JobServiceApi } from "../../../../src/service/types.js";
import { type CosAnswer, type CosCall, type Credentials, cosCall } from "../../../helpers/cos-http.js";
import { inChunks, type RawAnswer, rawHttpRequest } from "../../../helpers/raw-http.js";
import { sqliteTestLedger, type TestLedger } from "../../../helpers/signature-ledger.js";
import { sqliteTestStore, type TestStore } from "../../../helpers/stores.js";
import { SEED_CREATE_JOB_BODY } from "../../fixtures/cos-seeds.js";

const ROOT: Credentials = { appId: "1250000000", secretId: "AKIDroutesroot000000001", secretKey: "routes-root-secret" };
const OTHER: Credentials = {
  appId: "1250000001",
  secretId: "AKIDroutesother00000002",
  secretKey: "routes-other-secret",
};
const accounts = new StaticAccountRegistry([
  { id: ROOT.appId, keys: [{ accessKeyId: ROOT.secretId, secretAccessKey: ROOT.secretKey }], buckets: ["*"] },
  { id: OTHER.appId, keys: [{ accessKeyId: OTHER.secretId, secretAccessKey: OTHER.secretKey }], buckets: ["*"] },
]);
const MAX_BODY = 64 * 1024;

let testStore: TestStore;
let testLedger: TestLedger;
let app: FastifyInstance;
let base: string;

const call = (method: string, path: string, options: CosCall = {}) => cosCall(base, ROOT, method, path, options);
const body = (token: string, priority = 10) =>
  SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, `<ClientRequestToken>${token}<`).replace(
    "<Priority>10<",
    `<Priority>${priority}<`,
  );

async function createJob(token: string, priority = 10, credentials = ROOT): Promise<string> {
  const r = await call("POST", "/jobs", {
    body: body(token, priority),
    headers: { "content-type": "application/xml" },
    credentials,
  });
  assert.equal(r.status, 200, r.text);
  return r.xml.CreateJobResult.JobId;
}

function assertCosError(r: CosAnswer, status: number, code: string, message?: RegExp | string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get("content-type"), "application/xml");
  const e = r.xml.Error;
  assert.ok(e, `an <Error> body: ${r.text}`);
  assert.equal(e.Code, code);
  if (typeof message === "string") assert.equal(e.Message, message);
  else if (message) assert.match(e.Message, message);
  assert.ok(e.RequestId && e.RequestId === r.headers.get("x-cos-request-id"), "RequestId matches x-cos-request-id");
  assert.ok(e.TraceId);
  assert.equal(typeof e.Resource, "string");
}

/**
 * A raw HTTP request, for what fetch cannot send (no Content-Type, chunked bodies, odd headers). A body goes with
 * its signed Content-MD5, so that two bodies signed in the same second do not share a signature.
 */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: (string | Buffer)[],
): Promise<RawAnswer> {
  const url = new URL(path, base);
  const signed: Record<string, string> = { "x-cos-appid": ROOT.appId };
  if (chunks.length > 0) {
    signed["content-md5"] = createHash("md5")
      .update(Buffer.concat(chunks.map((c) => Buffer.from(c))))
      .digest("base64");
  }
  const authorization = COS.getAuthorization({
    SecretId: ROOT.secretId,
    SecretKey: ROOT.secretKey,
    Method: method as COS.Method,
    Pathname: url.pathname,
    Query: Object.fromEntries(url.searchParams),
    Headers: { host: url.host, ...signed },
  });
  return rawHttpRequest(url, { method, headers: { ...signed, authorization, ...headers } }, inChunks(chunks));
}

before(async () => {
  testStore = await sqliteTestStore();
  testLedger = await sqliteTestLedger();
  const service = new JobService({ store: testStore.store, accounts, maxUnfinishedJobs: 1000 });
  app = Fastify({ logger: false });
  await app.register(cosRoutes({ service, accounts, signatureLedger: testLedger.ledger, maxBodyBytes: MAX_BODY }));
  // Neighbours on the same instance, as the other dialects will be: their parsing and errors stay their own.
  await app.register(async (other) => {
    other.post("/v20180820/jobs", async (request) => ({ got: request.body }));
    other.setErrorHandler((_e, _req, reply) => reply.code(418).send({ neighbour: true }));
    other.get("/v20180820/fail", async () => {
      throw new Error("boom");
    });
  });
  app.post("/json-echo", async (request) => ({ echoed: request.body }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

after(async () => {
  await app.close();
  await testStore.dispose();
  await testLedger.dispose();
});

describe("COS routes: CreateJob and DescribeJob", () => {
  it("creates the seed 003 job and describes it", async () => {
    const r = await call("POST", "/jobs", {
      body: SEED_CREATE_JOB_BODY,
      headers: { "content-type": "application/xml" },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("content-type"), "application/xml");
    assert.ok(r.headers.get("x-cos-request-id"));
    assert.ok(r.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><CreateJobResult><JobId>'));
    const jobId: string = r.xml.CreateJobResult.JobId;
    assert.match(jobId, /^[0-9a-f-]{36}$/);

    const d = await call("GET", `/jobs/${jobId}`);
    assert.equal(d.status, 200, d.text);
    const job = d.xml.DescribeJobResult.Job;
    assert.equal(job.JobId, jobId);
    assert.equal(job.Status, "New");
    assert.equal(job.Priority, "10");
    assert.equal(job.ConfirmationRequired, "false");
    assert.equal(job.Description, "example-job");
    assert.match(job.CreationTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(job.Manifest.Location.ETag, '"15150651828fa9cdcb8356b6d1c7638b"');
    assert.equal(
      job.Manifest.Location.ObjectArn,
      "qcs::cos:ap-chengdu::sourcebucket-1250000000/manifests/batch-copy-manifest.csv",
    );
    assert.deepEqual(job.Manifest.Spec.Fields.member, ["Bucket", "Key"]);
    assert.equal(
      job.Operation.COSPutObjectCopy.TargetResource,
      "qcs::cos:ap-chengdu:uid/1250000000:destinationbucket-1250000000",
    );
    assert.equal(job.Report.Prefix, "job-result");
    assert.equal(job.RoleArn, "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole");
  });

  it("answers a reused ClientRequestToken with Duplicate request.", async () => {
    await createJob("dup-token");
    const r = await call("POST", "/jobs", { body: body("dup-token"), headers: { "content-type": "application/xml" } });
    assertCosError(r, 400, "InvalidRequest", "Duplicate request.");
  });

  it("reads the body whatever its Content-Type, or without one", async () => {
    for (const contentType of ["text/plain", "application/json", "application/octet-stream; charset=binary"]) {
      const r = await call("POST", "/jobs", {
        body: body(`ct-${contentType}`),
        headers: { "content-type": contentType },
      });
      assert.equal(r.status, 200, `${contentType}: ${r.text}`);
    }
    const r = await raw("POST", "/jobs", { "content-length": String(Buffer.byteLength(body("no-ct"))) }, [
      body("no-ct"),
    ]);
    assert.equal(r.status, 200, r.text);
    const chunked = await raw("POST", "/jobs", { "transfer-encoding": "chunked" }, [
      body("chunked").slice(0, 100),
      body("chunked").slice(100),
    ]);
    assert.equal(chunked.status, 200, chunked.text);
  });

  it("checks Content-MD5 when it is sent", async () => {
    const b = body("md5-ok");
    const md5 = createHash("md5").update(b).digest("base64");
    const ok = await call("POST", "/jobs", { body: b, headers: { "content-md5": md5 } });
    assert.equal(ok.status, 200, ok.text);
    const bad = await call("POST", "/jobs", { body: body("md5-bad"), headers: { "content-md5": md5 } });
    assertCosError(bad, 400, "InvalidDigest", /Content-MD5/);
    const garbage = await call("POST", "/jobs", { body: body("md5-garbage"), headers: { "content-md5": "nope" } });
    assertCosError(garbage, 400, "InvalidDigest", /Content-MD5/);
  });

  it("answers bad bodies with COS errors", async () => {
    assertCosError(await call("POST", "/jobs"), 400, "InvalidRequest", "The request body is empty.");
    assertCosError(await call("POST", "/jobs", { body: "<CreateJobRequest>" }), 400, "MalformedXML");
    assertCosError(
      await call("POST", "/jobs", { body: body("p").replace("<Priority>10<", "<Priority>10.5<") }),
      400,
      "InvalidRequest",
      "Priority must be an integer between 0 and 2147483647.",
    );
    assertCosError(
      await call("POST", "/jobs", { body: body("op").replace(/<Operation>.*<\/Operation>/, "<Operation/>") }),
      400,
      "MalformedXML",
      /Operation/,
    );
    assertCosError(
      await call("POST", "/jobs", { body: `<!DOCTYPE x [<!ENTITY a "b">]>${body("dtd")}` }),
      400,
      "MalformedXML",
      /DOCTYPE/,
    );
  });

  it("refuses bodies over the limit with EntityTooLarge, announced or chunked", async () => {
    const big = `<CreateJobRequest><Description>${"x".repeat(MAX_BODY)}</Description></CreateJobRequest>`;
    assertCosError(await call("POST", "/jobs", { body: big }), 400, "EntityTooLarge");
    const chunked = await raw("POST", "/jobs", { "transfer-encoding": "chunked" }, [
      big.slice(0, 1000),
      big.slice(1000),
    ]);
    assert.equal(chunked.status, 400, chunked.text);
    assert.match(chunked.text, /<Code>EntityTooLarge<\/Code>/);
  });

  it("answers an unknown job, and another account's job, with NoSuchJob", async () => {
    assertCosError(await call("GET", "/jobs/00000000-0000-0000-0000-000000000000"), 404, "NoSuchJob");
    const jobId = await createJob("other-account-job", 10, OTHER);
    assertCosError(await call("GET", `/jobs/${jobId}`), 404, "NoSuchJob");
    const own = await cosCall(base, OTHER, "GET", `/jobs/${jobId}`);
    assert.equal(own.status, 200, own.text);
    assertCosError(await call("GET", `/jobs/${"x".repeat(65)}`), 404, "NoSuchJob");
  });
});

describe("COS routes: ListJobs", () => {
  let jobs: string[];
  before(async () => {
    jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await createJob(`list-${i}`, i, OTHER));
  });
  const list = (query: Record<string, string | string[]>) => cosCall(base, OTHER, "GET", "/jobs", { query });

  it("pages newest first with NextToken until the last page", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await list({ maxResults: "2", ...(token ? { nextToken: token } : {}) });
      assert.equal(r.status, 200, r.text);
      const members = r.xml.ListJobsResult.Jobs?.member ?? [];
      seen.push(...members.map((m: { JobId: string }) => m.JobId));
      token = r.xml.ListJobsResult.NextToken;
      if (token) assert.equal(token, members.at(-1).JobId);
      pages++;
    } while (token);
    // OTHER also owns the job of the NoSuchJob test.
    assert.equal(seen.length, 6);
    assert.ok(pages >= 3);
    for (const id of jobs) assert.ok(seen.includes(id));
    const all = await list({});
    assert.equal(all.xml.ListJobsResult.NextToken, undefined);
    const m = all.xml.ListJobsResult.Jobs.member[0];
    assert.equal(m.Operation, "COSPutObjectCopy");
    assert.deepEqual(Object.keys(m.ProgressSummary), [
      "NumberOfTasksFailed",
      "NumberOfTasksSucceeded",
      "TotalNumberOfTasks",
    ]);
  });

  it("filters by jobStatuses, comma-separated or repeated", async () => {
    await cosCall(base, OTHER, "POST", `/jobs/${jobs[0]}/status`, { query: { requestedJobStatus: "Cancelled" } });
    const count = async (query: Record<string, string | string[]>) => {
      const r = await list(query);
      assert.equal(r.status, 200, r.text);
      return (r.xml.ListJobsResult.Jobs?.member ?? []).length;
    };
    assert.equal(await count({ jobStatuses: "Cancelling" }), 1);
    assert.equal(await count({ jobStatuses: "New" }), 5);
    assert.equal(await count({ jobStatuses: "New,Cancelling" }), 6);
    assert.equal(await count({ jobStatuses: ["Cancelling", "New"] }), 6);
    assert.equal(await count({ jobStatuses: "Active,Complete" }), 0);
    assert.equal(await count({ jobStatuses: "" }), 6);
  });

  it("rejects bad parameters with InvalidArgument", async () => {
    assertCosError(await list({ jobStatuses: "Running" }), 400, "InvalidArgument", /jobStatuses/);
    assertCosError(await list({ jobStatuses: "New,,Active" }), 400, "InvalidArgument", /jobStatuses/);
    for (const bad of ["0", "1001", "abc", "1.5", "-1", ""]) {
      assertCosError(await list({ maxResults: bad }), 400, "InvalidArgument", /maxResults/);
    }
    assertCosError(await list({ nextToken: "n".repeat(65) }), 400, "InvalidArgument", /nextToken/);
    assertCosError(await list({ nextToken: "" }), 400, "InvalidArgument", /nextToken/);
    assertCosError(await list({ nextToken: "no-such-job" }), 400, "InvalidArgument");
  });
});

describe("COS routes: UpdateJobPriority, UpdateJobStatus, DeleteJob", () => {
  it("updates the priority", async () => {
    const jobId = await createJob("prio");
    const r = await call("POST", `/jobs/${jobId}/priority`, { query: { priority: "2147483647" } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.xml.UpdateJobPriorityResult, { JobId: jobId, Priority: "2147483647" });
    assertCosError(
      await call("POST", `/jobs/${jobId}/priority`, { query: { priority: "2147483648" } }),
      400,
      "InvalidArgument",
      "Priority must be an integer between 0 and 2147483647.",
    );
    assertCosError(
      await call("POST", `/jobs/${jobId}/priority`, { query: { priority: "-1" } }),
      400,
      "InvalidArgument",
    );
    assertCosError(await call("POST", `/jobs/${jobId}/priority`), 400, "InvalidRequest", /priority/);
    assertCosError(await call("POST", "/jobs/no-such-job/priority", { query: { priority: "1" } }), 404, "NoSuchJob");
  });

  it("cancels a job and refuses illegal changes", async () => {
    const jobId = await createJob("status");
    const reason = "no longer needed – 取消 (ok)";
    const r = await call("POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Cancelled", statusUpdateReason: reason },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.xml.UpdateJobStatusResult, { JobId: jobId, Status: "Cancelling", StatusUpdateReason: reason });
    assertCosError(
      await call("POST", `/jobs/${jobId}/status`, { query: { requestedJobStatus: "Ready" } }),
      400,
      "InvalidRequest",
      /status change/,
    );
    assertCosError(
      await call("POST", `/jobs/${jobId}/status`, { query: { requestedJobStatus: "Paused" } }),
      400,
      "InvalidRequest",
      /Cancelling to Paused/,
    );
    assertCosError(await call("POST", `/jobs/${jobId}/status`), 400, "InvalidArgument", /requestedJobStatus/);
    assertCosError(
      await call("POST", `/jobs/${jobId}/status`, { query: { requestedJobStatus: "Active" } }),
      400,
      "InvalidArgument",
      /requestedJobStatus/,
    );
    assertCosError(
      await call("POST", `/jobs/${jobId}/status`, {
        query: { requestedJobStatus: "Cancelled", statusUpdateReason: "r".repeat(257) },
      }),
      400,
      "InvalidArgument",
      /statusUpdateReason/,
    );
  });

  it("deletes only finished jobs", async () => {
    const jobId = await createJob("delete");
    assertCosError(await call("DELETE", `/jobs/${jobId}`), 400, "InvalidRequest", /finished job/);
    await call("POST", `/jobs/${jobId}/status`, { query: { requestedJobStatus: "Cancelled" } });
    assert.ok(await testStore.store.transition(jobId, "Cancelling", "Cancelled", Date.now()));
    const r = await call("DELETE", `/jobs/${jobId}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, "");
    assertCosError(await call("GET", `/jobs/${jobId}`), 404, "NoSuchJob");
    assertCosError(await call("DELETE", `/jobs/${jobId}`), 404, "NoSuchJob");
  });

  it("answers other methods with MethodNotAllowed", async () => {
    assertCosError(await call("PUT", "/jobs"), 405, "MethodNotAllowed");
    assertCosError(await call("POST", "/jobs/x"), 405, "MethodNotAllowed");
    assertCosError(await call("GET", "/jobs/x/priority"), 405, "MethodNotAllowed");
  });
});

describe("COS routes: authentication", () => {
  it("requires a signature", async () => {
    assertCosError(await call("GET", "/jobs", { unsigned: true }), 403, "AccessDenied");
  });

  it("rejects a wrong secret, an unknown key and tampering", async () => {
    assertCosError(
      await call("GET", "/jobs", { credentials: { ...ROOT, secretKey: "wrong" } }),
      403,
      "SignatureDoesNotMatch",
    );
    assertCosError(
      await call("GET", "/jobs", { credentials: { ...ROOT, secretId: "AKIDunknown" } }),
      403,
      "InvalidAccessKeyId",
    );
    const tamperedQuery = await call("GET", "/jobs", {
      query: { maxResults: "1" },
      afterSigning: (url) => url.searchParams.set("maxResults", "1000"),
    });
    assertCosError(tamperedQuery, 403, "SignatureDoesNotMatch");
    const addedQuery = await call("GET", "/jobs", { afterSigning: (url) => url.searchParams.set("maxResults", "1") });
    assertCosError(addedQuery, 403, "AccessDenied", /not covered/);
    const otherPath = await call("GET", "/jobs/a", { afterSigning: (url) => (url.pathname = "/jobs/b") });
    assertCosError(otherPath, 403, "SignatureDoesNotMatch");
  });

  it("answers an expired signature as COS does, with a Date header the SDK can correct its clock from", async () => {
    const old = Math.floor(Date.now() / 1000) - 7200;
    const r = await call("GET", "/jobs", { keyTime: `${old};${old + 900}` });
    assertCosError(r, 403, "AccessDenied", "Request has expired");
    assert.ok(r.headers.get("date"));
    const future = Math.floor(Date.now() / 1000) + 7200;
    assertCosError(
      await call("GET", "/jobs", { keyTime: `${future};${future + 900}` }),
      403,
      "AccessDenied",
      "Request has expired",
    );
  });

  it("requires x-cos-appid, and it must be the signing account's", async () => {
    assertCosError(await call("GET", "/jobs", { noAppId: true }), 400, "InvalidArgument", /x-cos-appid/);
    assertCosError(
      await call("GET", "/jobs", { headers: { "x-cos-appid": OTHER.appId } }),
      403,
      "AccessDenied",
      /x-cos-appid/,
    );
    assertCosError(await call("GET", "/jobs", { headers: { "x-cos-appid": "9".repeat(65) } }), 400, "InvalidArgument");
  });
});

describe("COS routes: the official SDK's own HTTP client", () => {
  const sdk = (options: Partial<COS.COSOptions> = {}) =>
    new COS({ SecretId: ROOT.secretId, SecretKey: ROOT.secretKey, Protocol: "http:", ...options });

  it("creates, lists and describes a job, and sees COS errors as COS errors", async () => {
    const cos = sdk();
    const created = await cos.request({
      Method: "POST",
      Url: `${base}/jobs`,
      Headers: { "x-cos-appid": ROOT.appId, "Content-Type": "application/xml" },
      Body: body("sdk-create"),
    });
    // The SDK parses application/xml answers itself and takes RequestId from x-cos-request-id.
    const answer = created as unknown as { CreateJobResult: { JobId: string }; RequestId: string };
    const jobId = answer.CreateJobResult.JobId;
    assert.match(jobId, /^[0-9a-f-]{36}$/);
    assert.ok(answer.RequestId);
    const listed = await cos.request({
      Method: "GET",
      Url: `${base}/jobs`,
      Query: { maxResults: "1000", jobStatuses: "New" },
      Headers: { "x-cos-appid": ROOT.appId },
    });
    const jobs = (
      listed as unknown as { ListJobsResult: { Jobs: { member: { JobId: string } | { JobId: string }[] } } }
    ).ListJobsResult.Jobs.member;
    assert.ok([jobs].flat().some((m) => m.JobId === jobId));
    await assert.rejects(
      cos.request({ Method: "GET", Url: `${base}/jobs/no-such-job`, Headers: { "x-cos-appid": ROOT.appId } }),
      (e: COS.CosError) => e !== null && e.statusCode === 404 && e.code === "NoSuchJob",
    );
  });

  it("recovers from a skewed client clock the way the SDK expects", async () => {
    const cos = sdk({ SystemClockOffset: -2 * 3600 * 1000 });
    const r = await cos.request({ Method: "GET", Url: `${base}/jobs`, Headers: { "x-cos-appid": ROOT.appId } });
    assert.equal(r.statusCode, 200);
  });
});

describe("COS routes: isolation and failures", () => {
  it("leaves other plugins' parsing and error handling alone", async () => {
    const json = await fetch(`${base}/json-echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    assert.deepEqual(await json.json(), { echoed: { a: 1 } });
    const s3 = await fetch(`${base}/v20180820/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"b":2}',
    });
    assert.deepEqual(await s3.json(), { got: { b: 2 } });
    assert.equal(s3.headers.get("x-cos-request-id"), null);
    const failing = await fetch(`${base}/v20180820/fail`);
    assert.equal(failing.status, 418);
  });

  it("turns an unexpected exception into a logged 500 InternalError in COS format", async () => {
    const logged: unknown[] = [];
    const failing = new Proxy({} as JobServiceApi, {
      get: () => async () => {
        throw new TypeError("store exploded");
      },
    });
    const broken = Fastify({
      logger: { level: "error", stream: { write: (line: string) => void logged.push(JSON.parse(line)) } },
    });
    await broken.register(cosRoutes({ service: failing, accounts, signatureLedger: testLedger.ledger }));
    await broken.listen({ host: "127.0.0.1", port: 0 });
    try {
      const url = `http://127.0.0.1:${(broken.server.address() as AddressInfo).port}`;
      const r = await cosCall(url, ROOT, "GET", "/jobs");
      assertCosError(r, 500, "InternalError");
      assert.ok(!r.text.includes("store exploded"), "internal details stay in the log");
      assert.ok(JSON.stringify(logged).includes("store exploded"), "the error was logged");
    } finally {
      await broken.close();
    }
  });

  it("answers through app.inject too (no network)", async () => {
    const r = await app.inject({ method: "GET", url: "/jobs" });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /<Code>AccessDenied<\/Code>/);
    assert.equal(r.headers["content-type"], "application/xml");
  });
});
