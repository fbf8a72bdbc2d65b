/**
 * Alibaba OSS signature V4 (`OSS4-HMAC-SHA256`), verified the way OSS and the official SDKs compute it
 * (ali-oss `signUtils.authorizationV4`, OSS "Include a V4 signature in the Authorization header"):
 *
 *   Authorization    = OSS4-HMAC-SHA256 Credential=<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request,
 *                      [AdditionalHeaders=<h1;h2>,]Signature=<hex>
 *   CanonicalRequest = VERB \n URI \n CanonicalQuery \n CanonicalHeaders \n AdditionalHeaders \n HashedPayload
 *   StringToSign     = OSS4-HMAC-SHA256 \n x-oss-date \n <yyyymmdd>/<region>/oss/aliyun_v4_request \n
 *                      hex(SHA256(CanonicalRequest))
 *   SigningKey       = HMAC chain over "aliyun_v4" + secret: date, region, "oss", "aliyun_v4_request"
 *
 * URI is the path, each character but `/` percent-encoded as encodeURIComponent plus `! ' ( ) *`. CanonicalQuery
 * is every query parameter, encoded the same way, sorted, `k=v` joined by `&`, with a bare `k` for a parameter
 * without a value. CanonicalHeaders are content-type, content-md5, every x-oss-* header and the
 * AdditionalHeaders, lowercased, sorted, `name:value\n`. HashedPayload is the x-oss-content-sha256 header,
 * UNSIGNED-PAYLOAD when absent; a hex digest there is returned so the caller checks the body against it.
 *
 * The region is taken from the Credential (objbatch serves every region name); the date in the Credential must
 * be the date of x-oss-date, which must be within the skew window. Unlike V1, V4 covers every query parameter.
 *
 * Two details are tolerated because signers differ on them and neither weakens the check: the order of query
 * keys (ali-oss sorts the raw keys with localeCompare, the document sorts the encoded keys by code point), and
 * whether a parameter with an empty value is signed as `k` or `k=` (the URL cannot tell `?k` from `?k=` apart
 * once a client library has rewritten it; ali-oss signs its sub-resource bare and other empty parameters with
 * `=`). Each candidate is compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { AccountRegistry } from "../../accounts/types.js";
import { DomainError } from "../../domain/errors.js";
import { encodeRfc3986 } from "../../rfc3986.js";
import { OSS_EC, OssCodedError } from "./oss-coded-error.js";
import {
  checkRequestTime,
  headerValue,
  type OssSignatureInput,
  type OssSignatureOptions,
  type OssVerified,
  requestTimeValidUntil,
  SIGNATURE_MISMATCH_MESSAGE,
  unique,
} from "./oss-signature-common.js";
import type { QueryParam, RequestTarget } from "./request-target.js";

export const OSS_V4_ALGORITHM = "OSS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

export interface OssV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly product: string;
  readonly additionalHeaders: readonly string[];
  readonly signature: string;
}

export function verifyOssV4(
  input: OssSignatureInput,
  target: RequestTarget,
  authorization: string,
  accounts: AccountRegistry,
  options: OssSignatureOptions,
): OssVerified {
  const auth = parseOssV4Authorization(authorization);
  const found = accounts.byAccessKeyId(auth.accessKeyId);
  if (found === undefined) {
    throw new DomainError("InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist in our records.");
  }
  const ossDate = headerValue(input.headers, "x-oss-date");
  if (ossDate === undefined) {
    throw new DomainError("AccessDenied", "A V4 signature needs the x-oss-date header (yyyyMMddTHHmmssZ).");
  }
  const requestTime = checkRequestTime(ossDate, options);
  if (!/^\d{8}T\d{6}Z$/.test(ossDate) || ossDate.slice(0, 8) !== auth.date) {
    throw new OssCodedError(
      "SignatureDoesNotMatch",
      "The date in the Credential must be the date of the x-oss-date header (yyyyMMddTHHmmssZ).",
      OSS_EC.signatureDoesNotMatch,
    );
  }

  const payload = headerValue(input.headers, "x-oss-content-sha256") ?? UNSIGNED_PAYLOAD;
  if (payload !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(payload)) {
    throw new DomainError(
      "InvalidArgument",
      "x-oss-content-sha256 must be UNSIGNED-PAYLOAD or the lowercase hex SHA-256 of the body.",
    );
  }
  const headers = canonicalHeaders(input.headers, auth.additionalHeaders);
  const uri = ossV4Encode(target.path ?? target.rawPath).replace(/%2F/g, "/");
  const method = input.method.toUpperCase();
  const scope = `${auth.date}/${auth.region}/${auth.product}/aliyun_v4_request`;
  const key = ossV4SigningKey(found.key.secretAccessKey, auth.date, auth.region, auth.product);
  const expected = Buffer.from(auth.signature, "utf8");
  let matched = false;
  for (const query of canonicalQueries(target.query)) {
    const canonicalRequest = [method, uri, query, headers, auth.additionalHeaders.join(";"), payload].join("\n");
    const stringToSign = [
      OSS_V4_ALGORITHM,
      ossDate,
      scope,
      createHash("sha256").update(canonicalRequest, "utf8").digest("hex"),
    ].join("\n");
    const actual = Buffer.from(createHmac("sha256", key).update(stringToSign, "utf8").digest("hex"), "utf8");
    if (timingSafeEqual(actual, expected)) matched = true;
  }
  if (!matched)
    throw new OssCodedError("SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE, OSS_EC.signatureDoesNotMatch);
  return {
    account: found.account,
    accessKeyId: auth.accessKeyId,
    target,
    version: "OSS4-HMAC-SHA256",
    signature: auth.signature,
    validUntil: requestTimeValidUntil(requestTime, options),
    ...(payload !== UNSIGNED_PAYLOAD ? { payloadSha256: payload } : {}),
  };
}

/** Parses the fields after `OSS4-HMAC-SHA256 `. Throws InvalidArgument for a malformed header. */
export function parseOssV4Authorization(authorization: string): OssV4Authorization {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(OSS_V4_ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    if (name === "") continue;
    if (fields.has(name)) throw malformed(`${name} appears more than once`);
    fields.set(name, eq === -1 ? "" : part.slice(eq + 1).trim());
  }
  for (const name of fields.keys()) {
    if (!["Credential", "AdditionalHeaders", "Signature"].includes(name)) throw malformed(`unknown field ${name}`);
  }
  const credential = fields.get("Credential");
  if (credential === undefined) throw malformed("Credential is missing");
  const parts = credential.split("/");
  const [accessKeyId, date, region, product, terminator] = parts;
  if (parts.length !== 5 || terminator !== "aliyun_v4_request") {
    throw malformed("Credential must be <AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request");
  }
  // Printable ASCII only: whitespace or control characters here are OSS's 0002-00000206.
  if (!accessKeyId || !/^[\x21-\x7e]+$/.test(accessKeyId)) {
    throw new OssCodedError(
      "InvalidArgument",
      "Authorization header is invalid: the AccessKeyId in Credential is empty or has invalid characters.",
      OSS_EC.invalidAccessKeyIdFieldV4,
    );
  }
  if (!/^\d{8}$/.test(date!)) throw malformed("the date in Credential must be yyyymmdd");
  if (!/^[a-z0-9-]{1,64}$/.test(region!)) throw malformed("the region in Credential is invalid");
  if (product !== "oss") throw malformed(`the product in Credential must be oss, not "${product!.slice(0, 32)}"`);
  const signature = fields.get("Signature");
  if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature)) {
    throw malformed("Signature must be 64 lowercase hexadecimal digits");
  }
  const additional = fields.get("AdditionalHeaders");
  const additionalHeaders = additional === undefined || additional === "" ? [] : additional.split(";");
  const seen = new Set<string>();
  for (const h of additionalHeaders) {
    if (!/^[a-z0-9-]+$/.test(h) || seen.has(h)) {
      throw malformed("AdditionalHeaders must be distinct lowercase header names separated by ';'");
    }
    seen.add(h);
  }
  return { accessKeyId, date: date!, region: region!, product, additionalHeaders, signature };
}

/** encodeURIComponent plus `! ' ( ) *` (ali-oss encodeString). */
export function ossV4Encode(value: string): string {
  return encodeRfc3986(value);
}

export function ossV4SigningKey(secret: string, date: string, region: string, product: string): Buffer {
  const signingDate = createHmac("sha256", `aliyun_v4${secret}`).update(date).digest();
  const signingRegion = createHmac("sha256", signingDate).update(region).digest();
  const signingProduct = createHmac("sha256", signingRegion).update(product).digest();
  return createHmac("sha256", signingProduct).update("aliyun_v4_request").digest();
}

function canonicalHeaders(headers: OssSignatureInput["headers"], additional: readonly string[]): string {
  const names = new Set(additional);
  for (const name of additional) {
    if (headerValue(headers, name) === undefined) {
      throw new OssCodedError(
        "SignatureDoesNotMatch",
        `The header ${name} is listed in AdditionalHeaders but is not in the request.`,
        OSS_EC.signatureDoesNotMatch,
      );
    }
  }
  for (const raw of Object.keys(headers)) {
    const name = raw.toLowerCase();
    if (name === "content-type" || name === "content-md5" || name.startsWith("x-oss-")) names.add(name);
  }
  return [...names]
    .sort()
    .map((name) => `${name}:${(headerValue(headers, name) ?? "").trim()}\n`)
    .join("");
}

/** The canonical query string in each accepted variant (see the module comment). */
function canonicalQueries(params: readonly QueryParam[]): string[] {
  const encoded = params.map((p) => ({ raw: p.name, key: ossV4Encode(p.name), value: ossV4Encode(p.value) }));
  const byCodePoint = [...encoded].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byLocale = [...encoded].sort((a, b) => a.raw.localeCompare(b.raw));
  // Each empty parameter may have been signed as `k` or `k=`: every combination for up to a few of them (ali-oss
  // signs its sub-resource bare and other empty parameters with `=`), all-bare or all-`=` beyond that.
  const empties = encoded.filter((p) => p.value === "").length;
  const choices: ((emptyIndex: number) => boolean)[] =
    empties <= MAX_EMPTY_COMBINATIONS
      ? Array.from({ length: 2 ** empties }, (_, mask) => (i: number) => (mask & (1 << i)) === 0)
      : [() => true, () => false];
  const variants: string[] = [];
  for (const order of [byCodePoint, byLocale]) {
    for (const bare of choices) {
      let emptyIndex = 0;
      const parts = order.map((p) => {
        if (p.value !== "") return `${p.key}=${p.value}`;
        return bare(emptyIndex++) ? p.key : `${p.key}=`;
      });
      variants.push(parts.join("&"));
    }
  }
  return unique(variants);
}

/** 2^4 = 16 variants at most per key order: cheap, and more empty parameters than that is no real request. */
const MAX_EMPTY_COMBINATIONS = 4;

function malformed(detail: string): DomainError {
  return new DomainError("InvalidArgument", `Authorization header is invalid: ${detail}.`);
}
