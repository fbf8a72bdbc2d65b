/**
 * The optional Content-MD5 request header: when a client sends it, it must be the base64 MD5 of the body that
 * arrived. The dialects word the refusal differently (COS and OSS tell a malformed digest from a wrong one,
 * S3 Control does not), so this module only judges the header; requireMatchingContentMd5 is the COS/OSS wording.
 */
import { createHash } from "node:crypto";
import { DomainError } from "../../domain/errors.js";

export type ContentMd5Verdict = "absent" | "matches" | "malformed" | "mismatch";

/** Judges a Content-MD5 header value (a repeated header counts as absent, as Node gives it as an array). */
export function contentMd5Verdict(header: string | string[] | undefined, body: Uint8Array): ContentMd5Verdict {
  if (typeof header !== "string") return "absent";
  const sent = Buffer.from(header.trim(), "base64");
  if (sent.length !== 16) return "malformed";
  return sent.equals(createHash("md5").update(body).digest()) ? "matches" : "mismatch";
}

/** Throws InvalidDigest (COS and OSS wording) unless the header is absent or matches the body. */
export function requireMatchingContentMd5(header: string | string[] | undefined, body: Uint8Array): void {
  const verdict = contentMd5Verdict(header, body);
  if (verdict === "malformed") throw new DomainError("InvalidDigest", "The Content-MD5 you specified is not valid.");
  if (verdict === "mismatch") {
    throw new DomainError("InvalidDigest", "The Content-MD5 you specified did not match what was received.");
  }
}
