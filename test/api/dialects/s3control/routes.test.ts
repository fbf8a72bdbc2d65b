/**
 * The S3 Control routes over real HTTP, inside the real server (buildServer, with the COS and OSS dialects as
 * neighbours), on the real JobService and a real SQLite store; the engine does not run. Requests are signed
 * by @smithy/signature-v4 in the test and sent with node:http, so Host, request-line form and body are exactly
 * what each case needs.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../../../src/accounts/types.js";
import { buildServer } from "../../../../src/api/server.js";
import { JobService } from "../../../../src/service/job-service.js";
import { StoreConsoleSessions } from "../../../../src/store/sessions/console-sessions.js";
import {
  type RawAnswer,
  type S3ControlCredentials,
  type SignedCall,
  signedCall,
} from "../../../helpers/s3control-client.js";
import { sqliteTestLedger, type TestLedger } from "../../../helpers/signature-ledger.js";
import { sqliteTestStore, type TestStore } from "../../../helpers/stores.js";

const ROOT: S3ControlCredentials = {
  accountId: "123456789012",
  accessKeyId: "AKIAROUTESROOT000001",
  secretAccessKey: "routes-root-secret",
};
const OTHER: S3ControlCredentials = {
  accountId: "210987654321",
  accessKeyId: "AKIAROUTESOTHER00002",
  secretAccessKey: "routes-other-secret",
};
const accounts = new StaticAccountRegistry(
  [ROOT, OTHER].map((c) => ({
    id: c.accountId,
    keys: [{ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }],
    buckets: ["*"],
  })),
);
const MAX_BODY = 16 * 1024;
const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, isArray: (n) => n === "member" });

let testStore: TestStore;
let brokenStore: TestStore;
let testLedger: TestLedger;
let app: ReturnType<typeof buildServer>;
let broken: ReturnType<typeof buildServer>;
let base: string;
let brokenBase: string;

const call = (c: SignedCall) => signedCall(base, { credentials: ROOT, ...c });

function createBody(token: string, operation = "<S3DeleteObjectTagging/>"): string {
  return (
    `<CreateJobRequest xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><ConfirmationRequired>false</ConfirmationRequired>` +
    `<Operation>${operation}</Operation><Report><Enabled>false</Enabled></Report><ClientRequestToken>${token}</ClientRequestToken>` +
    "<Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>" +
    "<Location><ObjectArn>arn:aws:s3:::src/manifest.csv</ObjectArn><ETag>etag</ETag></Location></Manifest>" +
    "<Priority>10</Priority><RoleArn>arn:aws:iam::123456789012:role/batch</RoleArn></CreateJobRequest>"
  );
}

function assertError(r: RawAnswer, status: number, code: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers["content-type"], "application/xml");
  const e = parser.parse(r.text).ErrorResponse;
  assert.ok(e?.Error, `an <ErrorResponse><Error> body: ${r.text}`);
  assert.equal(e.Error.Type, status >= 500 ? "Receiver" : "Sender");
  assert.equal(e.Error.Code, code, r.text);
  if (message) assert.match(e.Error.Message, message);
  assert.equal(e.RequestId, r.headers["x-amz-request-id"]);
  assert.equal(e.HostId, r.headers["x-amz-id-2"]);
}

async function createJob(token: string, credentials = ROOT): Promise<string> {
  const r = await call({ method: "POST", path: "/v20180820/jobs", body: createBody(token), credentials });
  assert.equal(r.status, 200, r.text);
  return parser.parse(r.text).CreateJobResult.JobId;
}

before(async () => {
  testStore = await sqliteTestStore();
  testLedger = await sqliteTestLedger();
  const logger = pino({ level: "silent" });
  const parts = {
    accounts,
    logger,
    maxBodyBytes: MAX_BODY,
    healthy: async () => true,
    signatureLedger: testLedger.ledger,
    sessions: new StoreConsoleSessions(testLedger.connection),
  };
  app = buildServer({
    ...parts,
    service: new JobService({ store: testStore.store, accounts, maxUnfinishedJobs: 1000 }),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // A service whose store is closed: every call fails for real, as an unexpected exception.
  brokenStore = await sqliteTestStore();
  broken = buildServer({
    ...parts,
    service: new JobService({ store: brokenStore.store, accounts, maxUnfinishedJobs: 10 }),
  });
  await brokenStore.store.close();
  await broken.listen({ host: "127.0.0.1", port: 0 });
  brokenBase = `http://127.0.0.1:${(broken.server.address() as AddressInfo).port}`;
});

after(async () => {
  await app.close();
  await broken.close();
  await testStore.dispose();
  await brokenStore.dispose().catch(() => undefined);
  await testLedger.dispose();
});

describe("S3 Control routes: hosts, request lines and signatures", () => {
  it("answers with the Host as 127.0.0.1:PORT, as <account>.localhost:PORT, and in absolute form", async () => {
    const jobId = await createJob("hosts-1");
    const port = new URL(base).port;
    for (const c of [
      {},
      { host: `${ROOT.accountId}.localhost:${port}` },
      { host: `${ROOT.accountId}.localhost:${port}`, absoluteForm: true },
      { absoluteForm: true },
    ] satisfies Partial<SignedCall>[]) {
      const r = await call({ path: `/v20180820/jobs/${jobId}`, ...c });
      assert.equal(r.status, 200, `${JSON.stringify(c)}: ${r.text}`);
      assert.equal(parser.parse(r.text).DescribeJobResult.Job.JobId, jobId);
      assert.ok(r.headers["x-amz-request-id"]);
    }
  });

  it("accepts a presigned URL", async () => {
    const r = await call({ path: "/v20180820/jobs", query: { maxResults: "1" }, presignSeconds: 60 });
    assert.equal(r.status, 200, r.text);
    assert.ok(parser.parse(r.text).ListJobsResult);
  });

  it("verifies the body hash when the request has no x-amz-content-sha256", async () => {
    const r = await call({
      method: "POST",
      path: "/v20180820/jobs",
      body: createBody("nohash-1"),
      noPayloadHashHeader: true,
    });
    assert.equal(r.status, 200, r.text);
    const tampered = await call({
      method: "POST",
      path: "/v20180820/jobs",
      body: createBody("nohash-2"),
      noPayloadHashHeader: true,
      afterSigning: (s) => {
        s.body = Buffer.from(createBody("nohash-3"));
      },
    });
    assertError(tampered, 403, "SignatureDoesNotMatch");
  });

  it("refuses a body that does not match its x-amz-content-sha256", async () => {
    const r = await call({
      method: "POST",
      path: "/v20180820/jobs",
      body: createBody("hash-1"),
      afterSigning: (s) => {
        s.body = Buffer.from(createBody("hash-2"));
      },
    });
    assertError(r, 400, "XAmzContentSHA256Mismatch");
  });

  it("refuses unsigned, tampered, expired and unknown-key requests in S3 Control form", async () => {
    assertError(await call({ path: "/v20180820/jobs", unsigned: true }), 403, "AccessDenied");
    assertError(
      await call({
        path: "/v20180820/jobs",
        query: { maxResults: "1" },
        afterSigning: (s) => {
          s.path = s.path.replace("maxResults=1", "maxResults=2");
        },
      }),
      403,
      "SignatureDoesNotMatch",
    );
    assertError(
      await call({ path: "/v20180820/jobs", signingDate: new Date(Date.now() - 3_600_000) }),
      403,
      "RequestTimeTooSkewed",
    );
    assertError(
      await call({ path: "/v20180820/jobs", presignSeconds: 1, signingDate: new Date(Date.now() - 120_000) }),
      403,
      "AccessDenied",
      /expired/,
    );
    assertError(
      await call({ path: "/v20180820/jobs", credentials: { ...ROOT, accessKeyId: "AKIANOBODY0000000000" } }),
      403,
      "InvalidAccessKeyId",
    );
  });

  it("requires x-amz-account-id, naming the signing account", async () => {
    assertError(
      await call({ path: "/v20180820/jobs", noAccountId: true }),
      400,
      "BadRequestException",
      /x-amz-account-id/,
    );
    assertError(
      await call({ path: "/v20180820/jobs", headers: { "x-amz-account-id": OTHER.accountId } }),
      403,
      "AccessDenied",
    );
  });
});

describe("S3 Control routes: operations", () => {
  it("creates idempotently: same token and body -> same job; same token, other body -> IdempotencyException", async () => {
    const first = await createJob("idem-1");
    assert.equal(await createJob("idem-1"), first);
    const r = await call({
      method: "POST",
      path: "/v20180820/jobs",
      body: createBody("idem-1", "<S3DeleteObject/>"),
    });
    assertError(r, 400, "IdempotencyException");
  });

  it("keeps accounts apart: another account's job is NotFoundException", async () => {
    const jobId = await createJob("apart-1");
    assertError(await call({ path: `/v20180820/jobs/${jobId}`, credentials: OTHER }), 404, "NotFoundException");
    const list = await call({ path: "/v20180820/jobs", credentials: OTHER });
    assert.equal(parser.parse(list.text).ListJobsResult.Jobs, "");
  });

  it("updates priority and status, and answers JobStatusException for a finished job", async () => {
    const jobId = await createJob("status-1");
    const p = await call({ method: "POST", path: `/v20180820/jobs/${jobId}/priority`, query: { priority: "77" } });
    assert.deepEqual(parser.parse(p.text).UpdateJobPriorityResult, { JobId: jobId, Priority: "77" });
    const ready = await call({
      method: "POST",
      path: `/v20180820/jobs/${jobId}/status`,
      query: { requestedJobStatus: "Ready" },
    });
    assertError(ready, 400, "JobStatusException", /New to Ready/);
    const c = await call({
      method: "POST",
      path: `/v20180820/jobs/${jobId}/status`,
      query: { requestedJobStatus: "Cancelled", statusUpdateReason: "not needed any more" },
    });
    assert.deepEqual(parser.parse(c.text).UpdateJobStatusResult, {
      JobId: jobId,
      Status: "Cancelling",
      StatusUpdateReason: "not needed any more",
    });
    const again = await call({
      method: "POST",
      path: `/v20180820/jobs/${jobId}/status`,
      query: { requestedJobStatus: "Cancelled" },
    });
    assertError(again, 400, "JobStatusException");
    assertError(
      await call({ method: "POST", path: `/v20180820/jobs/${jobId}/priority`, query: { priority: "x" } }),
      400,
      "BadRequestException",
    );
  });

  it("puts, gets and deletes job tags; more than 50 is TooManyTagsException", async () => {
    const jobId = await createJob("tags-1");
    const tagging = `/v20180820/jobs/${jobId}/tagging`;
    const put = await call({
      method: "PUT",
      path: tagging,
      body: "<PutJobTaggingRequest><Tags><member><Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value>2</Value></member></Tags></PutJobTaggingRequest>",
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(parser.parse((await call({ path: tagging })).text).GetJobTaggingResult.Tags.member, [
      { Key: "a", Value: "1" },
      { Key: "b", Value: "2" },
    ]);
    const many = Array.from({ length: 51 }, (_, i) => `<member><Key>k${i}</Key><Value>v</Value></member>`).join("");
    assertError(
      await call({
        method: "PUT",
        path: tagging,
        body: `<PutJobTaggingRequest><Tags>${many}</Tags></PutJobTaggingRequest>`,
      }),
      400,
      "TooManyTagsException",
    );
    const del = await call({ method: "DELETE", path: tagging });
    assert.equal(del.status, 200);
    assert.equal(del.text, "", "DeleteJobTaggingResult is empty");
    assert.equal(parser.parse((await call({ path: tagging })).text).GetJobTaggingResult.Tags, "");
  });

  it("pages through ListJobs with NextToken and filters by status", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) ids.add(await createJob(`page-${i}`, OTHER));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await call({
        path: "/v20180820/jobs",
        credentials: OTHER,
        query: { maxResults: "2", jobStatuses: ["New", "Active"], ...(token ? { nextToken: token } : {}) },
      });
      const list = parser.parse(r.text).ListJobsResult;
      for (const m of list.Jobs.member ?? []) seen.push(m.JobId);
      token = list.NextToken;
    } while (token);
    assert.deepEqual(new Set(seen), ids);
    assert.equal(seen.length, 3);
    assertError(
      await call({ path: "/v20180820/jobs", query: { nextToken: "no-such-token" } }),
      400,
      "InvalidNextTokenException",
    );
    assertError(
      await call({ path: "/v20180820/jobs", query: { jobStatuses: "Bogus" } }),
      400,
      "InvalidRequestException",
    );
  });
});

describe("S3 Control routes: bad input never becomes a 5xx or Fastify's JSON", () => {
  it("answers malformed bodies with 400 BadRequestException", async () => {
    for (const body of ["not xml", "<CreateJobRequest>", '<!DOCTYPE a [<!ENTITY x "y">]><CreateJobRequest/>', ""]) {
      const r = await call({ method: "POST", path: "/v20180820/jobs", body });
      assertError(r, 400, "BadRequestException");
    }
  });

  it("refuses bodies over the limit, announced or chunked, with 400 BadRequestException", async () => {
    const big = "x".repeat(MAX_BODY + 1);
    assertError(
      await call({ method: "POST", path: "/v20180820/jobs", body: big }),
      400,
      "BadRequestException",
      /maximum/,
    );
    const chunked = await call({ method: "POST", path: "/v20180820/jobs", body: big, chunked: true });
    assertError(chunked, 400, "BadRequestException", /maximum/);
    const fine = await call({ method: "POST", path: "/v20180820/jobs", body: createBody("chunked-1"), chunked: true });
    assert.equal(fine.status, 200, fine.text);
  });

  it("answers unknown paths and methods in S3 Control form", async () => {
    assertError(
      await call({ path: "/v20180820/accesspoint/x" }),
      404,
      "NotFoundException",
      /only the S3 Batch Operations/,
    );
    assertError(await call({ method: "PUT", path: "/v20180820/jobs" }), 405, "MethodNotAllowed");
    assertError(await call({ method: "POST", path: "/v20180820/jobs/abcde/tagging" }), 405, "MethodNotAllowed");
  });

  it("maps unexpected failures to 500 InternalServiceException", async () => {
    const r = await signedCall(brokenBase, { path: "/v20180820/jobs", credentials: ROOT });
    assertError(r, 500, "InternalServiceException");
  });
});
