/**
 * How the OSS dialect authenticates a request (src/api/dialects/oss/authentication.ts), through the shared dialect
 * plugin on a real Fastify server (test/api/fixtures/dialect-probe.ts) with OSS's own error format, requests
 * signed offline by the official ali-oss signer (test/helpers/oss-client.ts) at an injected time: an undecodable
 * batchJobId is refused first, with its EC; V1 and V4 signatures are checked before any body is read; the account
 * is the signer's (no account header); a sent Content-MD5 and a signed x-oss-content-sha256 must match the body;
 * V1 state changes are bound to their request (scheme `oss-v1`), and so are V4 ones whose body the signature does
 * not cover (`oss-v4`), while V4 ones that sign the body's hash or a Content-MD5 are not bound at all.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { StaticAccountRegistry } from "../../../../src/accounts/types.js";
import { ossAuthentication } from "../../../../src/api/dialects/oss/authentication.js";
import { OSS_EC, OSS_ERROR_FORMAT } from "../../../../src/api/dialects/oss/errors.js";
import { type OssCall, type OssCredentials, ossSign, ROOT_OSS } from "../../../helpers/oss-client.js";
import { type RawAnswer, rawHttpRequest } from "../../../helpers/raw-http.js";
import { useDialectProbe } from "../../fixtures/dialect-probe.js";

const OTHER: OssCredentials = { accessKeyId: "LTAIossauthother0002", accessKeySecret: "oss-auth-other-secret" };
const ACCOUNTS = { root: "1250000000", other: "1250000001" };
const accounts = new StaticAccountRegistry([
  {
    id: ACCOUNTS.root,
    keys: [{ accessKeyId: ROOT_OSS.accessKeyId, secretAccessKey: ROOT_OSS.accessKeySecret }],
    buckets: ["*"],
  },
  {
    id: ACCOUNTS.other,
    keys: [{ accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.accessKeySecret }],
    buckets: ["*"],
  },
]);
const NOW = new Date("2024-05-06T07:08:09Z");
const MAX_BODY = 1024;
const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true });

const probe = useDialectProbe(NOW, (now) => ({
  authentication: ossAuthentication(accounts, {}, now),
  errors: OSS_ERROR_FORMAT,
  path: "/",
  maxBodyBytes: MAX_BODY,
}));
/** Each signing time is a second further back, so no two requests share a signature by accident. */
let nextMs = NOW.getTime();

function nextSigningTime(): Date {
  nextMs -= 1000;
  return new Date(nextMs);
}

interface Answer extends RawAnswer {
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML or JSON of any shape
  readonly parsed: any;
}

interface Signed {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
}

/** Signs with ali-oss's signUtils at a fresh time (unless `date` is given). */
function sign(call: OssCall): Signed {
  const date = call.date ?? nextSigningTime();
  const { url, headers } = ossSign(probe.url, { ...call, date });
  const { host: _host, ...sent } = headers;
  return { url, method: call.method ?? "GET", headers: sent };
}

/** Sends a signed request as it is, with `body` (default none), and `search` as its query when given. */
async function send(signed: Signed, body?: string, search?: string): Promise<Answer> {
  const url = new URL(signed.url.pathname + (search ?? signed.url.search), signed.url);
  const headers = {
    ...signed.headers,
    ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
  };
  const r = await rawHttpRequest(url, { method: signed.method, headers }, (req) => req.end(body));
  const json = r.headers["content-type"]?.toString().startsWith("application/json");
  return { ...r, parsed: r.text === "" ? undefined : json ? JSON.parse(r.text) : parser.parse(r.text) };
}

const signAndSend = (call: OssCall) => send(sign(call), call.body === undefined ? undefined : String(call.body));

function assertOssError(r: Answer, status: number, code: string, message?: RegExp | string, ec?: string): void {
  assert.equal(r.status, status, r.text);
  const e = r.parsed?.Error;
  assert.equal(e?.Code, code, r.text);
  if (typeof message === "string") assert.equal(e.Message, message);
  else if (message !== undefined) assert.match(e.Message, message);
  if (ec !== undefined) assert.equal(e.EC, ec, r.text);
}

describe("OSS authentication: the signature and the account", () => {
  for (const v4 of [false, true]) {
    it(`returns the account of the key that signed, with no account header (${v4 ? "V4" : "V1"})`, async () => {
      const root = await signAndSend({ subres: "batchJob", v4 });
      assert.equal(root.status, 200, root.text);
      assert.deepEqual(root.parsed, { account: ACCOUNTS.root, accessKeyId: ROOT_OSS.accessKeyId, body: "" });
      const other = await signAndSend({ subres: "batchJob", v4, credentials: OTHER });
      assert.equal(other.status, 200, other.text);
      assert.equal(other.parsed.account, ACCOUNTS.other);
    });
  }

  it("checks the signature before reading the body: a wrong one with a body over the limit is refused for its signature", async () => {
    const big = "x".repeat(MAX_BODY * 4);
    const wrongSecret = { ...ROOT_OSS, accessKeySecret: "not-the-secret" };
    for (const v4 of [false, true]) {
      const forged = await signAndSend({ method: "POST", subres: "batchJob", body: big, v4, credentials: wrongSecret });
      assertOssError(forged, 403, "SignatureDoesNotMatch", undefined, OSS_EC.signatureDoesNotMatch);
    }
    const signed = await signAndSend({ method: "POST", subres: "batchJob", body: big });
    assertOssError(
      signed,
      400,
      "EntityTooLarge",
      `Your proposed upload exceeds the maximum allowed size of ${MAX_BODY} bytes.`,
    );
  });

  it("refuses a batchJobId that is not valid percent-encoding first, with its EC, even before the signature", async () => {
    const unsigned = sign({ subres: "batchJob", unsigned: true });
    assertOssError(await send(unsigned), 403, "AccessDenied", /Anonymous access/);
    for (const bad of ["%E0%A4%A", "%", "%zz", "%C0%AF"]) {
      const r = await send(unsigned, undefined, `?batchJob&batchJobId=${bad}`);
      assertOssError(r, 400, "InvalidArgument", "The batchJobId is not a valid job ID.", OSS_EC.invalidJobId);
    }
    // Well-encoded ids pass authentication as they are; what an id may be is the routes' business.
    const hostile = await signAndSend({ subres: "batchJob", query: { batchJobId: "../../etc/passwd" }, v4: true });
    assert.equal(hostile.status, 200, hostile.text);
  });
});

describe("OSS authentication: the body", () => {
  const body = "<CreateJobRequest/>";
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

  it("checks a sent Content-MD5 against the body", async () => {
    const signed = sign({ method: "POST", subres: "batchJob", body });
    const ok = await send(signed, body);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.parsed.body, body);
    const other = "<CreateJobRequest></CreateJobRequest>";
    assertOssError(
      await send(signed, other),
      400,
      "InvalidDigest",
      "The Content-MD5 you specified did not match what was received.",
    );
  });

  it("checks the body against a V4 signature's signed x-oss-content-sha256", async () => {
    const signed = sign({
      method: "POST",
      subres: "batchJob",
      v4: true,
      headers: { "x-oss-content-sha256": sha256(body) },
    });
    assert.equal(signed.headers["content-md5"], undefined);
    const ok = await send(signed, body);
    assert.equal(ok.status, 200, ok.text);
    assertOssError(
      await send(signed, body.replace("Create", "Delete")),
      400,
      "InvalidDigest",
      "The x-oss-content-sha256 you specified did not match what was received.",
    );
  });
});

describe("OSS authentication: binding a signature to its request", () => {
  it("binds a V1 state change under oss-v1, never a V1 read", async () => {
    assert.equal((await signAndSend({ subres: "batchJob" })).status, 200);
    assert.equal(probe.bound.length, 0);
    const post = await signAndSend({ method: "POST", subres: "batchJobStatus", query: { batchJobId: "a" } });
    assert.equal(post.status, 200, post.text);
    assert.deepEqual(
      probe.bound.map((use) => [use.scheme, use.accessKeyId]),
      [["oss-v1", ROOT_OSS.accessKeyId]],
    );
  });

  it("refuses a V1 signature with another batchJobId, advising V4; an identical retry passes", async () => {
    const signed = sign({
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: "job-x", requestedJobStatus: "Ready" },
    });
    assert.equal((await send(signed)).status, 200);
    assert.equal((await send(signed)).status, 200, "an identical retry");
    const replay = await send(signed, undefined, "?batchJobStatus&batchJobId=job-y&requestedJobStatus=Cancelled");
    assertOssError(replay, 403, "AccessDenied", /already used for a different request/);
    assert.match(replay.parsed.Error.Message, /sign with V4 \(OSS4-HMAC-SHA256\)/);
  });

  it("binds a V4 state change whose body is unsigned (UNSIGNED-PAYLOAD, no Content-MD5) under oss-v4", async () => {
    const signed = sign({ method: "POST", subres: "batchJob", v4: true });
    assert.equal(signed.headers["x-oss-content-sha256"], "UNSIGNED-PAYLOAD");
    assert.equal((await send(signed, "<first/>")).status, 200);
    const replay = await send(signed, "<other/>");
    assertOssError(replay, 403, "AccessDenied", /already used for a different request/);
    assert.match(replay.parsed.Error.Message, /sign its body \(x-oss-content-sha256 or Content-MD5\)/);
    assert.deepEqual(
      probe.bound.map((use) => use.scheme),
      ["oss-v4", "oss-v4"],
    );
  });

  it("does not bind a V4 state change whose signature covers the body (a signed hash or a Content-MD5)", async () => {
    const body = "<CreateJobRequest/>";
    const withMd5 = await signAndSend({ method: "POST", subres: "batchJob", v4: true, body });
    assert.equal(withMd5.status, 200, withMd5.text);
    const hash = createHash("sha256").update(body).digest("hex");
    const withHash = sign({ method: "POST", subres: "batchJob", v4: true, headers: { "x-oss-content-sha256": hash } });
    assert.equal((await send(withHash, body)).status, 200);
    assert.equal(probe.bound.length, 0);
  });
});
