/**
 * Who sent a JSON API request: AWS SigV4 (auth/sigv4.ts) with the accounts and keys the dialects use, any region
 * and any service name in the credential scope (`curl --aws-sigv4 "aws:amz:us-east-1:objbatch"`, any SigV4
 * library). The signature is checked before the body is read when it does not depend on it (an
 * x-amz-content-sha256 header, a presigned URL), otherwise once the body has arrived, since its hash is then part
 * of what was signed. As in the S3 Control dialect: a body must have the hash x-amz-content-sha256 claims and the
 * Content-MD5 it is sent with, and a request that changes something under a signature that does not cover its
 * body (UNSIGNED-PAYLOAD, a presigned URL) is bound to that signature (auth/signature-binding.ts, D15). No account
 * header is needed: the key names the account.
 */
import type { FastifyRequest } from "fastify";
import type { AccountRegistry } from "../../accounts/types.js";
import { DomainError } from "../../domain/errors.js";
import { changesState, requestDigest, requireFirstUse, type SignatureLedger } from "../auth/signature-binding.js";
import { checkPayloadHash, type SigV4Verified, verifySigV4 } from "../auth/sigv4.js";
import { contentMd5Verdict } from "../http/content-md5.js";

export interface JsonAuthentication {
  /** Whether the signature can be checked before the body arrives. */
  verifiesBeforeBody(request: FastifyRequest): boolean;
  /** Checks the signature (`body` undefined before it has arrived). Throws DomainErrors. */
  verify(request: FastifyRequest, body: Uint8Array | undefined): Promise<SigV4Verified>;
  /** Once the body has arrived: its hash and digest, and the signature's binding to the request. */
  checkBody(request: FastifyRequest, verified: SigV4Verified, body: Uint8Array): Promise<void>;
}

export function jsonAuthentication(
  accounts: AccountRegistry,
  ledger: SignatureLedger,
  now: () => Date,
): JsonAuthentication {
  return {
    verifiesBeforeBody: (request) =>
      request.headers["x-amz-content-sha256"] !== undefined || request.url.includes("X-Amz-Signature="),
    verify: (request, body) =>
      verifySigV4({ method: request.method, url: request.url, headers: request.headers, body }, accounts, {
        now: now(),
        anyService: true,
      }),
    async checkBody(request, verified, body) {
      const sent = request.headers["x-amz-content-sha256"];
      if (typeof sent === "string" && !verified.presigned && !checkPayloadHash(sent, body)) {
        throw new DomainError("InvalidDigest", "The body's SHA-256 is not the x-amz-content-sha256 it was sent with.");
      }
      const md5 = contentMd5Verdict(request.headers["content-md5"], body);
      if (md5 === "malformed" || md5 === "mismatch") {
        throw new DomainError("InvalidDigest", "The Content-MD5 you specified did not match what was received.");
      }
      if (!changesState(request.method) || verified.coversBody) return;
      await requireFirstUse(
        ledger,
        {
          scheme: "sigv4",
          accessKeyId: verified.accessKeyId,
          signature: verified.signature,
          digest: requestDigest(request.method, request.url, body),
          expiresAt: verified.validUntil,
        },
        "Sign each request anew, and sign its body (its SHA-256, as curl --aws-sigv4 and the AWS SDKs do).",
      );
    },
  };
}
