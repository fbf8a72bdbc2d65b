/**
 * How the COS dialect authenticates a request (src/api/dialects/cos/authentication.ts), through the shared dialect
 * plugin on a real Fastify server (test/api/fixtures/dialect-probe.ts) with COS's own error format, requests
 * signed by the official cos-nodejs-sdk-v5 signer (test/helpers/cos-http.ts) against an injected clock: the
 * signature is checked before any body is read, `x-cos-appid` (at most 64 bytes) must name the signing account, a
 * sent Content-MD5 must match the body (malformed and wrong told apart), and every request that changes something
 * is bound to its signature under the scheme `cos`, with advice that names Content-MD5.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { StaticAccountRegistry } from "../../../../src/accounts/types.js";
import { COS_ACCOUNT_HEADER, cosAuthentication } from "../../../../src/api/dialects/cos/authentication.js";
import { COS_ERROR_FORMAT } from "../../../../src/api/dialects/cos/errors.js";
import { type CosAnswer, type CosCall, type Credentials, cosCall } from "../../../helpers/cos-http.js";
import { useDialectProbe } from "../../fixtures/dialect-probe.js";

const ROOT: Credentials = { appId: "1250000000", secretId: "AKIDcosauthroot00000001", secretKey: "cos-auth-root" };
const OTHER: Credentials = { appId: "1250000001", secretId: "AKIDcosauthother0000002", secretKey: "cos-auth-other" };
const accounts = new StaticAccountRegistry(
  [ROOT, OTHER].map((c) => ({
    id: c.appId,
    keys: [{ accessKeyId: c.secretId, secretAccessKey: c.secretKey }],
    buckets: ["*"],
  })),
);
const NOW = new Date("2024-05-06T07:08:09Z");
const MAX_BODY = 1024;

const probe = useDialectProbe(NOW, (now) => ({
  authentication: cosAuthentication(accounts, {}, now),
  errors: COS_ERROR_FORMAT,
  path: "/jobs",
  maxBodyBytes: MAX_BODY,
}));
/** Each call signs a window starting a second further back, so no two tests share a signature by accident. */
let nextStart = Math.floor(NOW.getTime() / 1000);

function keyTime(): string {
  const start = nextStart--;
  return `${start};${start + 900}`;
}

const call = (method: string, options: CosCall = {}) =>
  cosCall(probe.url, ROOT, method, "/jobs", { keyTime: keyTime(), ...options });

function assertCosError(r: CosAnswer, status: number, code: string, message?: RegExp | string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.xml?.Error?.Code, code, r.text);
  if (typeof message === "string") assert.equal(r.xml.Error.Message, message);
  else if (message !== undefined) assert.match(r.xml.Error.Message, message);
}

describe("COS authentication: the signature and the account", () => {
  it("returns the account of the key that signed", async () => {
    const root = await call("GET");
    assert.equal(root.status, 200, root.text);
    assert.deepEqual(JSON.parse(root.text), { account: ROOT.appId, accessKeyId: ROOT.secretId, body: "" });
    const other = await call("GET", { credentials: OTHER });
    assert.equal(other.status, 200, other.text);
    assert.equal(JSON.parse(other.text).account, OTHER.appId);
  });

  it("checks the signature before reading the body: a wrong one with a body over the limit is refused for its signature", async () => {
    const big = "x".repeat(MAX_BODY * 4);
    const forged = await call("POST", { body: big, credentials: { ...ROOT, secretKey: "not-the-secret" } });
    assertCosError(forged, 403, "SignatureDoesNotMatch");
    const signed = await call("POST", { body: big });
    assertCosError(
      signed,
      400,
      "EntityTooLarge",
      `Your proposed upload exceeds the maximum allowed size of ${MAX_BODY} bytes.`,
    );
  });

  it("reads the clock at every request: the same window is refused once the clock has passed it", async () => {
    const window = keyTime();
    assert.equal((await call("GET", { keyTime: window })).status, 200);
    probe.setClock(new Date(NOW.getTime() + 2 * 3600_000));
    assertCosError(await call("GET", { keyTime: window }), 403, "AccessDenied", /expired/);
  });

  it("requires x-cos-appid, at most 64 bytes, naming the signing account", async () => {
    assert.deepEqual(COS_ACCOUNT_HEADER, { name: "x-cos-appid", maxBytes: 64 });
    assertCosError(await call("GET", { noAppId: true }), 400, "InvalidArgument", "The x-cos-appid header is required.");
    // 64 bytes is a length the header may have: it is then compared with the account, and differs.
    assertCosError(
      await call("GET", { headers: { "x-cos-appid": "9".repeat(64) } }),
      403,
      "AccessDenied",
      "The x-cos-appid header does not name the account that signed the request.",
    );
    assertCosError(
      await call("GET", { headers: { "x-cos-appid": "9".repeat(65) } }),
      400,
      "InvalidArgument",
      "The x-cos-appid header must be at most 64 bytes long.",
    );
    assertCosError(await call("GET", { headers: { "x-cos-appid": OTHER.appId } }), 403, "AccessDenied", /x-cos-appid/);
    assertCosError(await call("GET", { headers: { "x-cos-appid": "../../etc/passwd" } }), 403, "AccessDenied");
  });
});

describe("COS authentication: Content-MD5", () => {
  const body = "<CreateJobRequest/>";

  it("accepts a body that matches its signed Content-MD5, and a body sent without one", async () => {
    const withMd5 = await call("POST", { body });
    assert.equal(withMd5.status, 200, withMd5.text);
    assert.equal(JSON.parse(withMd5.text).body, body);
    const without = await call("POST", { body, noContentMd5: true });
    assert.equal(without.status, 200, without.text);
  });

  it("tells a malformed Content-MD5 from one that does not match the body", async () => {
    assertCosError(
      await call("POST", { body, headers: { "content-md5": "not-a-digest" } }),
      400,
      "InvalidDigest",
      "The Content-MD5 you specified is not valid.",
    );
    const otherDigest = createHash("md5").update("<CreateJobRequest></CreateJobRequest>").digest("base64");
    assertCosError(
      await call("POST", { body, headers: { "content-md5": otherDigest } }),
      400,
      "InvalidDigest",
      "The Content-MD5 you specified did not match what was received.",
    );
    assertCosError(
      await call("GET", { headers: { "content-md5": otherDigest } }),
      400,
      "InvalidDigest",
      "The Content-MD5 you specified did not match what was received.",
    );
  });
});

describe("COS authentication: binding a signature to its request", () => {
  it("binds POST, PUT and DELETE under the scheme cos, and never a GET", async () => {
    for (const method of ["GET", "POST", "PUT", "DELETE"]) {
      const r = await call(method, method === "POST" ? { body: "<x/>" } : {});
      assert.equal(r.status, 200, `${method}: ${r.text}`);
    }
    assert.deepEqual(
      probe.bound.map((use) => [use.scheme, use.accessKeyId]),
      [
        ["cos", ROOT.secretId],
        ["cos", ROOT.secretId],
        ["cos", ROOT.secretId],
      ],
    );
    assert.equal(probe.bound[0]!.expiresAt > NOW.getTime(), true, "bound for as long as the signature is valid");
  });

  it("refuses the same signature with another body, with advice to sign a Content-MD5; an identical retry passes", async () => {
    const window = keyTime();
    const first = { keyTime: window, body: "<first/>", noContentMd5: true };
    assert.equal((await call("POST", first)).status, 200);
    assert.equal((await call("POST", first)).status, 200, "an identical retry");
    const replay = await call("POST", { ...first, body: "<other/>" });
    assertCosError(replay, 403, "AccessDenied", /already used for a different request/);
    assert.match(replay.xml.Error.Message, /sign a Content-MD5 header with every body/);
    assert.equal(probe.bound.length, 3);
    assert.equal(new Set(probe.bound.map((use) => use.signature)).size, 1, "one signature, three uses");
  });

  it("binds a request whose body a signed Content-MD5 covers too (a COS signature never covers the body)", async () => {
    const first = await call("POST", { body: "<same/>" });
    assert.equal(first.status, 200, first.text);
    assert.equal(probe.bound.length, 1);
    assert.equal(probe.bound[0]!.scheme, "cos");
  });
});
