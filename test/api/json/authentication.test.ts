/**
 * Who may call the JSON API: SigV4 with the dialects' accounts and keys, under any region and service name, as
 * a header or a presigned URL; every failure an RFC 9457 problem. The replay rules of the dialects hold: a body
 * must match its signed hash, and a signature that does not cover the body of a change is good for that one
 * request only (D15).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ALICE,
  createRequest,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  sendSigned,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

let store: TestStore;
let server: JsonApiServer;
let alice: JsonApiClient;
let checker: DocumentChecker;

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store);
  checker = await DocumentChecker.load(server.url);
  alice = new JsonApiClient(server.url, ALICE, checker);
});

after(async () => {
  await server.close();
  await store.dispose();
});

function assertProblem(
  r: { status: number; json: Json; headers: Record<string, unknown> },
  status: number,
  type: string,
) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
  if (status === 401) assert.equal(r.headers["www-authenticate"], "AWS4-HMAC-SHA256");
}

async function jobCount(): Promise<number> {
  return (await alice.get("/api/v1/jobs", { limit: "1000" })).json.jobs.length;
}

describe("SigV4 on the JSON API", () => {
  it("accepts any region and any service name in the credential scope", async () => {
    for (const [region, service] of [
      ["us-east-1", "objbatch"],
      ["eu-west-3", "s3"],
      ["cn-north-1", "execute-api"],
      ["local", "x"],
    ]) {
      const r = await alice.call({ path: "/api/v1/jobs", region, service });
      assert.equal(r.status, 200, `${region}/${service}: ${r.text}`);
    }
  });

  it("accepts a body whose hash is signed without an x-amz-content-sha256 header (curl's way)", async () => {
    const before = await jobCount();
    const r = await alice.call({ method: "POST", path: "/api/v1/jobs", body: createRequest(), payloadHash: "none" });
    assert.equal(r.status, 201, r.text);
    assert.equal(await jobCount(), before + 1);
  });

  it("refuses no signature, an unknown key, a wrong secret and a stale date, as 401 problems", async () => {
    assertProblem(await alice.call({ path: "/api/v1/jobs", unsigned: true }), 401, "unauthenticated");
    const unknown = await alice.call({
      path: "/api/v1/jobs",
      credentials: { ...ALICE, accessKeyId: "AKIANOBODY0000000000" },
    });
    assertProblem(unknown, 401, "unauthenticated");
    assert.match(unknown.json.detail, /Access Key Id/);
    const wrong = await alice.call({ path: "/api/v1/jobs", credentials: { ...ALICE, secretAccessKey: "guess" } });
    assertProblem(wrong, 401, "unauthenticated");
    assert.match(wrong.json.detail, /signature/);
    const stale = await alice.call({ path: "/api/v1/jobs", signingDate: new Date(Date.now() - 3_600_000) });
    assertProblem(stale, 401, "unauthenticated");
    assert.match(stale.json.detail, /too large/);
  });

  it("refuses a request changed after signing: query, body without a signed hash, a body that is not its hash", async () => {
    const query = await alice.call({
      path: "/api/v1/jobs",
      query: { limit: "1" },
      afterSigning: (req) => {
        req.path = req.path.replace("limit=1", "limit=2");
      },
    });
    assertProblem(query, 401, "unauthenticated");
    const before = await jobCount();
    const tamperedSigned = await alice.call({
      method: "POST",
      path: "/api/v1/jobs",
      body: createRequest({ description: "a" }),
      payloadHash: "none",
      afterSigning: (req) => {
        req.body = Buffer.from(JSON.stringify(createRequest({ description: "b" })));
      },
    });
    assertProblem(tamperedSigned, 401, "unauthenticated");
    const mismatch = await alice.call({
      method: "POST",
      path: "/api/v1/jobs",
      body: createRequest({ description: "a" }),
      afterSigning: (req) => {
        req.body = Buffer.from(JSON.stringify(createRequest({ description: "b" })));
      },
    });
    assertProblem(mismatch, 400, "invalid-digest");
    assert.equal(await jobCount(), before);
  });

  it("binds an UNSIGNED-PAYLOAD signature to its first request: the same bytes pass, other bytes are 403", async () => {
    const signingDate = new Date();
    const captured: { headers?: Record<string, string> } = {};
    const first = await alice.call({
      method: "POST",
      path: "/api/v1/jobs",
      body: createRequest({ clientRequestToken: "bound-1" }),
      payloadHash: "unsigned",
      signingDate,
      afterSigning: (req) => {
        captured.headers = { ...req.headers };
      },
    });
    assert.equal(first.status, 201, first.text);
    // An identical retry of the same request passes (and is the same job, by its token).
    const retry = await alice.call({
      method: "POST",
      path: "/api/v1/jobs",
      body: createRequest({ clientRequestToken: "bound-1" }),
      payloadHash: "unsigned",
      signingDate,
    });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json.jobId, first.json.jobId);
    // The same signature on another body is refused.
    const replay = await alice.call({
      method: "POST",
      path: "/api/v1/jobs",
      body: createRequest({ clientRequestToken: "bound-2" }),
      payloadHash: "unsigned",
      signingDate,
      afterSigning: (req) => {
        req.headers = { ...captured.headers!, "content-length": String(req.body.length) };
      },
    });
    assertProblem(replay, 403, "access-denied");
    assert.match(replay.json.detail, /already used/);
  });

  it("accepts a presigned URL for a read, and refuses an expired one", async () => {
    const r = await alice.call({ path: "/api/v1/jobs", presignSeconds: 60 });
    assert.equal(r.status, 200, r.text);
    const expired = await alice.call({
      path: "/api/v1/jobs",
      presignSeconds: 60,
      signingDate: new Date(Date.now() - 600_000),
    });
    assertProblem(expired, 401, "unauthenticated");
  });

  it("checks the signature before reading a body when it can: an unsigned oversize body is 401, not 413", async () => {
    const r = await sendSigned(server.url, {
      method: "POST",
      path: "/api/v1/jobs",
      body: "x".repeat(200_000),
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-type": "application/json" },
      credentials: ALICE,
      unsigned: true,
    });
    assertProblem(r, 401, "unauthenticated");
    checker.check("POST", "/api/v1/jobs", r);
  });
});
