/**
 * Tencent COS request signatures (the "q-sign-algorithm=sha1" scheme, COS document 436/7778), verified the way
 * the official SDKs compute them (cos-nodejs-sdk-v5 `util.getAuth`):
 *
 *   SignKey      = hex(HMAC-SHA1(SecretKey, q-key-time))
 *   HttpString   = lower(method) \n path \n param-string \n header-string \n
 *   StringToSign = "sha1" \n q-sign-time \n hex(SHA1(HttpString)) \n
 *   q-signature  = hex(HMAC-SHA1(SignKey, StringToSign))
 *
 * param-string and header-string are `name=value` pairs joined by `&`, one per name in q-url-param-list /
 * q-header-list, where name = lower(encode(name)) and value = encode(value). `encode` is encodeURIComponent
 * plus `! ' ( ) *` (the SDK's camSafeUrlEncode), so only A-Z a-z 0-9 - _ . ~ stay literal. Values are the
 * decoded values as received; the path is the decoded path, unencoded (the SDK signs `/` + the object key).
 *
 * Ordering: the SDK sorts pairs by the lowercased *unencoded* name, while the document says to sort by the
 * encoded name; the two only differ for names with unusual characters, and both orders are accepted. For the
 * same reason a path is tried decoded (SDK requests) and, if different, as sent (callers who signed the URL).
 *
 * The signature may arrive in the Authorization header or, for presigned URLs, as q-* query parameters.
 *
 * Two checks go beyond the recipe, because a COS signature never covers the body:
 * - q-key-time and q-sign-time may span at most `maxKeyTimeSeconds` (default one day, signature-policy.ts), so a
 *   signature cannot be made to last for years;
 * - a Content-MD5 header, when sent, must be signed (listed in q-header-list): then the signature covers the body
 *   through it, and the COS dialect checks the body against it. The official SDKs sign Content-MD5 whenever they
 *   send it. Bodies sent without one are bound to their signature by the dialect instead
 *   (dialects/cos/authentication.ts, signature-binding.ts).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Account, AccountRegistry } from "../../accounts/types.js";
import { DomainError } from "../../domain/errors.js";
import { encodeRfc3986 } from "../../rfc3986.js";
import { parseRequestTarget, type QueryParam, type RequestTarget } from "./request-target.js";

export interface CosSignatureInput {
  readonly method: string;
  /** The request target as received (`/jobs?maxResults=2`). */
  readonly url: string;
  /** Header names lowercased, as Node delivers them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface CosSignatureOptions {
  readonly now?: Date;
  /** Allowance for clocks that disagree, applied to both ends of q-sign-time and q-key-time. Default 60 s. */
  readonly clockSkewSeconds?: number;
  /**
   * When false (the default) every query parameter must be covered by q-url-param-list, so nothing the
   * handler reads can be added to a captured request. The SDKs sign every parameter they send.
   */
  readonly allowUnsignedQueryParams?: boolean;
  /**
   * Require `host` in q-header-list, so a signature made for one endpoint cannot be replayed against another.
   * Default false: COS.getAuthorization signs Host only when the caller passes it.
   */
  readonly requireSignedHost?: boolean;
  /** Longest q-key-time / q-sign-time window accepted, in seconds. Default DEFAULT_COS_MAX_KEY_TIME_SECONDS. */
  readonly maxKeyTimeSeconds?: number;
  /** Refuse a Content-MD5 header that q-header-list does not list. Default true. */
  readonly requireSignedContentMd5?: boolean;
}

export interface CosAuthorization {
  readonly algorithm: string;
  readonly accessKeyId: string;
  readonly signTime: string;
  readonly keyTime: string;
  readonly headerList: readonly string[];
  readonly urlParamList: readonly string[];
  readonly signature: string;
}

export interface CosVerified {
  readonly account: Account;
  readonly accessKeyId: string;
  readonly target: RequestTarget;
  /** q-signature, lowercase hex. */
  readonly signature: string;
  /** When this signature stops being accepted: the end of its shorter window plus the skew allowance, ms. */
  readonly validUntil: number;
}

export const DEFAULT_COS_CLOCK_SKEW_SECONDS = 60;
/** One day: more than any official SDK's default signature lifetime (signature-policy.ts), far less than years. */
export const DEFAULT_COS_MAX_KEY_TIME_SECONDS = 24 * 60 * 60;

const REQUIRED_FIELDS = [
  "q-sign-algorithm",
  "q-ak",
  "q-sign-time",
  "q-key-time",
  "q-header-list",
  "q-url-param-list",
  "q-signature",
] as const;

/** Query parameters that carry a presigned URL's signature; they are not themselves signed. */
const AUTH_QUERY_PARAMS: ReadonlySet<string> = new Set([...REQUIRED_FIELDS, "x-cos-security-token"]);

/**
 * Verifies the request's COS signature and returns the signing account. Throws DomainError:
 * MissingSecurityHeader (no or malformed signature), InvalidAccessKeyId, ExpiredToken (outside the signed time
 * window), SignatureDoesNotMatch, AccessDenied (unsigned query parameters), InvalidArgument (bad query encoding).
 */
export function verifyCosSignature(
  input: CosSignatureInput,
  accounts: AccountRegistry,
  options: CosSignatureOptions = {},
): Account {
  return verifyCosRequest(input, accounts, options).account;
}

/** As verifyCosSignature, also returning the parsed request target the signature covered. */
export function verifyCosRequest(
  input: CosSignatureInput,
  accounts: AccountRegistry,
  options: CosSignatureOptions = {},
): CosVerified {
  const target = parseRequestTarget(input.url);
  const header = headerValue(input.headers, "authorization");
  let auth: CosAuthorization;
  let fromQuery = false;
  if (header !== undefined && header.trim() !== "") {
    auth = parseCosAuthorization(splitPairs(header.trim()));
  } else if (target.query.some((p) => p.name === "q-signature")) {
    fromQuery = true;
    auth = parseCosAuthorization(target.query.map((p) => [p.name, p.value] as const));
  } else {
    throw new DomainError("MissingSecurityHeader", "Access Denied. The request carries no COS signature.");
  }

  const found = accounts.byAccessKeyId(auth.accessKeyId);
  if (found === undefined) {
    throw new DomainError("InvalidAccessKeyId", "The SecretId you provided does not exist in our records.");
  }

  const validUntil = checkTimeWindow(auth, options);
  if (options.requireSignedHost === true && !auth.headerList.includes("host")) {
    throw new DomainError("AccessDenied", "The Host header must be signed (listed in q-header-list).");
  }
  if (
    options.requireSignedContentMd5 !== false &&
    headerValue(input.headers, "content-md5") !== undefined &&
    !auth.headerList.includes("content-md5")
  ) {
    throw new DomainError(
      "AccessDenied",
      "The Content-MD5 header must be signed (listed in q-header-list), or left out: an unsigned digest can be replaced along with the body.",
    );
  }

  const signedParams = new Set(auth.urlParamList);
  const params = target.query.filter((p) => !(fromQuery && AUTH_QUERY_PARAMS.has(p.name.toLowerCase())));
  if (options.allowUnsignedQueryParams !== true) {
    for (const p of params) {
      if (!signedParams.has(cosEncode(p.name).toLowerCase())) {
        throw new DomainError("AccessDenied", `The query parameter "${p.name}" is not covered by the signature.`);
      }
    }
  }

  const paramPairs = signedParamPairs(auth.urlParamList, params);
  const headerPairs = signedHeaderPairs(auth.headerList, input.headers);
  const method = input.method.toLowerCase();
  const paths = unique([target.path, target.rawPath].filter((p): p is string => p !== undefined));
  const expected = Buffer.from(auth.signature, "utf8");
  const signKey = cosSignKey(found.key.secretAccessKey, auth.keyTime);
  let matched = false;
  for (const path of paths) {
    for (const paramString of pairStrings(paramPairs)) {
      for (const headerString of pairStrings(headerPairs)) {
        const httpString = [method, path, paramString, headerString, ""].join("\n");
        const actual = Buffer.from(cosSignatureWithKey(signKey, auth.signTime, httpString), "utf8");
        // Every candidate is compared, in constant time, whatever the outcome of the others.
        if (timingSafeEqual(actual, expected)) matched = true;
      }
    }
  }
  if (!matched) {
    throw new DomainError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  return { account: found.account, accessKeyId: auth.accessKeyId, target, signature: auth.signature, validUntil };
}

/** Parses the `q-...=...&...` fields of an Authorization header or of presigned-URL parameters. */
export function parseCosAuthorization(pairs: Iterable<readonly [string, string]>): CosAuthorization {
  const fields = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (!key.startsWith("q-")) continue;
    if (fields.has(key)) throw malformed(`${key} appears more than once`);
    fields.set(key, value);
  }
  for (const f of REQUIRED_FIELDS) if (!fields.has(f)) throw malformed(`${f} is missing`);
  const algorithm = fields.get("q-sign-algorithm")!;
  if (algorithm !== "sha1") throw malformed(`q-sign-algorithm must be sha1, not "${algorithm.slice(0, 32)}"`);
  const accessKeyId = fields.get("q-ak")!;
  if (accessKeyId === "") throw malformed("q-ak is empty");
  const signTime = fields.get("q-sign-time")!;
  const keyTime = fields.get("q-key-time")!;
  for (const [n, v] of [
    ["q-sign-time", signTime],
    ["q-key-time", keyTime],
  ] as const) {
    if (parseWindow(v) === undefined) throw malformed(`${n} must be "<start>;<end>" in Unix seconds`);
  }
  const signature = fields.get("q-signature")!.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(signature)) throw malformed("q-signature must be 40 hexadecimal digits");
  return {
    algorithm,
    accessKeyId,
    signTime,
    keyTime,
    headerList: parseNameList(fields.get("q-header-list")!, "q-header-list"),
    urlParamList: parseNameList(fields.get("q-url-param-list")!, "q-url-param-list"),
    signature,
  };
}

/** COS's URI encoding: encodeURIComponent plus `! ' ( ) *`. */
export function cosEncode(value: string): string {
  return encodeRfc3986(value);
}

/** hex(HMAC-SHA1(secretKey, keyTime)). */
export function cosSignKey(secretKey: string, keyTime: string): string {
  return createHmac("sha1", secretKey).update(keyTime, "utf8").digest("hex");
}

/** The q-signature for an HttpString, given the SignKey. */
export function cosSignatureWithKey(signKey: string, signTime: string, httpString: string): string {
  const digest = createHash("sha1").update(httpString, "utf8").digest("hex");
  const stringToSign = `sha1\n${signTime}\n${digest}\n`;
  return createHmac("sha1", signKey).update(stringToSign, "utf8").digest("hex");
}

interface SignedPair {
  /** Sort key used by the SDK: the unencoded name, lowercased. */
  readonly rawLower: string;
  /** Sort key the COS document describes, and the name as it appears in the signed string. */
  readonly encodedLower: string;
  readonly pair: string;
}

function signedParamPairs(list: readonly string[], params: readonly QueryParam[]): SignedPair[] {
  return list.map((listed) => {
    const matching = params.filter((p) => cosEncode(p.name).toLowerCase() === listed);
    if (matching.length === 0) throw mismatch(`The signed query parameter "${listed}" is not in the request.`);
    const names = new Set(matching.map((p) => p.name));
    if (names.size > 1) throw mismatch(`The query parameter "${listed}" is sent under several spellings.`);
    // A repeated parameter is signed the way the SDK signs an array value: its values joined by commas.
    const value = matching.map((p) => p.value).join(",");
    return { rawLower: matching[0]!.name.toLowerCase(), encodedLower: listed, pair: `${listed}=${cosEncode(value)}` };
  });
}

function signedHeaderPairs(list: readonly string[], headers: CosSignatureInput["headers"]): SignedPair[] {
  return list.map((listed) => {
    let value: string | undefined;
    let rawName = listed;
    for (const name of Object.keys(headers)) {
      if (cosEncode(name).toLowerCase() !== listed) continue;
      value = headerValue(headers, name);
      rawName = name;
      break;
    }
    if (value === undefined) throw mismatch(`The signed header "${listed}" is not in the request.`);
    return { rawLower: rawName.toLowerCase(), encodedLower: listed, pair: `${listed}=${cosEncode(value)}` };
  });
}

/** The joined pair string in the SDK's order and, when it differs, in the documented order. */
function pairStrings(pairs: readonly SignedPair[]): string[] {
  const bySdk = [...pairs].sort((a, b) => compare(a.rawLower, b.rawLower)).map((p) => p.pair);
  const byDoc = [...pairs].sort((a, b) => compare(a.encodedLower, b.encodedLower)).map((p) => p.pair);
  return unique([bySdk.join("&"), byDoc.join("&")]);
}

function compare(a: string, b: string): number {
  return a === b ? 0 : a > b ? 1 : -1;
}

/** Checks both windows against the clock and the length cap; returns when the signature stops being valid (ms). */
function checkTimeWindow(auth: CosAuthorization, options: CosSignatureOptions): number {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const skew = options.clockSkewSeconds ?? DEFAULT_COS_CLOCK_SKEW_SECONDS;
  const maxSpan = options.maxKeyTimeSeconds ?? DEFAULT_COS_MAX_KEY_TIME_SECONDS;
  let validUntil = Number.POSITIVE_INFINITY;
  for (const [field, w] of [
    ["q-sign-time", auth.signTime],
    ["q-key-time", auth.keyTime],
  ] as const) {
    const [start, end] = parseWindow(w)!;
    if (now + skew < start) throw new DomainError("ExpiredToken", `The signature is not valid before ${iso(start)}.`);
    if (now - skew > end) throw new DomainError("ExpiredToken", `The signature expired at ${iso(end)}.`);
    if (end - start > maxSpan) {
      throw new DomainError(
        "AccessDenied",
        `The signature's ${field} spans ${end - start} seconds; this server accepts at most ${maxSpan}. Sign with a shorter expiry.`,
      );
    }
    // Accepted while floor(now) <= end + skew, so up to the start of the second after that.
    validUntil = Math.min(validUntil, (end + skew + 1) * 1000);
  }
  return validUntil;
}

function parseWindow(value: string): [number, number] | undefined {
  const m = /^(\d{1,12});(\d{1,12})$/.exec(value);
  if (m === null) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return start <= end ? [start, end] : undefined;
}

function parseNameList(value: string, field: string): string[] {
  if (value === "") return [];
  const names = value.split(";");
  const seen = new Set<string>();
  for (const n of names) {
    if (n === "" || n !== n.toLowerCase()) throw malformed(`${field} must be lowercase names separated by ';'`);
    if (seen.has(n)) throw malformed(`${field} names "${n}" twice`);
    seen.add(n);
  }
  return names;
}

/** Splits `a=b&c=d` without decoding: header values are sent unencoded. */
function splitPairs(value: string): [string, string][] {
  return value.split("&").map((part) => {
    const eq = part.indexOf("=");
    return eq === -1 ? [part.trim(), ""] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
  });
}

function headerValue(headers: CosSignatureInput["headers"], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : v.join(", ");
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function iso(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

function malformed(detail: string): DomainError {
  return new DomainError("MissingSecurityHeader", `Access Denied. The COS signature is malformed: ${detail}.`);
}

function mismatch(message: string): DomainError {
  return new DomainError("SignatureDoesNotMatch", message);
}
