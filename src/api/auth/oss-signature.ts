/**
 * Alibaba OSS request signatures, verified the way OSS computes them. Two schemes are accepted:
 *
 * V1, `Authorization: OSS <AccessKeyId>:<Signature>` (OSS "Include signatures in the Authorization header"):
 *
 *   StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedOSSHeaders CanonicalizedResource
 *   Signature    = base64(HMAC-SHA1(AccessKeySecret, StringToSign))
 *
 *   CanonicalizedOSSHeaders: every `x-oss-*` header, name lowercased, value trimmed, sorted by name, each as
 *   `name:value\n`. Date is the `x-oss-date` header when present (ali-oss sends only that), else `Date`.
 *   CanonicalizedResource: the path plus the sub-resources of the request, sorted, `?a&b=v` (a sub-resource
 *   without a value is written bare). For the job API the sub-resources are batchJob, batchJobPriority and
 *   batchJobStatus only (the OSS documentation; the official Go SDK marks exactly these); the other query
 *   parameters (batchJobId, max-keys, ...) are not covered by a V1 signature. That is a property of V1 itself:
 *   clients that need every parameter signed use V4. A signature over all parameters is accepted too.
 *
 * V4, `Authorization: OSS4-HMAC-SHA256 Credential=...,AdditionalHeaders=...,Signature=...`: oss-signature-v4.ts.
 *
 * Both check the request time (x-oss-date or Date) against a window of 15 minutes either way, as OSS does,
 * and compare signatures in constant time. The account is the one that owns the access key.
 *
 * Because V1 leaves the job parameters unsigned, the OSS dialect binds each V1 signature that changes something to
 * the one request it first came with (dialects/oss/authentication.ts, signature-binding.ts), and the option
 * `v1: "refuse"` turns V1 off altogether.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AccountRegistry } from "../../accounts/types.js";
import { DomainError } from "../../domain/errors.js";
import { OSS_EC, OssCodedError } from "./oss-coded-error.js";
import {
  checkRequestTime,
  headerValue,
  OSS_SUB_RESOURCES,
  type OssSignatureInput,
  type OssSignatureOptions,
  type OssVerified,
  requestTimeValidUntil,
  SIGNATURE_MISMATCH_MESSAGE,
  unique,
} from "./oss-signature-common.js";
import { verifyOssV4 } from "./oss-signature-v4.js";
import { parseRequestTarget, type QueryParam, type RequestTarget } from "./request-target.js";

export {
  DEFAULT_OSS_CLOCK_SKEW_SECONDS,
  OSS_SUB_RESOURCES,
  type OssSignatureInput,
  type OssSignatureOptions,
  type OssVerified,
} from "./oss-signature-common.js";

/**
 * Verifies the request's OSS signature (V1 or V4) and returns the signing account and the request target the
 * handler must use. Throws DomainError (OssCodedError where OSS documents an EC) only.
 */
export function verifyOssRequest(
  input: OssSignatureInput,
  accounts: AccountRegistry,
  options: OssSignatureOptions = {},
): OssVerified {
  const target = parseRequestTarget(input.url);
  const authorization = headerValue(input.headers, "authorization")?.trim() ?? "";
  if (authorization === "") {
    throw new DomainError("MissingSecurityHeader", "AccessDenied: Anonymous access is forbidden for this operation.");
  }
  if (authorization.startsWith("OSS4-HMAC-SHA256 ")) {
    return verifyOssV4(input, target, authorization, accounts, options);
  }
  if (authorization.startsWith("OSS ")) {
    if (options.v1 === "refuse") {
      throw new DomainError(
        "AccessDenied",
        "OSS signature V1 is turned off on this server: sign with V4 (OSS4-HMAC-SHA256), which covers every parameter.",
      );
    }
    return verifyV1(input, target, authorization, accounts, options);
  }
  throw new DomainError(
    "InvalidArgument",
    "Authorization header is invalid: use OSS <AccessKeyId>:<Signature> or OSS4-HMAC-SHA256.",
  );
}

function verifyV1(
  input: OssSignatureInput,
  target: RequestTarget,
  authorization: string,
  accounts: AccountRegistry,
  options: OssSignatureOptions,
): OssVerified {
  const m = /^OSS ([^:\s]+):([A-Za-z0-9+/]{27}=)$/.exec(authorization);
  if (m === null) {
    throw new OssCodedError(
      "InvalidArgument",
      "Authorization header is invalid: expected OSS <AccessKeyId>:<base64 HMAC-SHA1 signature>.",
      OSS_EC.invalidAccessKeyIdFieldV1,
    );
  }
  const accessKeyId = m[1]!;
  const signature = m[2]!;
  const found = accounts.byAccessKeyId(accessKeyId);
  if (found === undefined) {
    throw new DomainError("InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.");
  }

  const ossDate = headerValue(input.headers, "x-oss-date");
  const date = headerValue(input.headers, "date");
  const effective = ossDate ?? date;
  if (effective === undefined) {
    throw new DomainError("AccessDenied", "OSS authentication requires a valid Date (Date or x-oss-date header).");
  }
  const requestTime = checkRequestTime(effective, options);

  const method = input.method.toUpperCase();
  const md5 = headerValue(input.headers, "content-md5") ?? "";
  const contentType = headerValue(input.headers, "content-type") ?? "";
  const ossHeaders = canonicalOssHeaders(input.headers);
  const path = target.path ?? target.rawPath;
  const dateLines = unique([effective, ...(date !== undefined ? [date] : [])]);
  const resources = unique([
    canonicalResource(
      path,
      target.query.filter((p) => OSS_SUB_RESOURCES.has(p.name)),
    ),
    canonicalResource(path, target.query),
  ]);

  const expected = Buffer.from(signature, "utf8");
  const secret = found.key.secretAccessKey;
  let matched = false;
  for (const dateLine of dateLines) {
    for (const resource of resources) {
      const stringToSign = `${method}\n${md5}\n${contentType}\n${dateLine}\n${ossHeaders}${resource}`;
      const actual = Buffer.from(ossV1Signature(secret, stringToSign), "utf8");
      // Every candidate is compared, in constant time, whatever the outcome of the others.
      if (actual.length === expected.length && timingSafeEqual(actual, expected)) matched = true;
    }
  }
  if (!matched)
    throw new OssCodedError("SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE, OSS_EC.signatureDoesNotMatch);
  return {
    account: found.account,
    accessKeyId,
    target,
    version: "OSS",
    signature,
    validUntil: requestTimeValidUntil(requestTime, options),
  };
}

/** base64(HMAC-SHA1(secret, stringToSign)). */
export function ossV1Signature(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");
}

/** `x-oss-*` headers as `name:value\n` lines, sorted by lowercased name. */
export function canonicalOssHeaders(headers: OssSignatureInput["headers"]): string {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith("x-oss-"))
    .sort()
    .map((name) => `${name}:${(headerValue(headers, name) ?? "").trim()}\n`)
    .join("");
}

/** `/path?a&b=v`: the given parameters sorted by name, decoded values, bare names for empty values. */
export function canonicalResource(path: string, params: readonly QueryParam[]): string {
  if (params.length === 0) return path;
  const parts = [...params]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.value === "" ? p.name : `${p.name}=${p.value}`));
  return `${path}?${parts.join("&")}`;
}
