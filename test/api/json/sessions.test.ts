/**
 * Console sessions of the JSON API (D33) over real HTTP, on SQLite and PostgreSQL: signing in sets an HttpOnly,
 * SameSite=Strict cookie (Secure only over TLS) and gives a CSRF token; the cookie works for reads, and for
 * changes only with the token; a wrong secret and an unknown key are the same 401, and repeated failures are
 * throttled (429, Retry-After); sessions end at their absolute and idle ends (an injected clock), on sign-out,
 * when the account's sessions are revoked, and when their key is no longer configured; a signature wins over a
 * cookie; the store holds only hashes; a second API server over the same PostgreSQL store sees the same
 * sessions, and a revocation through one at once through the other. Every answer is checked against the OpenAPI
 * document.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { openPostgres } from "../../../src/store/connect.js";
import { JobStore } from "../../../src/store/job-store.js";
import {
  ALICE,
  type Answer,
  BOB,
  type Credentials,
  createRequest,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  type JsonCall,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { postgresTestStore, sqliteTestStore, type TestStore } from "../../helpers/stores.js";

const CAROL: Credentials = {
  accountId: "333333333333",
  accessKeyId: "AKIAJSONCAROL0000003",
  secretAccessKey: "json-carol-secret",
};
const ALICE_KEY = { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey };
const HOUR = 3600_000;

interface Session {
  /** `objbatch_session=<token>`, as the browser sends it back. */
  readonly cookie: string;
  readonly token: string;
  readonly csrfToken: string;
  readonly setCookie: string;
  readonly answer: Answer;
}

function setCookieOf(answer: Answer): string | undefined {
  const header = answer.headers["set-cookie"];
  return Array.isArray(header) ? header.join("\n") : header;
}

function assertProblem(r: Answer, status: number, type: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
}

for (const [kind, open] of [
  ["sqlite", sqliteTestStore],
  ["postgres", postgresTestStore],
] as const) {
  describe(`console sessions on the JSON API (${kind})`, () => {
    let store: TestStore;
    let server: JsonApiServer;
    let checker: DocumentChecker;
    let client: JsonApiClient;
    let clock = Date.UTC(2026, 11, 1, 9, 0, 0);

    before(async () => {
      store = await open();
      server = await startJsonApiServer(store, [ALICE, BOB, CAROL], { apiNow: () => clock });
      checker = await DocumentChecker.load(server.url);
      client = new JsonApiClient(server.url, ALICE, checker);
    });

    after(async () => {
      await server.close();
      await store.dispose();
    });

    /** A SigV4-signed call by `as`, signed at the API's clock. */
    const signed = (call: JsonCall, as: Credentials = ALICE) =>
      client.as(as).call({ ...call, signingDate: new Date(clock) });

    /** An unsigned call carrying the session's cookie, and its CSRF token when `csrf` says so. */
    const inSession = (session: Session, call: JsonCall, csrf: string | null = session.csrfToken) =>
      client.call({
        ...call,
        unsigned: true,
        payloadHash: "none",
        headers: { cookie: session.cookie, ...(csrf !== null ? { "x-csrf-token": csrf } : {}), ...call.headers },
      });

    const signInAnswer = (body: unknown, headers: Record<string, string> = {}) =>
      client.call({ method: "POST", path: "/api/v1/session", body, unsigned: true, payloadHash: "none", headers });

    async function signIn(as: Credentials = ALICE): Promise<Session> {
      const answer = await signInAnswer({ accessKeyId: as.accessKeyId, secretAccessKey: as.secretAccessKey });
      assert.equal(answer.status, 201, answer.text);
      const setCookie = setCookieOf(answer) ?? "";
      const cookie = setCookie.split(";")[0]!;
      return {
        cookie,
        token: cookie.slice("objbatch_session=".length),
        csrfToken: answer.json.csrfToken,
        setCookie,
        answer,
      };
    }

    async function jobIds(as: Credentials): Promise<string[]> {
      const r = await signed({ path: "/api/v1/jobs", query: { limit: "1000" } }, as);
      assert.equal(r.status, 200, r.text);
      return r.json.jobs.map((j: Json) => j.jobId);
    }

    it("signs in: 201 with the session and an HttpOnly, SameSite=Strict cookie for /api/v1, not Secure over HTTP", async () => {
      const session = await signIn();
      assert.deepEqual(session.answer.json, {
        accountId: ALICE.accountId,
        accessKeyId: ALICE.accessKeyId,
        expiresAt: new Date(clock + 12 * HOUR).toISOString(),
        idleExpiresAt: new Date(clock + 2 * HOUR).toISOString(),
        csrfToken: session.csrfToken,
      });
      assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
      const attributes = session.setCookie.split(/;\s*/).slice(1);
      assert.deepEqual(attributes.sort(), [
        `Expires=${new Date(clock + 12 * HOUR).toUTCString()}`,
        "HttpOnly",
        "Max-Age=43200",
        "Path=/api/v1",
        "SameSite=Strict",
      ]);
      assert.notEqual(session.csrfToken, session.token);
      assert.equal(session.answer.headers["cache-control"], "no-store");
    });

    it("keeps only the token's hash in the store, never the token or the CSRF token", async () => {
      const session = await signIn();
      const rows = await store.connection!.db.selectFrom("console_sessions").selectAll().execute();
      const row = rows.find((r) => r.token_hash === createHash("sha256").update(session.token).digest("hex"));
      assert.ok(row, "the session is stored by its token's SHA-256");
      assert.equal(row.account_id, ALICE.accountId);
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(session.token) && !stored.includes(session.csrfToken));
    });

    it("reads with the cookie alone, and changes only with the session's CSRF token", async () => {
      const session = await signIn();
      const before = await jobIds(ALICE);
      const listed = await inSession(session, { path: "/api/v1/jobs", query: { limit: "1000" } }, null);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(
        listed.json.jobs.map((j: Json) => j.jobId),
        before,
      );

      const create = { method: "POST", path: "/api/v1/jobs", body: createRequest() } as const;
      assertProblem(await inSession(session, create, null), 403, "csrf-token-invalid");
      assertProblem(await inSession(session, create, `${session.csrfToken}x`), 403, "csrf-token-invalid");
      const other = await signIn();
      assertProblem(await inSession(session, create, other.csrfToken), 403, "csrf-token-invalid");
      assert.deepEqual(await jobIds(ALICE), before, "nothing was created without the token");

      const created = await inSession(session, create);
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(await jobIds(ALICE), [created.json.jobId, ...before]);
      assert.ok(!(await jobIds(BOB)).includes(created.json.jobId), "the job is the session's account's");

      const patched = await inSession(session, {
        method: "PATCH",
        path: `/api/v1/jobs/${created.json.jobId}`,
        body: { priority: 42 },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.priority, 42);
    });

    it("answers a wrong secret and an unknown key with the same 401, and sets no cookie", async () => {
      const wrongSecret = await signInAnswer({ accessKeyId: ALICE.accessKeyId, secretAccessKey: "not-it" });
      const unknownKey = await signInAnswer({ accessKeyId: "AKIANOBODY0000000000", secretAccessKey: "not-it" });
      for (const r of [wrongSecret, unknownKey]) {
        assertProblem(r, 401, "sign-in-failed");
        assert.equal(setCookieOf(r), undefined);
      }
      assert.deepEqual(wrongSecret.json, unknownKey.json);
      const bobsSecret = await signInAnswer({ accessKeyId: ALICE.accessKeyId, secretAccessKey: BOB.secretAccessKey });
      assertProblem(bobsSecret, 401, "sign-in-failed");
    });

    it("refuses a huge, malformed, misshapen or non-JSON sign-in body as problems", async () => {
      assertProblem(
        await signInAnswer("x".repeat(200_000), { "content-type": "application/json" }),
        413,
        "body-too-large",
      );
      assertProblem(
        await signInAnswer('{"accessKeyId":', { "content-type": "application/json" }),
        400,
        "malformed-json",
      );
      const misshapen = await signInAnswer({ accessKeyId: ALICE.accessKeyId, secret: "x" });
      assertProblem(misshapen, 400, "validation");
      assert.ok(misshapen.json.errors.length >= 2, JSON.stringify(misshapen.json.errors));
      const tooLong = await signInAnswer({ accessKeyId: "A".repeat(10_000), secretAccessKey: "x" });
      assertProblem(tooLong, 400, "validation");
      const form = await signInAnswer(`accessKeyId=${ALICE.accessKeyId}`, {
        "content-type": "application/x-www-form-urlencoded",
      });
      assertProblem(form, 415, "unsupported-media-type");
      assertProblem(await signInAnswer(undefined), 400, "validation");
    });

    it("refuses a cookie that names no session, and one that is not a token at all", async () => {
      const session = await signIn();
      for (const cookie of [`objbatch_session=${"A".repeat(43)}`, "objbatch_session=%00garbage", "objbatch_session="]) {
        const r = await inSession({ ...session, cookie }, { path: "/api/v1/jobs" });
        assertProblem(r, 401, "unauthenticated");
      }
    });

    it("tells who the session is, and GET /session signed (no session) is 404", async () => {
      const session = await signIn(BOB);
      const me = await inSession(session, { path: "/api/v1/session" }, null);
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(me.json, session.answer.json, "the same session, the same CSRF token");
      assert.equal(me.headers["cache-control"], "no-store");
      assertProblem(await signed({ path: "/api/v1/session" }), 404, "no-session");
    });

    it("lets a signature win over a cookie: the signer's account, and no CSRF token needed", async () => {
      const alices = await signIn(ALICE);
      const asBob = await signed(
        { path: "/api/v1/jobs", query: { limit: "1000" }, headers: { cookie: alices.cookie } },
        BOB,
      );
      assert.equal(asBob.status, 200, asBob.text);
      assert.deepEqual(
        asBob.json.jobs.map((j: Json) => j.jobId),
        await jobIds(BOB),
      );
      const created = await signed(
        { method: "POST", path: "/api/v1/jobs", body: createRequest(), headers: { cookie: alices.cookie } },
        BOB,
      );
      assert.equal(created.status, 201, created.text);
      assert.ok((await jobIds(BOB)).includes(created.json.jobId));
      assert.ok(!(await jobIds(ALICE)).includes(created.json.jobId));
      // A bad signature is not rescued by a good cookie.
      const tampered = await client.call({
        path: "/api/v1/jobs",
        headers: { cookie: alices.cookie },
        credentials: { ...ALICE, secretAccessKey: "wrong" },
        signingDate: new Date(clock),
      });
      assertProblem(tampered, 401, "unauthenticated");
    });

    it("signs out: DELETE /session needs the CSRF token, revokes the session and clears the cookie", async () => {
      const session = await signIn();
      const other = await signIn();
      assertProblem(
        await inSession(session, { method: "DELETE", path: "/api/v1/session" }, null),
        403,
        "csrf-token-invalid",
      );
      assert.equal((await inSession(session, { path: "/api/v1/session" })).status, 200, "still signed in");
      const out = await inSession(session, { method: "DELETE", path: "/api/v1/session" });
      assert.equal(out.status, 204, out.text);
      const cleared = setCookieOf(out) ?? "";
      assert.match(cleared, /^objbatch_session=;/);
      assert.match(cleared, /Max-Age=0/);
      assert.match(cleared, /Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
      assert.match(cleared, /Path=\/api\/v1/);
      assertProblem(await inSession(session, { path: "/api/v1/jobs" }), 401, "unauthenticated");
      assertProblem(await inSession(session, { method: "DELETE", path: "/api/v1/session" }), 401, "unauthenticated");
      assert.equal((await inSession(other, { path: "/api/v1/jobs" })).status, 200, "the other session goes on");
    });

    it("revokes all of an account's sessions at once, signed or in a session, and no other account's", async () => {
      const first = await signIn(ALICE);
      const second = await signIn(ALICE);
      const bobs = await signIn(BOB);
      const r = await signed({ method: "DELETE", path: "/api/v1/sessions" });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.revoked >= 2, JSON.stringify(r.json));
      assert.equal(setCookieOf(r), undefined, "a signed request has no cookie to clear");
      const again = await signed({ method: "DELETE", path: "/api/v1/sessions" });
      assert.deepEqual(again.json, { revoked: 0 }, "none were left");
      for (const s of [first, second])
        assertProblem(await inSession(s, { path: "/api/v1/jobs" }), 401, "unauthenticated");
      assert.equal((await inSession(bobs, { path: "/api/v1/jobs" })).status, 200);

      const bobsOther = await signIn(BOB);
      assertProblem(
        await inSession(bobs, { method: "DELETE", path: "/api/v1/sessions" }, null),
        403,
        "csrf-token-invalid",
      );
      const inOne = await inSession(bobs, { method: "DELETE", path: "/api/v1/sessions" });
      assert.equal(inOne.status, 200, inOne.text);
      assert.ok(inOne.json.revoked >= 2, JSON.stringify(inOne.json));
      assert.match(setCookieOf(inOne) ?? "", /^objbatch_session=;.*Max-Age=0/);
      for (const s of [bobs, bobsOther])
        assertProblem(await inSession(s, { path: "/api/v1/jobs" }), 401, "unauthenticated");
    });

    it("ends a session left unused for the idle timeout, and one in use at its absolute end", async () => {
      const idle = await signIn();
      const busy = await signIn();
      const start = clock;
      // Used every 90 minutes, a session outlives its 2 h idle timeout; the idle one ends at 2 h.
      for (let step = 1; step <= 7; step++) {
        clock = start + step * 90 * 60_000;
        const r = await inSession(busy, { path: "/api/v1/session" });
        assert.equal(r.status, 200, `after ${step * 90} min: ${r.text}`);
        assert.equal(r.json.idleExpiresAt, new Date(Math.min(clock + 2 * HOUR, start + 12 * HOUR)).toISOString());
        if (step === 2) assertProblem(await inSession(idle, { path: "/api/v1/jobs" }), 401, "unauthenticated");
      }
      clock = start + 12 * HOUR - 1000;
      assert.equal((await inSession(busy, { path: "/api/v1/jobs" })).status, 200, "still within 12 h");
      clock = start + 12 * HOUR;
      assertProblem(await inSession(busy, { path: "/api/v1/jobs" }), 401, "unauthenticated");
    });

    it("ends a session whose access key is no longer configured", async () => {
      const session = await signIn(CAROL);
      const withoutCarol = await startJsonApiServer(store, [ALICE, BOB], { apiNow: () => clock });
      try {
        const there = new JsonApiClient(withoutCarol.url, ALICE, checker);
        const r = await there.call({ path: "/api/v1/jobs", unsigned: true, headers: { cookie: session.cookie } });
        assertProblem(r, 401, "unauthenticated");
        assert.match(r.json.detail, /no longer configured/);
      } finally {
        await withoutCarol.close();
      }
    });

    it("throttles failed sign-ins per key: 429 with Retry-After, right secret or not, until the window ends", async () => {
      const wrong = { accessKeyId: CAROL.accessKeyId, secretAccessKey: "guess" };
      const right = { accessKeyId: CAROL.accessKeyId, secretAccessKey: CAROL.secretAccessKey };
      for (let i = 0; i < 10; i++) assertProblem(await signInAnswer(wrong), 401, "sign-in-failed");
      for (const body of [wrong, right]) {
        const r = await signInAnswer(body);
        assertProblem(r, 429, "too-many-sign-in-failures");
        assert.equal(r.headers["retry-after"], "900");
      }
      assert.equal((await signInAnswer(ALICE_KEY)).status, 201, "other keys still sign in");
      clock += 15 * 60_000;
      assert.equal((await signInAnswer(right)).status, 201, "after the window");
    });

    it("sets the Secure attribute when the request comes over TLS", async () => {
      const tls = await startTlsFront(server);
      try {
        const answer = await httpsJson(tls.port, tls.cert, "/api/v1/session", {
          accessKeyId: ALICE.accessKeyId,
          secretAccessKey: ALICE.secretAccessKey,
        });
        assert.equal(answer.status, 201, answer.text);
        checker.check("POST", "/api/v1/session", answer);
        const attributes = (setCookieOf(answer) ?? "").split(/;\s*/);
        assert.ok(attributes.includes("Secure"), attributes.join("; "));
        assert.ok(attributes.includes("HttpOnly") && attributes.includes("SameSite=Strict"));
      } finally {
        await tls.close();
      }
    });

    if (kind === "postgres") {
      it("shares sessions between two API servers over one store: revoked on one, refused by the other at once", async () => {
        const connection = await openPostgres(store.url, 2);
        const secondStore: TestStore = {
          name: "postgres",
          store: new JobStore(connection),
          connection,
          url: store.url,
          dispose: () => connection.close(),
        };
        const second = await startJsonApiServer(secondStore, [ALICE, BOB, CAROL], { apiNow: () => clock });
        try {
          const there = new JsonApiClient(second.url, ALICE, checker);
          const session = await signIn(ALICE);
          const call = (path: string, method = "GET", csrf = true) =>
            there.call({
              method,
              path,
              unsigned: true,
              payloadHash: "none",
              headers: { cookie: session.cookie, ...(csrf ? { "x-csrf-token": session.csrfToken } : {}) },
            });
          const me = await call("/api/v1/session");
          assert.equal(me.status, 200, me.text);
          assert.deepEqual(me.json, session.answer.json);
          const created = await there.call({
            method: "POST",
            path: "/api/v1/jobs",
            body: createRequest(),
            unsigned: true,
            payloadHash: "none",
            headers: { cookie: session.cookie, "x-csrf-token": session.csrfToken },
          });
          assert.equal(created.status, 201, created.text);
          assert.ok((await jobIds(ALICE)).includes(created.json.jobId), "the first server sees the job");

          assert.equal((await call("/api/v1/session", "DELETE")).status, 204, "signed out through the second");
          assertProblem(await inSession(session, { path: "/api/v1/jobs" }), 401, "unauthenticated");
        } finally {
          await second.close();
          await secondStore.dispose();
        }
      });
    }
  });
}

/** A TLS listener on loopback that hands each decrypted connection to the API server's own HTTP server. */
async function startTlsFront(server: JsonApiServer): Promise<{ port: number; cert: Buffer; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "objbatch-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const cert = await readFile(join(dir, "cert.pem"));
  const tls: TlsServer = createTlsServer({ key: await readFile(join(dir, "key.pem")), cert }, (socket) => {
    server.http.emit("connection", socket);
  });
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  return {
    port: (tls.address() as AddressInfo).port,
    cert,
    async close() {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function httpsJson(port: number, ca: Buffer, path: string, body: unknown): Promise<Answer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        ca,
        agent: false,
        headers: { "content-type": "application/json", "content-length": String(payload.length) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: text ? JSON.parse(text) : undefined,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
