/**
 * A signature is good for the request it signed and nothing else (docs/decisions.md D15), over real HTTP through
 * a real objbatch (startTestApp, engine off), with requests signed by the official signers (cos-nodejs-sdk-v5,
 * ali-oss). A captured request is replayed with another body or other parameters, on the same server and on a
 * second server sharing the PostgreSQL store: it is refused, and nothing changes. An identical retry passes.
 * Turning V1 off: signature-policy.test.ts.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import COS from "cos-nodejs-sdk-v5";
import { XMLParser } from "fast-xml-parser";
import { startTestApp, type TestApp } from "../../helpers/app.js";
import { cosRequest, ROOT_COS } from "../../helpers/cos-client.js";
import { type OssCall, ossClient, ossCreateJobBody, ossRequest, ossSign } from "../../helpers/oss-client.js";
import { rawHttpRequest } from "../../helpers/raw-http.js";
import { signedCall } from "../../helpers/s3control-client.js";
import { createPgDatabase } from "../../helpers/stores.js";
import { SEED_CREATE_JOB_BODY } from "../fixtures/cos-seeds.js";

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (n) => n === "member" });

interface Answer {
  readonly status: number;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML of any shape
  readonly xml: any;
}

/**
 * A request as a client put it on the wire: URL, method and headers (Authorization and the Host it was sent to
 * included), to be sent again at will, with another body, another query or to another server.
 */
interface Captured {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
}

/** Sends the captured request with `body`, to `base` (default its own server), with `search` as its query. */
async function send(c: Captured, body?: string, base?: string, search?: string): Promise<Answer> {
  const url = new URL(c.url.pathname + (search ?? c.url.search), base ?? c.url);
  const headers = {
    host: c.url.host,
    ...c.headers,
    ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
  };
  const r = await rawHttpRequest(url, { method: c.method, headers }, (req) => req.end(body));
  return { status: r.status, text: r.text, xml: r.text ? parser.parse(r.text) : undefined };
}

/** An OSS request signed by ali-oss's signer, captured. */
function ossCaptured(base: string, call: OssCall): Captured {
  const { url, headers } = ossSign(base, call);
  const { host: _host, ...rest } = headers;
  return { url, method: call.method ?? "GET", headers: rest };
}

/** A distinct signing time for each capture (seconds back from now), so no two tests share a signature. */
let nextSecondsBack = 1;
function distinctTime(): Date {
  return new Date(Date.now() - 1000 * nextSecondsBack++);
}

function distinctKeyTime(): string {
  const now = Math.floor(distinctTime().getTime() / 1000);
  return `${now};${now + 900}`;
}

/** A COS request signed like `cos.request` signs it: the given headers, no Content-MD5 unless among them. */
function cosCaptured(
  base: string,
  method: string,
  path: string,
  options: { query?: Record<string, string>; headers?: Record<string, string>; keyTime?: string } = {},
): Captured {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers = { "x-cos-appid": ROOT_COS.appId, ...options.headers };
  const authorization = COS.getAuthorization({
    SecretId: ROOT_COS.secretId,
    SecretKey: ROOT_COS.secretKey,
    Method: method as COS.Method,
    Pathname: url.pathname,
    Query: options.query ?? {},
    Headers: { host: url.host, ...headers },
    ...(options.keyTime !== undefined ? { KeyTime: options.keyTime } : {}),
  });
  return { url, method, headers: { ...headers, authorization } };
}

function cosBody(token: string, operation: string, priority: number): string {
  return SEED_CREATE_JOB_BODY.replace(/<ClientRequestToken>[^<]*</, `<ClientRequestToken>${token}<`)
    .replace(/<Operation>.*<\/Operation>/, `<Operation>${operation}</Operation>`)
    .replace("<Priority>10<", `<Priority>${priority}<`);
}

const COPY =
  "<COSPutObjectCopy><TargetResource>qcs::cos:ap-chengdu:uid/1250000000:destinationbucket-1250000000</TargetResource></COSPutObjectCopy>";
const DELETE = "<COSDeleteObject/>";
const TOP = 2147483647;

async function cosJobs(base: string): Promise<{ JobId: string; Operation: string; Priority: string }[]> {
  const c = cosCaptured(base, "GET", "/jobs");
  const r = await send(c);
  assert.equal(r.status, 200, r.text);
  return r.xml.ListJobsResult.Jobs?.member ?? [];
}

/** Creates a job with a body whose Content-MD5 is signed, as the COS SDKs send it. */
async function createCosJob(base: string, token: string): Promise<string> {
  const r = await cosRequest(base, "POST", "/jobs", { body: cosBody(token, COPY, 10) });
  assert.equal(r.status, 200, r.text);
  return r.xml.CreateJobResult.JobId;
}

function assertRefusedAsReplay(r: Answer, root: "cos" | "oss"): void {
  assert.equal(r.status, 403, r.text);
  const e = r.xml.Error;
  assert.equal(e.Code, "AccessDenied", r.text);
  assert.match(e.Message, /already used for a different request/);
  if (root === "oss") assert.match(e.Message, /V1 signature covers only the sub-resource|sign its body/);
}

let server: TestApp;

before(async () => {
  server = await startTestApp({ runEngine: false });
});

after(() => server.dispose());

describe("COS: a signature is bound to the body it first came with", () => {
  it("refuses a captured CreateJob replayed with a COSDeleteObject body at top priority, twice", async () => {
    const captured = cosCaptured(server.url, "POST", "/jobs", {
      headers: { "content-type": "application/xml" },
      keyTime: distinctKeyTime(),
    });
    const first = await send(captured, cosBody("replay-cos-copy", COPY, 10));
    assert.equal(first.status, 200, first.text);
    for (let i = 0; i < 2; i++) {
      assertRefusedAsReplay(await send(captured, cosBody(`replay-cos-del-${i}`, DELETE, TOP)), "cos");
    }
    const jobs = (await cosJobs(server.url)).filter((j) => j.JobId !== undefined);
    assert.deepEqual(
      jobs.filter((j) => j.Operation === "COSDeleteObject"),
      [],
      "no delete job was created",
    );
    assert.ok(jobs.some((j) => j.JobId === first.xml.CreateJobResult.JobId && j.Operation === "COSPutObjectCopy"));
  });

  it("lets an identical retry through, and refuses the same signature with a body added", async () => {
    const jobId = await createCosJob(server.url, "retry-cos");
    const priority = cosCaptured(server.url, "POST", `/jobs/${jobId}/priority`, { query: { priority: "42" } });
    for (let i = 0; i < 2; i++) {
      const r = await send(priority);
      assert.equal(r.status, 200, `identical retry ${i}: ${r.text}`);
    }
    assertRefusedAsReplay(await send(priority, "<anything/>"), "cos");
  });

  it("refuses a ten-year q-sign-time / q-key-time window", async () => {
    const now = Math.floor(Date.now() / 1000);
    const captured = cosCaptured(server.url, "GET", "/jobs", { keyTime: `${now - 60};${now + 10 * 365 * 86400}` });
    const r = await send(captured);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.xml.Error.Code, "AccessDenied");
    assert.match(r.xml.Error.Message, /spans \d+ seconds; this server accepts at most 86400/);
  });

  it("requires a Content-MD5 header to be signed, and then checks the body against it", async () => {
    const body = cosBody("md5-unsigned", COPY, 10);
    const md5 = createHash("md5").update(body).digest("base64");
    const unsigned = cosCaptured(server.url, "POST", "/jobs", {
      headers: { "content-type": "application/xml" },
      keyTime: distinctKeyTime(),
    });
    const r = await send({ ...unsigned, headers: { ...unsigned.headers, "content-md5": md5 } }, body);
    assert.equal(r.status, 403, r.text);
    assert.match(r.xml.Error.Message, /Content-MD5 header must be signed/);
    const signed = cosCaptured(server.url, "POST", "/jobs", {
      headers: { "content-type": "application/xml", "content-md5": md5 },
    });
    assert.equal((await send(signed, body)).status, 200);
    const swapped = await send(signed, cosBody("md5-swappd", COPY, 10));
    assert.equal(swapped.status, 400, swapped.text);
    assert.equal(swapped.xml.Error.Code, "InvalidDigest");
  });

  it("keeps the official SDK's own client working, body after body", async () => {
    const cos = new COS({ SecretId: ROOT_COS.secretId, SecretKey: ROOT_COS.secretKey, Protocol: "http:" });
    // Same length, same second: only the signed Content-MD5 tells the two signatures apart.
    for (const token of ["sdk-body-a", "sdk-body-b"]) {
      const body = cosBody(token, COPY, 10);
      const created = (await cos.request({
        Method: "POST",
        Url: `${server.url}/jobs`,
        Headers: {
          "x-cos-appid": ROOT_COS.appId,
          "Content-Type": "application/xml",
          "Content-MD5": createHash("md5").update(body).digest("base64"),
        },
        Body: body,
      })) as unknown as { CreateJobResult: { JobId: string } };
      assert.match(created.CreateJobResult.JobId, /^[0-9a-f-]{36}$/);
    }
  });
});

describe("OSS: a V1 signature is good for the one request it was first seen with", () => {
  async function createOssJob(token: string, base = server.url): Promise<string> {
    const r = await ossRequest(base, { method: "POST", subres: "batchJob", body: ossCreateJobBody({ token }) });
    assert.equal(r.status, 200, r.text);
    return r.xml.CreateJobResult.JobId;
  }

  async function ossJob(jobId: string, base = server.url): Promise<{ Status: string; Priority: string }> {
    const r = await ossRequest(base, { subres: "batchJob", query: { batchJobId: jobId }, v4: true });
    assert.equal(r.status, 200, r.text);
    return r.xml.DescribeJobResult.Job;
  }

  it("refuses a batchJobStatus Ready for job X replayed as Cancelled for job Y", async () => {
    const x = await createOssJob("v1-replay-x");
    const y = await createOssJob("v1-replay-y");
    const captured = ossCaptured(server.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: x, requestedJobStatus: "Ready" },
      date: distinctTime(),
    });
    // X is New: Ready is refused by OSS's status rules, but the signature is now bound to this request.
    const first = await send(captured);
    assert.equal(first.status, 400, first.text);
    const search = `?batchJobStatus&batchJobId=${y}&requestedJobStatus=Cancelled&statusUpdateReason=replayed`;
    assertRefusedAsReplay(await send(captured, undefined, undefined, search), "oss");
    assert.equal((await ossJob(y)).Status, "New", "job Y was not cancelled");
  });

  it("lets an identical retry through, and refuses another priority under the same signature", async () => {
    const x = await createOssJob("v1-retry-x");
    const captured = ossCaptured(server.url, {
      method: "POST",
      subres: "batchJobPriority",
      query: { batchJobId: x, targetPriority: "7" },
      date: distinctTime(),
    });
    for (let i = 0; i < 2; i++) assert.equal((await send(captured)).status, 200, `identical retry ${i}`);
    const search = `?batchJobPriority&batchJobId=${x}&targetPriority=${TOP}`;
    assertRefusedAsReplay(await send(captured, undefined, undefined, search), "oss");
    assert.equal((await ossJob(x)).Priority, "7");
  });

  it("binds a V4 CreateJob whose body is unsigned (UNSIGNED-PAYLOAD, no Content-MD5)", async () => {
    const captured = ossCaptured(server.url, { method: "POST", subres: "batchJob", v4: true, date: distinctTime() });
    assert.equal(captured.headers["x-oss-content-sha256"], "UNSIGNED-PAYLOAD");
    assert.equal((await send(captured, ossCreateJobBody({ token: "v4-unsigned-a" }))).status, 200);
    const other = ossCreateJobBody({ token: "v4-unsigned-b", operation: "<DeleteObject/>", priority: TOP });
    assertRefusedAsReplay(await send(captured, other), "oss");
  });

  it("leaves V1 clients that sign every parameter (ali-oss `subres` object) unaffected", async () => {
    const x = await createOssJob("v1-all-params");
    const client = ossClient(server.url) as unknown as {
      request(params: object): Promise<{ status: number }>;
    };
    for (const targetPriority of ["1", "2", "3"]) {
      const r = await client.request({
        method: "POST",
        subres: { batchJobPriority: "", batchJobId: x, targetPriority },
        successStatuses: [200],
      });
      assert.equal(r.status, 200);
    }
    assert.equal((await ossJob(x)).Priority, "3");
  });
});

describe("S3 Control: a signature that leaves the body unsigned is bound to its body too", () => {
  const body = (token: string, operation: string, priority: number, description = "d") =>
    `<CreateJobRequest><Description>${description}</Description><Operation>${operation}</Operation><Report><Enabled>false</Enabled></Report>` +
    `<ClientRequestToken>${token}</ClientRequestToken><Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format>` +
    "<Fields><member>Bucket</member><member>Key</member></Fields></Spec><Location><ObjectArn>arn:aws:s3:::src/m.csv</ObjectArn>" +
    `<ETag>e</ETag></Location></Manifest><Priority>${priority}</Priority>` +
    "<RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn></CreateJobRequest>";

  it("refuses a CreateJob signed with UNSIGNED-PAYLOAD replayed with another body; an identical retry passes", async () => {
    const signingDate = distinctTime();
    const first = body("s3c-unsigned-a", "<S3PutObjectTagging><TagSet/></S3PutObjectTagging>", 10);
    const call = {
      method: "POST",
      path: "/v20180820/jobs",
      body: first,
      signingDate,
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    };
    const created = await signedCall(server.url, call);
    assert.equal(created.status, 200, created.text);
    // The signer signs Content-Length too: the replayed body is padded to the same length.
    const shorter = body("s3c-unsigned-b", "<S3DeleteObject/>", TOP, "");
    const replayed = body("s3c-unsigned-b", "<S3DeleteObject/>", TOP, "x".repeat(first.length - shorter.length));
    assert.equal(replayed.length, first.length);
    const replay = await signedCall(server.url, {
      ...call,
      afterSigning: (r) => {
        r.body = Buffer.from(replayed);
        r.headers["content-length"] = String(r.body.length);
      },
    });
    assert.equal(replay.status, 403, replay.text);
    assert.match(replay.text, /<Code>AccessDenied<\/Code>/);
    assert.match(replay.text, /already used for a different request/);
    const retry = await signedCall(server.url, call);
    assert.equal(retry.status, 200, retry.text);
    assert.equal(
      /<JobId>([^<]+)</.exec(retry.text)?.[1],
      /<JobId>([^<]+)</.exec(created.text)?.[1],
      "the same token returns the same job",
    );
  });
});

describe("servers sharing a PostgreSQL store refuse each other's replays", () => {
  let database: { url: string; drop(): Promise<void> };
  let first: TestApp;
  let second: TestApp;
  before(async () => {
    database = await createPgDatabase();
    first = await startTestApp({ storeUrl: database.url, runEngine: false });
    second = await startTestApp({ storeUrl: database.url, runEngine: false });
  });
  after(async () => {
    await first.dispose();
    await second.dispose();
    await database.drop();
  });

  it("COS: a CreateJob accepted by one server is refused with another body by the other", async () => {
    // Signed for the Host the client sent it to; the replay sends that same Host to the second server, as a
    // load balancer in front of both would.
    const captured = cosCaptured(first.url, "POST", "/jobs", {
      headers: { "content-type": "application/xml" },
      keyTime: distinctKeyTime(),
    });
    const body = cosBody("shared-cos", COPY, 10);
    assert.equal((await send(captured, body)).status, 200);
    assertRefusedAsReplay(await send(captured, cosBody("shared-del", DELETE, TOP), second.url), "cos");
    const again = await send(captured, body, second.url);
    assert.equal(again.status, 400, "an identical retry reaches the service, which refuses the reused token");
    assert.equal(again.xml.Error.Message, "Duplicate request.");
    assert.deepEqual(
      (await cosJobs(second.url)).map((j) => j.Operation),
      ["COSPutObjectCopy"],
    );
  });

  it("OSS V1: a cancel accepted by one server is refused for another job by the other", async () => {
    const jobs: string[] = [];
    for (const token of ["shared-x", "shared-y"]) {
      const r = await ossRequest(first.url, { method: "POST", subres: "batchJob", body: ossCreateJobBody({ token }) });
      assert.equal(r.status, 200, r.text);
      jobs.push(r.xml.CreateJobResult.JobId);
    }
    const [x, y] = jobs as [string, string];
    const captured = ossCaptured(first.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: x, requestedJobStatus: "Cancelled" },
      date: distinctTime(),
    });
    assert.equal((await send(captured)).status, 200);
    const search = `?batchJobStatus&batchJobId=${y}&requestedJobStatus=Cancelled`;
    assertRefusedAsReplay(await send(captured, undefined, second.url, search), "oss");
    const described = await ossRequest(second.url, { subres: "batchJob", query: { batchJobId: y }, v4: true });
    assert.equal(described.xml.DescribeJobResult.Job.Status, "New");
  });
});
