/**
 * The optional Content-MD5 request header (src/api/http/content-md5.ts): absent (or repeated, which Node gives as
 * an array), matching the body, malformed (not 16 bytes of base64) or a mismatch; and the COS/OSS wording of a
 * refusal, which tells a malformed digest from a wrong one.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { contentMd5Verdict, requireMatchingContentMd5 } from "../../../src/api/http/content-md5.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";

const body = Buffer.from("<CreateJobRequest/>");
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64");

describe("contentMd5Verdict", () => {
  it("is absent without the header, or with it repeated", () => {
    assert.equal(contentMd5Verdict(undefined, body), "absent");
    assert.equal(contentMd5Verdict([md5(body), md5(body)], body), "absent");
  });

  it("matches the base64 MD5 of the body, around which whitespace is allowed", () => {
    assert.equal(contentMd5Verdict(md5(body), body), "matches");
    assert.equal(contentMd5Verdict(` ${md5(body)}\t`, body), "matches");
    assert.equal(contentMd5Verdict("1B2M2Y8AsgTpgAmY7PhCfg==", new Uint8Array()), "matches", "the empty body");
  });

  it("is a mismatch for the digest of other bytes", () => {
    assert.equal(contentMd5Verdict(md5(Buffer.from("<DeleteJobRequest/>")), body), "mismatch");
    assert.equal(contentMd5Verdict(md5(body), new Uint8Array()), "mismatch");
  });

  it("is malformed for what is not 16 bytes of base64: empty, hex, a SHA-256, text", () => {
    for (const header of [
      "",
      createHash("md5").update(body).digest("hex"),
      createHash("sha256").update(body).digest("base64"),
      "not a digest",
      "../../etc/passwd",
    ]) {
      assert.equal(contentMd5Verdict(header, body), "malformed", header);
    }
  });
});

describe("requireMatchingContentMd5", () => {
  it("lets an absent or matching header pass", () => {
    requireMatchingContentMd5(undefined, body);
    requireMatchingContentMd5(md5(body), body);
  });

  it("answers InvalidDigest, in words that tell malformed from wrong", () => {
    assertDomainError(
      () => requireMatchingContentMd5("nope", body),
      "InvalidDigest",
      "The Content-MD5 you specified is not valid.",
    );
    assertDomainError(
      () => requireMatchingContentMd5(md5(Buffer.from("other")), body),
      "InvalidDigest",
      "The Content-MD5 you specified did not match what was received.",
    );
  });
});
