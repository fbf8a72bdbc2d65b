/**
 * How the S3 Control dialect authenticates a request (src/api/dialects/s3control/authentication.ts), through the
 * shared dialect plugin on a real Fastify server (test/api/fixtures/dialect-probe.ts) under `/v20180820`, with S3
 * Control's own error format and requests signed by @smithy/signature-v4 (test/helpers/s3control-client.ts) at an
 * injected time: a signature is checked before the body is read when it carries x-amz-content-sha256 or is a
 * presigned URL, and after it otherwise (the body's hash is then part of it); x-amz-account-id must name the signing
 * account; a Content-MD5 that is malformed or wrong gets one message; a state change whose body the signature does
 * not cover is bound to its signature under the scheme `sigv4`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { StaticAccountRegistry } from "../../../../src/accounts/types.js";
import { s3ControlAuthentication } from "../../../../src/api/dialects/s3control/authentication.js";
import { S3CONTROL_ERROR_FORMAT } from "../../../../src/api/dialects/s3control/errors.js";
import {
  type RawAnswer,
  ROOT_S3CONTROL,
  type S3ControlCredentials,
  type SignedCall,
  signedCall,
} from "../../../helpers/s3control-client.js";
import { useDialectProbe } from "../../fixtures/dialect-probe.js";

const OTHER: S3ControlCredentials = {
  accountId: "123456789012",
  accessKeyId: "AKIAS3CAUTHOTHER0002",
  secretAccessKey: "s3control-auth-other-secret",
};
const accounts = new StaticAccountRegistry(
  [ROOT_S3CONTROL, OTHER].map((c) => ({
    id: c.accountId,
    keys: [{ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }],
    buckets: ["*"],
  })),
);
const NOW = new Date("2024-05-06T07:08:09Z");
const MAX_BODY = 1024;
const PATH = "/v20180820/jobs";
const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true });

const probe = useDialectProbe(NOW, (now) => ({
  authentication: s3ControlAuthentication(accounts, {}, now),
  errors: S3CONTROL_ERROR_FORMAT,
  prefix: "/v20180820",
  path: "/jobs",
  maxBodyBytes: MAX_BODY,
}));
/** Each signing time is a second further back, so no two requests share a signature by accident. */
let nextMs = NOW.getTime();

function nextSigningTime(): Date {
  nextMs -= 1000;
  return new Date(nextMs);
}

const call = (c: Partial<SignedCall> = {}) =>
  signedCall(probe.url, { path: PATH, signingDate: nextSigningTime(), ...c });

function assertS3ControlError(r: RawAnswer, status: number, code: string, message?: RegExp | string): void {
  assert.equal(r.status, status, r.text);
  const error = parser.parse(r.text).ErrorResponse?.Error;
  assert.equal(error?.Code, code, r.text);
  if (typeof message === "string") assert.equal(error.Message, message);
  else if (message !== undefined) assert.match(error.Message, message);
}

describe("S3 Control authentication: the signature and the account", () => {
  it("returns the account of the key that signed", async () => {
    const root = await call();
    assert.equal(root.status, 200, root.text);
    assert.deepEqual(JSON.parse(root.text), {
      account: ROOT_S3CONTROL.accountId,
      accessKeyId: ROOT_S3CONTROL.accessKeyId,
      body: "",
    });
    const other = await call({ credentials: OTHER });
    assert.equal(other.status, 200, other.text);
    assert.equal(JSON.parse(other.text).account, OTHER.accountId);
  });

  it("requires x-amz-account-id to name the signing account, whatever its length", async () => {
    assertS3ControlError(
      await call({ noAccountId: true }),
      400,
      "BadRequestException",
      "The x-amz-account-id header is required.",
    );
    assertS3ControlError(
      await call({ headers: { "x-amz-account-id": "1".repeat(200) } }),
      403,
      "AccessDenied",
      "The x-amz-account-id header does not name the account that signed the request.",
    );
  });

  it("reads the clock at every request: the same signing time is refused once the clock has moved on", async () => {
    const signingDate = nextSigningTime();
    assert.equal((await call({ signingDate })).status, 200);
    probe.setClock(new Date(NOW.getTime() + 3600_000));
    assertS3ControlError(await call({ signingDate }), 403, "RequestTimeTooSkewed");
  });
});

describe("S3 Control authentication: before or after the body", () => {
  const big = "x".repeat(MAX_BODY * 4);
  const wrongSecret = { ...ROOT_S3CONTROL, secretAccessKey: "not-the-secret" };
  const tooLarge = `The request body exceeds the maximum allowed size of ${MAX_BODY} bytes.`;

  it("with x-amz-content-sha256, checks the signature first: a wrong one with a body over the limit is refused for it", async () => {
    const r = await call({ method: "POST", body: big, credentials: wrongSecret });
    assertS3ControlError(r, 403, "SignatureDoesNotMatch");
  });

  it("with a presigned URL, checks the signature first too", async () => {
    const r = await call({ method: "POST", body: big, credentials: wrongSecret, presignSeconds: 300 });
    assertS3ControlError(r, 403, "SignatureDoesNotMatch");
  });

  it("without x-amz-content-sha256, reads the body first: its hash is part of the signature", async () => {
    const forged = await call({ method: "POST", body: big, credentials: wrongSecret, noPayloadHashHeader: true });
    assertS3ControlError(forged, 400, "BadRequestException", tooLarge);
    const body = "<CreateJobRequest/>";
    const signed = await call({ method: "POST", body, noPayloadHashHeader: true });
    assert.equal(signed.status, 200, signed.text);
    assert.equal(JSON.parse(signed.text).body, body);
    const swapped = await call({
      method: "POST",
      body,
      noPayloadHashHeader: true,
      afterSigning: (r) => {
        r.body = Buffer.from(body.replace("Create", "Delete"));
      },
    });
    assertS3ControlError(swapped, 403, "SignatureDoesNotMatch");
  });
});

describe("S3 Control authentication: the body", () => {
  const body = "<CreateJobRequest/>";
  const other = "<DeleteJobRequest/>";

  it("refuses a body whose SHA-256 differs from x-amz-content-sha256", async () => {
    const r = await call({
      method: "POST",
      body,
      afterSigning: (sent) => {
        sent.body = Buffer.from(other);
      },
    });
    assertS3ControlError(
      r,
      400,
      "XAmzContentSHA256Mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  });

  it("answers a malformed Content-MD5 and a wrong one with the same message", async () => {
    const message = "The Content-MD5 you specified did not match what was received.";
    const wrong = createHash("md5").update(other).digest("base64");
    for (const md5 of ["not-a-digest", wrong]) {
      const r = await call({ method: "POST", body, headers: { "content-md5": md5 } });
      assertS3ControlError(r, 400, "BadRequestException", message);
    }
    const right = createHash("md5").update(body).digest("base64");
    const ok = await call({ method: "POST", body, headers: { "content-md5": right } });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe("S3 Control authentication: binding a signature to its request", () => {
  const body = "<CreateJobRequest/>";
  const unsigned = { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };

  it("does not bind a state change whose signature covers the body (its hash, or a signed Content-MD5)", async () => {
    assert.equal((await call({ method: "POST", body })).status, 200);
    assert.equal((await call({ method: "POST", body, noPayloadHashHeader: true })).status, 200);
    const md5 = createHash("md5").update(body).digest("base64");
    const withMd5 = await call({ method: "POST", body, headers: { ...unsigned, "content-md5": md5 } });
    assert.equal(withMd5.status, 200, withMd5.text);
    assert.equal(probe.bound.length, 0);
  });

  it("binds UNSIGNED-PAYLOAD and presigned state changes under sigv4, and never a read", async () => {
    assert.equal((await call({ headers: unsigned })).status, 200);
    assert.equal((await call({ presignSeconds: 300 })).status, 200);
    assert.equal(probe.bound.length, 0);
    assert.equal((await call({ method: "POST", body, headers: unsigned })).status, 200);
    assert.equal((await call({ method: "DELETE", presignSeconds: 300 })).status, 200);
    assert.deepEqual(
      probe.bound.map((use) => [use.scheme, use.accessKeyId]),
      [
        ["sigv4", ROOT_S3CONTROL.accessKeyId],
        ["sigv4", ROOT_S3CONTROL.accessKeyId],
      ],
    );
  });

  it("refuses an UNSIGNED-PAYLOAD signature with another body, advising to sign the hash; an identical retry passes", async () => {
    const first = { method: "POST", body, headers: unsigned, signingDate: nextSigningTime() };
    assert.equal((await call(first)).status, 200);
    assert.equal((await call(first)).status, 200, "an identical retry");
    // The signer signs Content-Length: the other body has the same length.
    const replay = await call({
      ...first,
      afterSigning: (sent) => {
        sent.body = Buffer.from(body.replace("Create", "Delete"));
      },
    });
    assertS3ControlError(replay, 403, "AccessDenied", /already used for a different request/);
    assert.match(replay.text, /send its SHA-256 in x-amz-content-sha256/);
  });
});
