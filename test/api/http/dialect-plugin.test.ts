/**
 * The dialect plugin (src/api/http/dialect-plugin.ts) on its own, with a small dialect of the test's making (a
 * keyed-hash signature, an account header, an XML error format) over real HTTP and a real signature ledger
 * (SQLite): the order of its one authentication entry point (signature before the body whenever the scheme
 * allows, the account header after it, the body's checks, the binding of state changes), the ids on every
 * answer, and how each kind of failure is answered. The three real dialects are tested through their routes
 * (test/api/dialects/).
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../../src/accounts/types.js";
import { parseRequestTarget } from "../../../src/api/auth/request-target.js";
import {
  type DialectAuthentication,
  type DialectErrorFormat,
  dialectPlugin,
  type VerifiedSignature,
} from "../../../src/api/http/dialect-plugin.js";
import { DomainError, type DomainErrorKind } from "../../../src/domain/errors.js";
import { sqliteTestLedger, type TestLedger } from "../../helpers/signature-ledger.js";

const KEY = { accessKeyId: "TOYKEY", secretAccessKey: "toy-secret" };
const accounts = new StaticAccountRegistry([{ id: "111", keys: [KEY], buckets: ["*"] }]);
const MAX_BODY = 1024;

/** The toy signature: HMAC-SHA256 over method, target and, when `x-toy-body` is sent, the body's SHA-256. */
function toySignature(method: string, url: string, body?: string): string {
  const bodyHash = body === undefined ? "-" : createHash("sha256").update(body).digest("hex");
  return createHmac("sha256", KEY.secretAccessKey).update(`${method}\n${url}\n${bodyHash}`).digest("hex");
}

class ToyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS: Partial<Record<DomainErrorKind, number>> = {
  AccessDenied: 403,
  InvalidArgument: 400,
  MissingSecurityHeader: 403,
  NoSuchJob: 404,
  SignatureDoesNotMatch: 403,
};

const toyErrors: DialectErrorFormat<ToyError, { readonly requestId: string }> = {
  api: "Toy API",
  newIds: () => ({ requestId: `req-${Math.random().toString(16).slice(2)}` }),
  idHeaders: (ids) => ({ "x-toy-request-id": ids.requestId }),
  ownError: (error) => (error instanceof ToyError ? error : undefined),
  fromDomainError: (e) => new ToyError(STATUS[e.kind] ?? 500, e.kind, e.message),
  fromRejection: (r, max) =>
    r.kind === "body-too-large"
      ? new ToyError(413, "TooLarge", `over ${max} bytes`)
      : new ToyError(400, "Bad", r.message),
  internalError: new ToyError(500, "Internal", "internal"),
  render: (e, _request, ids) => `<E><C>${e.code}</C><M>${e.message}</M><R>${ids.requestId}</R></E>`,
};

/** What the authentication saw, in order, per request. */
const events: string[] = [];

const toyAuthentication: DialectAuthentication<VerifiedSignature> = {
  verifiesBeforeBody: (request) => request.headers["x-toy-body"] === undefined,
  verify: (request: FastifyRequest, body: Uint8Array | undefined) => {
    events.push(body === undefined ? "verify before body" : "verify with body");
    const header = request.headers["x-toy-signature"];
    if (typeof header !== "string") throw new DomainError("MissingSecurityHeader", "no signature");
    const [accessKeyId = "", signature = ""] = header.split(":");
    const found = accounts.byAccessKeyId(accessKeyId);
    if (found === undefined) throw new DomainError("SignatureDoesNotMatch", "unknown key");
    const text = body === undefined ? undefined : Buffer.from(body).toString("utf8");
    if (signature !== toySignature(request.method, request.url, text)) {
      throw new DomainError("SignatureDoesNotMatch", "wrong signature");
    }
    return {
      account: found.account,
      accessKeyId,
      target: parseRequestTarget(request.url),
      signature,
      validUntil: Date.now() + 60_000,
    };
  },
  accountHeader: { name: "x-toy-account", maxBytes: 8 },
  checkBody: (request) => {
    events.push("check body");
    if (request.headers["x-toy-refuse-body"] !== undefined) throw new ToyError(422, "BodyRefused", "refused");
  },
  bindingOf: (request) =>
    request.headers["x-toy-body"] === undefined ? { scheme: "toy", advice: "Sign the body." } : undefined,
};

let ledger: TestLedger;
let app: FastifyInstance;
let base: string;
const logged: string[] = [];

before(async () => {
  ledger = await sqliteTestLedger();
  const logger: FastifyBaseLogger = pino({ level: "error" }, { write: (line: string) => logged.push(line) });
  app = Fastify({ loggerInstance: logger });
  app.register(
    dialectPlugin({
      authentication: toyAuthentication,
      errors: toyErrors,
      signatureLedger: ledger.ledger,
      maxBodyBytes: MAX_BODY,
      prefix: "/toy",
      routes: (toy, { authenticated, routeOptions }) => {
        toy.get("/things", routeOptions, async (request) => {
          const { account, target } = authenticated(request);
          events.push("handler");
          return `${account.id} ${target.query.map((p) => `${p.name}=${p.value}`).join("&")}`;
        });
        toy.post("/things", routeOptions, async (request) => {
          authenticated(request);
          events.push("handler");
          return `got ${(request.body as Buffer | undefined)?.length ?? 0} bytes`;
        });
        toy.get("/missing", routeOptions, async () => {
          throw new DomainError("NoSuchJob", "no such thing");
        });
        toy.get("/boom", routeOptions, async () => {
          throw new Error("boom");
        });
        toy.setNotFoundHandler(async () => {
          throw new ToyError(404, "NoSuchResource", "nowhere");
        });
      },
    }),
  );
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === "object");
  base = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  await app.close();
  await ledger.dispose();
});

interface Sent {
  readonly account?: string;
  readonly signature?: string;
  readonly coverBody?: boolean;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

async function send(method: string, path: string, sent: Sent = {}) {
  events.length = 0;
  const signature = sent.signature ?? toySignature(method, path, sent.coverBody ? sent.body : undefined);
  const response = await fetch(`${base}${path}`, {
    method,
    body: sent.body,
    headers: {
      "x-toy-signature": `${KEY.accessKeyId}:${signature}`,
      "x-toy-account": sent.account ?? "111",
      ...(sent.coverBody ? { "x-toy-body": "1" } : {}),
      ...sent.headers,
    },
  });
  const text = await response.text();
  const requestId = response.headers.get("x-toy-request-id");
  assert.ok(requestId?.startsWith("req-"), `every answer carries its request id: ${text}`);
  if (response.status !== 200) assert.ok(text.endsWith(`<R>${requestId}</R></E>`), `the body names it too: ${text}`);
  return { status: response.status, text, events: [...events] };
}

describe("dialect plugin: one authentication entry point", () => {
  it("checks the signature before reading the body whenever the scheme allows, then the body, then the handler", async () => {
    const ok = await send("GET", "/toy/things?a=1");
    assert.deepEqual(ok, { status: 200, text: "111 a=1", events: ["verify before body", "check body", "handler"] });
    const tooLargeButUnsigned = await send("POST", "/toy/things", { signature: "bad", body: "x".repeat(MAX_BODY + 1) });
    assert.equal(tooLargeButUnsigned.status, 403, "a bad signature is answered before the body is read");
    assert.match(tooLargeButUnsigned.text, /<C>SignatureDoesNotMatch<\/C>/);
    assert.deepEqual(tooLargeButUnsigned.events, ["verify before body"]);
  });

  it("checks a signature that covers the body once the body has arrived", async () => {
    const r = await send("POST", "/toy/things", { coverBody: true, body: "hello" });
    assert.deepEqual(r, { status: 200, text: "got 5 bytes", events: ["verify with body", "check body", "handler"] });
    const tampered = await send("POST", "/toy/things", {
      coverBody: true,
      body: "hellO",
      signature: toySignature("POST", "/toy/things", "hello"),
    });
    assert.equal(tampered.status, 403);
    assert.deepEqual(tampered.events, ["verify with body"]);
  });

  it("requires the account header to be there, short enough and the signer's, after the signature", async () => {
    const missing = await send("GET", "/toy/things", { account: "" });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /<M>The x-toy-account header is required.<\/M>/);
    const long = await send("GET", "/toy/things", { account: "123456789" });
    assert.match(long.text, /<M>The x-toy-account header must be at most 8 bytes long.<\/M>/);
    const other = await send("GET", "/toy/things", { account: "222" });
    assert.equal(other.status, 403);
    assert.match(other.text, /<C>AccessDenied<\/C><M>The x-toy-account header does not name the account/);
    const unsignedOther = await send("GET", "/toy/things", { account: "222", signature: "bad" });
    assert.match(unsignedOther.text, /<C>SignatureDoesNotMatch<\/C>/, "the signature is checked first");
  });

  it("binds a state change under a signature that leaves the body out to its first request; reads are not bound", async () => {
    const signature = toySignature("POST", "/toy/things?bind=1");
    const first = await send("POST", "/toy/things?bind=1", { signature, body: "one" });
    assert.equal(first.status, 200, first.text);
    const retry = await send("POST", "/toy/things?bind=1", { signature, body: "one" });
    assert.equal(retry.status, 200, "an identical retry passes");
    const other = await send("POST", "/toy/things?bind=1", { signature, body: "two" });
    assert.equal(other.status, 403);
    assert.match(
      other.text,
      /<C>AccessDenied<\/C><M>This signature was already used for a different request.*Sign the body.<\/M>/,
    );
    assert.deepEqual(other.events, ["verify before body", "check body"], "refused before the handler runs");
    for (let i = 0; i < 2; i++) assert.equal((await send("GET", "/toy/things?read=1")).status, 200);
  });

  it("runs the body's checks before binding: a refused body binds nothing", async () => {
    const signature = toySignature("POST", "/toy/things?refused=1");
    const refused = await send("POST", "/toy/things?refused=1", {
      signature,
      body: "one",
      headers: { "x-toy-refuse-body": "1" },
    });
    assert.equal(refused.status, 422);
    assert.equal((await send("POST", "/toy/things?refused=1", { signature, body: "two" })).status, 200);
  });
});

describe("dialect plugin: every failure in the dialect's format", () => {
  it("answers the dialect's own errors, DomainErrors and Fastify's rejections as the dialect says", async () => {
    const missing = await send("GET", "/toy/missing");
    assert.equal(missing.status, 404);
    assert.match(missing.text, /^<E><C>NoSuchJob<\/C><M>no such thing<\/M>/);
    const tooLarge = await send("POST", "/toy/things", { body: "x".repeat(MAX_BODY + 1) });
    assert.equal(tooLarge.status, 413);
    assert.match(tooLarge.text, /^<E><C>TooLarge<\/C><M>over 1024 bytes<\/M>/);
  });

  it("answers an unexpected exception with the internal error and logs it", async () => {
    logged.length = 0;
    const r = await send("GET", "/toy/boom");
    assert.equal(r.status, 500);
    assert.match(r.text, /^<E><C>Internal<\/C><M>internal<\/M>/);
    assert.ok(
      logged.some((line) => line.includes("Toy API request failed unexpectedly") && line.includes("boom")),
      logged.join("\n"),
    );
  });

  it("serves its routes under its prefix, with its own not-found answer after authentication", async () => {
    const nowhere = await send("GET", "/toy/nowhere");
    assert.equal(nowhere.status, 404);
    assert.match(nowhere.text, /^<E><C>NoSuchResource<\/C>/);
    const unsigned = await send("GET", "/toy/nowhere", { signature: "bad" });
    assert.equal(unsigned.status, 403);
    assert.equal((await fetch(`${base}/things`)).status, 404, "nothing outside the prefix");
  });
});
