/**
 * Bearer access tokens through the JSON API (D44) over real HTTP, in a real objbatch on SQLite and on PostgreSQL:
 * POST /api/v1/tokens issues a token (its secret only in that answer) that the app's verifier accepts for the
 * caller's account; GET lists the caller's tokens without secrets, a page at a time; DELETE revokes one at once
 * (again is no error); another account neither sees nor revokes them; a console session issues one only with its
 * CSRF token. A bearer token itself gets the JSON API's 401 problem saying where tokens belong (it cannot mint
 * more), and the COS, OSS and S3 Control routes answer it with their own XML errors and create nothing. The
 * operator's bounds (config `tokens`) hold: the longest lifetime and the live tokens per account. Every answer is
 * checked against the OpenAPI document.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { ROOT, startTestApp, type TestApp } from "../../helpers/app.js";
import {
  type Answer,
  type Credentials,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonCall,
} from "../../helpers/json-api.js";
import { ossCreateJobBody } from "../../helpers/oss-client.js";
import { createPgDatabase } from "../../helpers/stores.js";
import { SEED_CREATE_JOB_BODY } from "../fixtures/cos-seeds.js";

const ALICE: Credentials = {
  accountId: "111111111111",
  accessKeyId: "AKIATOKENALICE000001",
  secretAccessKey: "token-alice-secret",
};
const BOB: Credentials = {
  accountId: "222222222222",
  accessKeyId: "AKIATOKENBOB00000002",
  secretAccessKey: "token-bob-secret",
};
const accountEntry = (c: Credentials) => ({
  id: c.accountId,
  accessKeyId: c.accessKeyId,
  secretAccessKey: c.secretAccessKey,
  buckets: ["*"],
});
const HOUR = 3600_000;
const xml = new XMLParser({ parseTagValue: false, ignoreDeclaration: true });

function assertProblem(r: Answer, status: number, type: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
}

async function jobCount(app: TestApp): Promise<number> {
  return [...(await app.store.countJobsByStatus()).values()].reduce((a, b) => a + b, 0);
}

const stores: ReadonlyArray<readonly [string, () => Promise<{ url?: string; drop(): Promise<void> }>]> = [
  ["sqlite", async () => ({ drop: async () => {} })],
  ["postgres", createPgDatabase],
];

for (const [kind, openStore] of stores) {
  describe(`access tokens through the JSON API (${kind})`, () => {
    let database: { url?: string; drop(): Promise<void> };
    let app: TestApp;
    let alice: JsonApiClient;

    before(async () => {
      database = await openStore();
      app = await startTestApp({
        runEngine: false,
        ...(database.url ? { storeUrl: database.url } : {}),
        configFile: { accounts: [accountEntry(ALICE), accountEntry(BOB)] },
      });
      alice = new JsonApiClient(app.url, ALICE, await DocumentChecker.load(app.url));
    });
    after(async () => {
      await app.dispose();
      await database.drop();
    });

    const create = async (body?: unknown, as: Credentials = ALICE) => {
      const r = await alice.as(as).post("/api/v1/tokens", body);
      assert.equal(r.status, 201, r.text);
      return r.json as { tokenId: string; token: string; name: string | null; createdAt: string; expiresAt: string };
    };
    const listAll = async (as: Credentials = ALICE): Promise<Json[]> => {
      const r = await alice.as(as).get("/api/v1/tokens", { limit: "1000" });
      assert.equal(r.status, 200, r.text);
      return r.json.tokens;
    };
    const bearer = (token: string, call: JsonCall) =>
      alice.call({ ...call, unsigned: true, payloadHash: "none", headers: { authorization: `Bearer ${token}` } });

    it("issues a token for the caller's account, its secret once; it verifies, for an hour unless asked otherwise", async () => {
      const before = Date.now();
      const token = await create();
      assert.match(token.token, /^obt_[A-Za-z0-9_-]{43}$/);
      assert.equal(token.name, null);
      const createdAt = Date.parse(token.createdAt);
      assert.ok(createdAt >= before - 1000 && createdAt <= Date.now() + 1000);
      assert.equal(Date.parse(token.expiresAt) - createdAt, HOUR, "the default lifetime");
      assert.deepEqual(await app.accessTokens.verify(token.token, new Date()), {
        ok: true,
        accountId: ALICE.accountId,
        tokenId: token.tokenId,
      });
      assert.deepEqual(await app.accessTokens.verify(token.token, new Date(Date.parse(token.expiresAt))), {
        ok: false,
        reason: "expired",
      });

      const named = await create({ name: "gcloud on ci", expiresInSeconds: 7200 });
      assert.equal(named.name, "gcloud on ci");
      assert.equal(Date.parse(named.expiresAt) - Date.parse(named.createdAt), 2 * HOUR);
      const listed = await alice.get("/api/v1/tokens");
      assert.ok(!listed.text.includes(named.token.slice(4)), "a listing never shows a secret");
    });

    it("refuses lifetimes out of bounds and fields it does not know, issuing nothing", async () => {
      const count = (await listAll()).length;
      const tooLong = await alice.post("/api/v1/tokens", { expiresInSeconds: 30 * 24 * 3600 + 1 });
      assertProblem(tooLong, 400, "validation");
      assert.equal(tooLong.json.errors[0].pointer, "/expiresInSeconds");
      assertProblem(await alice.post("/api/v1/tokens", { expiresInSeconds: 59 }), 400, "validation");
      assertProblem(await alice.post("/api/v1/tokens", { scope: "all" }), 400, "validation");
      assertProblem(await alice.post("/api/v1/tokens", { name: "a\nb" }), 400, "validation");
      assert.equal((await listAll()).length, count);
      assert.equal((await create({ expiresInSeconds: 30 * 24 * 3600 })).name, null, "30 days is the longest");
    });

    it("lists the caller's tokens oldest first, a page at a time, with their status and last use", async () => {
      const token = await create({ name: "listed" });
      await app.accessTokens.verify(token.token, new Date());
      const all = await listAll();
      const mine = all.find((t) => t.tokenId === token.tokenId);
      assert.equal(mine.status, "active");
      assert.equal(mine.name, "listed");
      assert.equal(mine.revokedAt, null);
      assert.ok(mine.lastUsedAt !== null, "verified once: its last use is known");
      const paged: Json[] = [];
      let cursor: string | undefined;
      do {
        const r = await alice.get("/api/v1/tokens", { limit: "2", ...(cursor ? { cursor } : {}) });
        assert.equal(r.status, 200, r.text);
        paged.push(...r.json.tokens);
        cursor = r.json.nextCursor ?? undefined;
      } while (cursor !== undefined);
      assert.deepEqual(
        paged.map((t) => t.tokenId),
        all.map((t) => t.tokenId),
      );
      const sorted = [...all].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
      assert.deepEqual(
        all.map((t) => t.createdAt),
        sorted.map((t) => t.createdAt),
      );
      assertProblem(await alice.get("/api/v1/tokens", { cursor: "bm90LWEtY3Vyc29y" }), 400, "validation");
    });

    it("revokes a token at once; revoking it again is no error, an unknown id is 404", async () => {
      const token = await create();
      const revoked = await alice.delete(`/api/v1/tokens/${token.tokenId}`);
      assert.equal(revoked.status, 204, revoked.text);
      assert.deepEqual(await app.accessTokens.verify(token.token, new Date()), { ok: false, reason: "revoked" });
      const listed = (await listAll()).find((t) => t.tokenId === token.tokenId);
      assert.equal(listed.status, "revoked");
      assert.ok(listed.revokedAt !== null);
      assert.equal((await alice.delete(`/api/v1/tokens/${token.tokenId}`)).status, 204, "again");
      assertProblem(await alice.delete("/api/v1/tokens/tok_nosuchtoken000000"), 404, "no-such-token");
    });

    it("another account neither lists nor revokes the caller's tokens", async () => {
      const token = await create({ name: "alice's" });
      const bobs = await create({ name: "bob's" }, BOB);
      const bobList = await listAll(BOB);
      assert.deepEqual(
        bobList.map((t) => t.tokenId),
        [bobs.tokenId],
      );
      assertProblem(await alice.as(BOB).delete(`/api/v1/tokens/${token.tokenId}`), 404, "no-such-token");
      assert.equal((await app.accessTokens.verify(token.token, new Date())).ok, true, "still good");
      assert.ok(!(await listAll()).some((t) => t.tokenId === bobs.tokenId));
      assert.equal(((await app.accessTokens.verify(bobs.token, new Date())) as Json).accountId, BOB.accountId);
    });

    it("issues a token in a console session only with the session's CSRF token", async () => {
      const signIn = await alice.call({
        method: "POST",
        path: "/api/v1/session",
        body: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
        unsigned: true,
        payloadHash: "none",
      });
      assert.equal(signIn.status, 201, signIn.text);
      const setCookie = signIn.headers["set-cookie"];
      const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(";")[0] as string;
      const inSession = (csrf?: string) =>
        alice.call({
          method: "POST",
          path: "/api/v1/tokens",
          body: { name: "console" },
          unsigned: true,
          payloadHash: "none",
          headers: { cookie, ...(csrf ? { "x-csrf-token": csrf } : {}) },
        });
      const count = (await listAll()).length;
      assertProblem(await inSession(), 403, "csrf-token-invalid");
      assert.equal((await listAll()).length, count);
      const issued = await inSession(signIn.json.csrfToken);
      assert.equal(issued.status, 201, issued.text);
      assert.equal(((await app.accessTokens.verify(issued.json.token, new Date())) as Json).accountId, ALICE.accountId);
    });

    it("answers a bearer token on /api/v1 with a 401 problem saying it is for the Google dialect: it mints nothing", async () => {
      const token = await create();
      const count = (await listAll()).length;
      for (const call of [
        { path: "/api/v1/jobs" },
        { method: "POST", path: "/api/v1/tokens", body: { name: "minted by a token" } },
        { path: "/api/v1/tokens" },
        { method: "DELETE", path: `/api/v1/tokens/${token.tokenId}` },
      ]) {
        const r = await bearer(token.token, call);
        assertProblem(r, 401, "bearer-token-not-accepted");
        assert.match(r.json.detail, /\/v1\/projects\//);
      }
      const lower = await alice.call({
        path: "/api/v1/jobs",
        unsigned: true,
        payloadHash: "none",
        headers: { authorization: `bearer ${token.token}` },
      });
      assertProblem(lower, 401, "bearer-token-not-accepted");
      assert.equal((await listAll()).length, count, "no token was minted");
      assert.equal((await app.accessTokens.verify(token.token, new Date())).ok, true, "nor was it revoked");
    });

    it("answers a bearer token on the COS, OSS and S3 Control routes with each one's own error, creating no job", async () => {
      const token = await create();
      const auth = { authorization: `Bearer ${token.token}`, "content-type": "application/xml" };
      const jobs = await jobCount(app);
      const cos = await fetch(`${app.url}/jobs`, {
        method: "POST",
        headers: { ...auth, "x-cos-appid": ALICE.accountId },
        body: SEED_CREATE_JOB_BODY,
      });
      assert.equal(cos.status, 403);
      const cosError = xml.parse(await cos.text()).Error;
      assert.equal(cosError.Code, "AccessDenied");
      assert.ok(cosError.RequestId && cosError.TraceId, "COS's error: RequestId and TraceId");

      const oss = await fetch(`${app.url}/?batchJob`, { method: "POST", headers: auth, body: ossCreateJobBody() });
      // OSS answers an Authorization header of a scheme it does not know as a bad argument, as Alibaba's OSS does.
      assert.equal(oss.status, 400);
      const ossError = xml.parse(await oss.text()).Error;
      assert.equal(ossError.Code, "InvalidArgument");
      assert.match(ossError.Message, /Authorization header is invalid/);
      assert.ok(ossError.RequestId && ossError.HostId, "OSS's error: RequestId and HostId");

      const s3c = await fetch(`${app.url}/v20180820/jobs`, {
        method: "POST",
        headers: { ...auth, "x-amz-account-id": ALICE.accountId },
        body: "<CreateJobRequest/>",
      });
      assert.equal(s3c.status, 403);
      const s3cError = xml.parse(await s3c.text()).ErrorResponse.Error;
      assert.equal(s3cError.Code, "AccessDenied");
      assert.equal(s3cError.Type, "Sender");
      for (const list of [
        fetch(`${app.url}/jobs`, { headers: { ...auth, "x-cos-appid": ALICE.accountId } }),
        fetch(`${app.url}/?batchJob`, { headers: auth }),
        fetch(`${app.url}/v20180820/jobs`, { headers: { ...auth, "x-amz-account-id": ALICE.accountId } }),
      ]) {
        const r = await list;
        assert.ok(r.status === 403 || r.status === 400, `${r.url}: ${r.status}`);
        assert.match(r.headers.get("content-type") ?? "", /xml/);
      }
      assert.equal(await jobCount(app), jobs, "no job was created");
    });
  });
}

describe("access tokens under the operator's bounds (config tokens)", () => {
  let app: TestApp;
  let client: JsonApiClient;
  const root: Credentials = ROOT;

  before(async () => {
    app = await startTestApp({
      runEngine: false,
      configFile: { tokens: { defaultExpiresInSeconds: 600, maxExpiresInSeconds: 900, maxLivePerAccount: 2 } },
    });
    client = new JsonApiClient(app.url, root, await DocumentChecker.load(app.url));
  });
  after(() => app.dispose());

  it("issues tokens for the configured default lifetime, no longer than the longest, and no more live than the cap", async () => {
    const first = await client.post("/api/v1/tokens", {});
    assert.equal(first.status, 201, first.text);
    assert.equal(Date.parse(first.json.expiresAt) - Date.parse(first.json.createdAt), 600_000);
    const tooLong = await client.post("/api/v1/tokens", { expiresInSeconds: 901 });
    assertProblem(tooLong, 400, "validation");
    assert.match(tooLong.json.errors[0].detail, /at most 900/);
    assert.equal((await client.post("/api/v1/tokens", { expiresInSeconds: 900 })).status, 201);
    const third = await client.post("/api/v1/tokens", {});
    assertProblem(third, 429, "too-many-tokens");
    assert.equal((await client.delete(`/api/v1/tokens/${first.json.tokenId}`)).status, 204);
    assert.equal((await client.post("/api/v1/tokens")).status, 201, "a revoked token frees its place");
  });
});
