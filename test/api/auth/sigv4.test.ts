/**
 * SigV4 verification (src/api/auth/sigv4.ts) against signatures made independently in the test by
 * @smithy/signature-v4 (the AWS SDK's signer): header and presigned forms, both Host forms, tampering, clock
 * skew, expiry, payload hashes, unknown keys, wrong service and region restrictions.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { StaticAccountRegistry } from "../../../src/accounts/types.js";
import { checkPayloadHash, type SigV4Input, type SigV4Options, verifySigV4 } from "../../../src/api/auth/sigv4.js";
import { type DomainErrorKind, isDomainError } from "../../../src/domain/errors.js";

const KEY = { accessKeyId: "AKIASIGV4TEST0000001", secretAccessKey: "sigv4-test-secret/with+odd=chars" };
const accounts = new StaticAccountRegistry([{ id: "123456789012", keys: [KEY], buckets: ["*"] }]);
const NOW = new Date("2024-05-06T07:08:09Z");

interface Req {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  region?: string;
  service?: string;
  date?: Date;
  secret?: string;
  uriEscapePath?: boolean;
  noPayloadHash?: boolean;
}

function signer(r: Req) {
  return new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: r.secret ?? KEY.secretAccessKey },
    region: r.region ?? "us-east-1",
    service: r.service ?? "s3",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: r.uriEscapePath ?? true,
    applyChecksum: !r.noPayloadHash,
  });
}

function toUrl(path: string, query: Record<string, string | string[] | null | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const value of Array.isArray(v) ? v : [v ?? ""]) {
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(value)}`);
    }
  }
  return parts.length === 0 ? path : `${path}?${parts.join("&")}`;
}

function baseRequest(r: Req) {
  const body = r.body ?? "";
  const headers: Record<string, string> = {
    host: "127.0.0.1:8080",
    "x-amz-account-id": "123456789012",
    ...(r.noPayloadHash ? {} : { "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") }),
    ...r.headers,
  };
  return {
    method: r.method ?? "GET",
    protocol: "http:",
    hostname: headers.host!.split(":")[0]!,
    path: r.path ?? "/v20180820/jobs",
    query: r.query ?? {},
    headers,
    body: body === "" ? undefined : body,
  };
}

/** A header-signed request as objbatch receives it. */
async function signed(r: Req = {}): Promise<SigV4Input> {
  const request = baseRequest(r);
  const out = await signer(r).sign(request, { signingDate: r.date ?? NOW });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.headers)) headers[k.toLowerCase()] = String(v);
  return {
    method: request.method,
    url: toUrl(request.path, request.query),
    headers,
    body: Buffer.from(r.body ?? ""),
  };
}

async function presigned(r: Req & { expires?: number } = {}): Promise<SigV4Input> {
  const request = baseRequest({ ...r, noPayloadHash: true });
  const out = await signer(r).presign(request, {
    signingDate: r.date ?? NOW,
    expiresIn: r.expires ?? 300,
    unhoistableHeaders: new Set(Object.keys(request.headers)),
  });
  return { method: request.method, url: toUrl(request.path, out.query ?? {}), headers: request.headers };
}

async function rejects(input: SigV4Input, kind: DomainErrorKind, options: SigV4Options = {}, message?: RegExp) {
  await assert.rejects(verifySigV4(input, accounts, { now: NOW, ...options }), (e: unknown) => {
    assert.ok(isDomainError(e), String(e));
    assert.equal(e.kind, kind, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe("SigV4 header signatures", () => {
  it("accepts a request signed by @smithy/signature-v4 and returns the account and region", async () => {
    const v = await verifySigV4(
      await signed({ region: "eu-central-1", query: { jobStatuses: ["Active", "Complete"], maxResults: "5" } }),
      accounts,
      { now: NOW },
    );
    assert.equal(v.account.id, "123456789012");
    assert.equal(v.region, "eu-central-1");
    assert.equal(v.accessKeyId, KEY.accessKeyId);
    assert.equal(v.presigned, false);
    assert.deepEqual(
      v.target.query.map((p) => p.value),
      ["Active", "Complete", "5"],
    );
  });

  it("accepts both Host forms: 127.0.0.1:PORT and <account>.localhost:PORT", async () => {
    for (const host of ["127.0.0.1:8080", "123456789012.localhost:8080", "123456789012.s3-control.example.com"]) {
      const v = await verifySigV4(await signed({ headers: { host } }), accounts, { now: NOW });
      assert.equal(v.account.id, "123456789012", host);
    }
  });

  it("accepts a POST with a body, its hash in x-amz-content-sha256", async () => {
    const input = await signed({
      method: "POST",
      body: "<CreateJobRequest/>",
      headers: { "content-type": "application/xml" },
    });
    await verifySigV4(input, accounts, { now: NOW });
    assert.equal(checkPayloadHash(input.headers["x-amz-content-sha256"] as string, input.body), true);
  });

  it("accepts a request without x-amz-content-sha256, hashing the body itself", async () => {
    const input = await signed({ method: "PUT", body: "<PutJobTaggingRequest/>", noPayloadHash: true });
    assert.equal(input.headers["x-amz-content-sha256"], undefined);
    await verifySigV4(input, accounts, { now: NOW });
    await rejects(
      { ...input, body: Buffer.from("<PutJobTaggingRequest></PutJobTaggingRequest>") },
      "SignatureDoesNotMatch",
    );
  });

  it("accepts UNSIGNED-PAYLOAD", async () => {
    const input = await signed({
      method: "POST",
      body: "anything",
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    });
    await verifySigV4(input, accounts, { now: NOW });
    assert.equal(checkPayloadHash("UNSIGNED-PAYLOAD", Buffer.from("anything")), true);
  });

  it("verifies paths signed with and without SigV4's extra path escaping", async () => {
    for (const uriEscapePath of [true, false]) {
      const path = "/v20180820/jobs/a%20b%2Bc/tagging";
      await verifySigV4(await signed({ path, uriEscapePath }), accounts, { now: NOW });
    }
  });

  it("rejects a tampered query, path, signed header, method or signature", async () => {
    const input = await signed({ method: "POST", path: "/v20180820/jobs/abcde/priority", query: { priority: "5" } });
    await rejects({ ...input, url: input.url.replace("priority=5", "priority=6") }, "SignatureDoesNotMatch");
    await rejects({ ...input, url: `${input.url}&extra=1` }, "SignatureDoesNotMatch");
    await rejects({ ...input, url: input.url.replace("abcde", "abcdf") }, "SignatureDoesNotMatch");
    await rejects({ ...input, method: "GET" }, "SignatureDoesNotMatch");
    await rejects(
      { ...input, headers: { ...input.headers, "x-amz-account-id": "999999999999" } },
      "SignatureDoesNotMatch",
    );
    await rejects({ ...input, headers: { ...input.headers, host: "evil.example:8080" } }, "SignatureDoesNotMatch");
    const auth = input.headers.authorization as string;
    const flipped = auth.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === "0" ? "1" : "0"}`);
    await rejects({ ...input, headers: { ...input.headers, authorization: flipped } }, "SignatureDoesNotMatch");
    const { "x-amz-account-id": _dropped, ...missing } = input.headers;
    await rejects({ ...input, headers: missing }, "SignatureDoesNotMatch", {}, /x-amz-account-id/);
  });

  it("rejects a body hash header changed after signing", async () => {
    const input = await signed({ method: "POST", body: "<a/>" });
    const other = createHash("sha256").update("<b/>").digest("hex");
    await rejects({ ...input, headers: { ...input.headers, "x-amz-content-sha256": other } }, "SignatureDoesNotMatch");
  });

  it("reports a body that does not match its signed hash (checked once the body has arrived)", () => {
    const hash = createHash("sha256").update("<a/>").digest("hex");
    assert.equal(checkPayloadHash(hash, Buffer.from("<a/>")), true);
    assert.equal(checkPayloadHash(hash, Buffer.from("<b/>")), false);
    assert.equal(checkPayloadHash(createHash("sha256").update("").digest("hex"), undefined), true);
    assert.throws(() => checkPayloadHash("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", Buffer.alloc(0)), isDomainError);
  });

  it("rejects a wrong secret, an unknown key, another service and a malformed header", async () => {
    await rejects(await signed({ secret: "not-the-secret" }), "SignatureDoesNotMatch");
    const input = await signed();
    const auth = input.headers.authorization as string;
    await rejects(
      { ...input, headers: { ...input.headers, authorization: auth.replace(KEY.accessKeyId, "AKIAUNKNOWN000000000") } },
      "InvalidAccessKeyId",
    );
    await rejects(await signed({ service: "s3-control" }), "MissingSecurityHeader", {}, /service/);
    await rejects({ ...input, headers: { ...input.headers, authorization: "AWS AKIA:abc" } }, "MissingSecurityHeader");
    await rejects(
      { ...input, headers: { ...input.headers, authorization: auth.replace(/Signature=\w+/, "Signature=zz") } },
      "MissingSecurityHeader",
    );
    const { authorization: _a, ...unsigned } = input.headers;
    await rejects({ ...input, headers: unsigned }, "MissingSecurityHeader");
  });

  it("rejects a request outside the 15-minute clock-skew window, either way", async () => {
    const late = await signed({ date: new Date(NOW.getTime() - 16 * 60_000) });
    await rejects(late, "RequestTimeTooSkewed");
    const early = await signed({ date: new Date(NOW.getTime() + 16 * 60_000) });
    await rejects(early, "RequestTimeTooSkewed");
    await verifySigV4(await signed({ date: new Date(NOW.getTime() - 14 * 60_000) }), accounts, { now: NOW });
    await rejects(late, "RequestTimeTooSkewed", { clockSkewSeconds: 60 });
  });

  it("rejects an x-amz-date that disagrees with the credential scope", async () => {
    const input = await signed();
    await rejects(
      { ...input, headers: { ...input.headers, "x-amz-date": "20240507T000100Z" } },
      "RequestTimeTooSkewed",
    );
    await rejects(
      { ...input, headers: { ...input.headers, "x-amz-date": "2024-05-06T07:08:09Z" } },
      "MissingSecurityHeader",
    );
  });

  it("restricts regions when told to", async () => {
    const input = await signed({ region: "ap-south-1" });
    await rejects(input, "AccessDenied", { regions: ["us-east-1", "eu-west-1"] });
    await verifySigV4(input, accounts, { now: NOW, regions: ["ap-south-1"] });
  });

  it("refuses temporary credentials (session tokens)", async () => {
    const input = await signed({ headers: { "x-amz-security-token": "token" } });
    await rejects(input, "AccessDenied");
  });
});

describe("SigV4 presigned URLs", () => {
  it("accepts a presigned URL within its lifetime, for both Host forms", async () => {
    for (const host of ["127.0.0.1:8080", "123456789012.localhost:8080"]) {
      const input = await presigned({ headers: { host }, query: { maxResults: "3" } });
      const v = await verifySigV4(input, accounts, { now: new Date(NOW.getTime() + 299_000) });
      assert.equal(v.presigned, true);
      assert.equal(v.account.id, "123456789012");
    }
  });

  it("rejects an expired presigned URL and one used long before its date", async () => {
    const input = await presigned({ expires: 60 });
    await rejects(input, "ExpiredToken", { now: new Date(NOW.getTime() + 61_000) });
    await rejects(input, "ExpiredToken", { now: new Date(NOW.getTime() - 3_600_000) });
  });

  it("rejects a tampered presigned URL", async () => {
    const input = await presigned({ query: { maxResults: "3" } });
    await rejects({ ...input, url: input.url.replace("maxResults=3", "maxResults=4") }, "SignatureDoesNotMatch");
    await rejects(
      { ...input, url: input.url.replace("X-Amz-Expires=300", "X-Amz-Expires=301") },
      "SignatureDoesNotMatch",
    );
    await rejects(
      { ...input, url: input.url.replace("X-Amz-Expires=300", "X-Amz-Expires=999999999") },
      "MissingSecurityHeader",
    );
    await rejects({ ...input, headers: { ...input.headers, host: "other:1" } }, "SignatureDoesNotMatch");
  });
});

describe("SigV4: whether the signature covers the body, and until when it is valid", () => {
  const verify = async (input: SigV4Input) => verifySigV4(input, accounts, { now: NOW });

  it("a signed payload hash or a signed Content-MD5 covers the body; UNSIGNED-PAYLOAD and presigned URLs do not", async () => {
    const body = "<CreateJobRequest/>";
    const md5 = createHash("md5").update(body).digest("base64");
    assert.equal((await verify(await signed({ method: "POST", body }))).coversBody, true);
    assert.equal((await verify(await signed({ method: "POST", body, noPayloadHash: true }))).coversBody, true);
    const unsigned = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
    assert.equal((await verify(await signed({ method: "POST", body, headers: unsigned }))).coversBody, false);
    assert.equal(
      (await verify(await signed({ method: "POST", body, headers: { ...unsigned, "content-md5": md5 } }))).coversBody,
      true,
    );
    assert.equal((await verify(await presigned({ method: "POST" }))).coversBody, false);
  });

  it("says until when: the header date plus the skew allowance, or a presigned URL's expiry", async () => {
    const header = await verify(await signed());
    assert.equal(header.validUntil, NOW.getTime() + 900_000 + 1);
    assert.match(header.signature, /^[0-9a-f]{64}$/);
    assert.equal((await verify(await presigned({ expires: 60 }))).validUntil, NOW.getTime() + 60_000 + 1);
  });
});
