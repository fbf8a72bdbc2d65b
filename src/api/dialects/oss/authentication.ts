/**
 * How the OSS dialect authenticates a request, for the dialect plugin (http/dialect-plugin.ts): an OSS V1 or V4
 * signature (auth/oss-signature.ts), checked as the request arrives, before any body is read; the account is the
 * signer's (OSS has no account header). A batchJobId that is not valid percent-encoding is refused first, with
 * its EC. Content-MD5 is optional (the SDKs send it with every body); when sent it must match the body that
 * arrived, and a V4 request that signed the body's SHA-256 must carry that body.
 *
 * A V1 signature covers only the sub-resource, so every V1 request that changes something is bound to the one
 * request it first came with (target and body) in the signature ledger; so is a V4 one whose body its signature
 * does not cover (UNSIGNED-PAYLOAD without Content-MD5). The signature policy may refuse V1 outright.
 */
import { createHash } from "node:crypto";
import type { AccountRegistry } from "../../../accounts/types.js";
import { DomainError } from "../../../domain/errors.js";
import { type OssSignatureOptions, type OssVerified, verifyOssRequest } from "../../auth/oss-signature.js";
import { requireMatchingContentMd5 } from "../../http/content-md5.js";
import type { DialectAuthentication } from "../../http/dialect-plugin.js";
import { rejectUndecodableJobId } from "./query-params.js";

export function ossAuthentication(
  accounts: AccountRegistry,
  signature: OssSignatureOptions,
  now: () => Date,
): DialectAuthentication<OssVerified> {
  return {
    verifiesBeforeBody: () => true,
    verify: (request) => {
      rejectUndecodableJobId(request.url);
      return verifyOssRequest({ method: request.method, url: request.url, headers: request.headers }, accounts, {
        ...signature,
        now: now(),
      });
    },
    checkBody: (request, verified, body) => {
      requireMatchingContentMd5(request.headers["content-md5"], body);
      const sha256 = verified.payloadSha256;
      if (sha256 !== undefined && createHash("sha256").update(body).digest("hex") !== sha256) {
        throw new DomainError(
          "InvalidDigest",
          "The x-oss-content-sha256 you specified did not match what was received.",
        );
      }
    },
    bindingOf: (request, verified) => {
      if (verified.version === "OSS") {
        return {
          scheme: "oss-v1",
          advice:
            "A V1 signature covers only the sub-resource (not batchJobId or the other parameters): sign each request anew, or sign with V4 (OSS4-HMAC-SHA256).",
        };
      }
      // V4 signs every parameter, and Content-MD5 whenever it is sent: only the body can be left uncovered.
      if (verified.payloadSha256 !== undefined || request.headers["content-md5"] !== undefined) return undefined;
      return {
        scheme: "oss-v4",
        advice: "Sign each request anew, and sign its body (x-oss-content-sha256 or Content-MD5).",
      };
    },
  };
}
