/**
 * How the S3 Control dialect authenticates a request, for the dialect plugin (http/dialect-plugin.ts): AWS SigV4
 * (service `s3`, any region; auth/sigv4.ts), checked before the body is read when the request carries
 * x-amz-content-sha256 or a presigned query (the signature then does not depend on the body), otherwise once the
 * body has arrived (its hash is then part of the signature); then `x-amz-account-id` must name the signing
 * account.
 *
 * A body whose SHA-256 differs from x-amz-content-sha256 is refused; a Content-MD5, when sent, must match the
 * body (one message for a malformed digest and a wrong one, unlike COS and OSS). A request that changes
 * something under a signature that does not cover its body (UNSIGNED-PAYLOAD, or a presigned URL, without a signed
 * Content-MD5) is bound to that signature, as COS requests are (auth/signature-binding.ts); the AWS SDKs and CLI
 * always sign the body's hash.
 */
import type { AccountRegistry } from "../../../accounts/types.js";
import { DomainError } from "../../../domain/errors.js";
import { checkPayloadHash, type SigV4Options, type SigV4Verified, verifySigV4 } from "../../auth/sigv4.js";
import { contentMd5Verdict } from "../../http/content-md5.js";
import type { DialectAuthentication } from "../../http/dialect-plugin.js";
import { S3ControlError } from "./errors.js";

export function s3ControlAuthentication(
  accounts: AccountRegistry,
  signature: Omit<SigV4Options, "now" | "service">,
  now: () => Date,
): DialectAuthentication<SigV4Verified> {
  return {
    // With a payload hash header (every AWS SDK and the CLI send one) or a presigned URL the signature does not
    // depend on the body: check it before reading any.
    verifiesBeforeBody: (request) =>
      request.headers["x-amz-content-sha256"] !== undefined || request.url.includes("X-Amz-Signature="),
    verify: (request, body) =>
      verifySigV4({ method: request.method, url: request.url, headers: request.headers, body }, accounts, {
        ...signature,
        now: now(),
        service: "s3",
      }),
    accountHeader: { name: "x-amz-account-id" },
    checkBody: (request, verified, body) => {
      const sent = request.headers["x-amz-content-sha256"];
      if (typeof sent === "string" && !verified.presigned && !checkPayloadHash(sent, body)) {
        throw new S3ControlError(
          400,
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }
      const md5 = contentMd5Verdict(request.headers["content-md5"], body);
      if (md5 === "malformed" || md5 === "mismatch") {
        throw new DomainError("InvalidDigest", "The Content-MD5 you specified did not match what was received.");
      }
    },
    bindingOf: (_request, verified) =>
      verified.coversBody
        ? undefined
        : {
            scheme: "sigv4",
            advice:
              "Sign each request anew, and sign its body: send its SHA-256 in x-amz-content-sha256 (the AWS SDKs do).",
          },
  };
}
