/**
 * AWS Signature Version 4 (AWS4-HMAC-SHA256) verification for requests that objbatch receives, in both forms:
 * the Authorization header and presigned URLs (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
 * -Signature in the query).
 *
 * objbatch does not canonicalise anything itself: it rebuilds the request the client signed (method, path as
 * received, decoded query, the signed headers with their values as sent, including Host) and lets
 * `@smithy/signature-v4`, the signer the AWS SDK for JavaScript uses, compute the signature the client should
 * have sent; the two are then compared in constant time. Paths are tried with and without the extra escaping
 * generic SigV4 applies (S3 signs the path as sent, other services escape it again), when the two differ.
 *
 * The payload hash is the `x-amz-content-sha256` header when present (UNSIGNED-PAYLOAD included), otherwise
 * the SHA-256 of the body, which then must be passed in. Whether the body really has the hash the header
 * claims is a separate check (`checkPayloadHash`), made once the body has arrived.
 *
 * Reading the signature's fields (the Authorization header, a presigned URL's query, the dates) is
 * sigv4-authorization.ts. Header-signed requests must sign `host` and `x-amz-date` (every AWS SDK and the CLI do); a request that signs
 * the `Date` header instead cannot be verified this way and answers SignatureDoesNotMatch. Session tokens
 * (temporary credentials) are refused: objbatch issues none.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Account, AccountRegistry } from "../../accounts/types.js";
import { DomainError } from "../../domain/errors.js";
import { parseRequestTarget, type QueryParam, type RequestTarget } from "./request-target.js";
import {
  clip,
  formatShortDate,
  isPresignParam,
  malformed,
  parseAmzDate,
  parseAuthorizationHeader,
  parseExpires,
  parsePresignedQuery,
  singleParam,
} from "./sigv4-authorization.js";

export interface SigV4Input {
  readonly method: string;
  /** The request target in origin form, as the client signed it (`/v20180820/jobs?maxResults=2`). */
  readonly url: string;
  /** Header names lowercased, as Node delivers them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Needed only when the request has no x-amz-content-sha256 header. */
  readonly body?: Uint8Array;
}

export interface SigV4Options {
  readonly now?: Date;
  /** The signing service name the scope must carry. Default `s3` (S3 and S3 Control sign as `s3`). */
  readonly service?: string;
  /** Accept a scope naming any service (objbatch's JSON API: `curl --aws-sigv4 aws:amz:<region>:<service>`). */
  readonly anyService?: boolean;
  /** When given, the only regions a credential scope may name. Default: any well-formed region. */
  readonly regions?: readonly string[];
  /** How far a header-signed request's X-Amz-Date may be from the server's clock. Default 900 s (AWS). */
  readonly clockSkewSeconds?: number;
}

export interface SigV4Verified {
  readonly account: Account;
  readonly accessKeyId: string;
  /** The region of the credential scope (`us-east-1`). */
  readonly region: string;
  readonly target: RequestTarget;
  readonly presigned: boolean;
  /** The signature as sent (hex). */
  readonly signature: string;
  /**
   * Whether the signature covers the body: a signed payload hash (not UNSIGNED-PAYLOAD), or a signed Content-MD5
   * (which the dialect checks against the body). When it does not, the dialect binds the signature to its first
   * request (dialects/s3control/authentication.ts, signature-binding.ts).
   */
  readonly coversBody: boolean;
  /** When this signature stops being accepted (presigned: its expiry; header: its date plus the skew), ms. */
  readonly validUntil: number;
}

export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
export const DEFAULT_SIGV4_CLOCK_SKEW_SECONDS = 15 * 60;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/**
 * Verifies the request's SigV4 signature and returns the signing account and the scope's region. Throws
 * DomainError: MissingSecurityHeader (no or malformed signature), InvalidAccessKeyId, RequestTimeTooSkewed
 * (header form outside the clock-skew window), ExpiredToken (presigned URL expired or not yet valid),
 * SignatureDoesNotMatch, AccessDenied (region not allowed, temporary credentials), InvalidArgument (bad query
 * encoding).
 */
export async function verifySigV4(
  input: SigV4Input,
  accounts: AccountRegistry,
  options: SigV4Options = {},
): Promise<SigV4Verified> {
  const target = parseRequestTarget(input.url);
  const header = headerValue(input.headers, "authorization");
  const presigned = header === undefined && target.query.some((p) => p.name === "X-Amz-Signature");
  if (header === undefined && !presigned) {
    throw new DomainError("MissingSecurityHeader", "Access Denied: the request carries no AWS Signature Version 4.");
  }
  if (
    target.query.some((p) => p.name.toLowerCase() === "x-amz-security-token") ||
    input.headers["x-amz-security-token"]
  ) {
    throw new DomainError(
      "AccessDenied",
      "Temporary credentials (X-Amz-Security-Token) are not supported by objbatch.",
    );
  }
  const auth = presigned ? parsePresignedQuery(target.query) : parseAuthorizationHeader(header!);
  const service = options.service ?? "s3";
  if (!options.anyService && auth.service !== service) {
    throw malformed(
      `the credential scope names the service "${clip(auth.service)}"; this endpoint signs as "${service}"`,
    );
  }
  if (options.regions !== undefined && !options.regions.includes(auth.region)) {
    throw new DomainError("AccessDenied", `The region "${auth.region}" is not served by this endpoint.`);
  }

  const found = accounts.byAccessKeyId(auth.accessKeyId);
  if (found === undefined) {
    throw new DomainError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  }

  const now = options.now ?? new Date();
  const skewMs = (options.clockSkewSeconds ?? DEFAULT_SIGV4_CLOCK_SKEW_SECONDS) * 1000;
  let signingDate: Date;
  let expiresIn = 0;
  if (presigned) {
    signingDate = parseAmzDate(singleParam(target.query, "X-Amz-Date") ?? "", "X-Amz-Date");
    expiresIn = parseExpires(singleParam(target.query, "X-Amz-Expires"));
    const skew = (options.clockSkewSeconds ?? DEFAULT_SIGV4_CLOCK_SKEW_SECONDS) * 1000;
    if (signingDate.getTime() - skew > now.getTime()) {
      throw new DomainError("ExpiredToken", `The presigned URL is not valid before ${signingDate.toISOString()}.`);
    }
    if (signingDate.getTime() + expiresIn * 1000 < now.getTime()) {
      throw new DomainError("ExpiredToken", "Request has expired");
    }
  } else {
    const amzDate = headerValue(input.headers, "x-amz-date");
    if (amzDate === undefined) throw malformed("the x-amz-date header is required");
    signingDate = parseAmzDate(amzDate, "x-amz-date");
    const skew = (options.clockSkewSeconds ?? DEFAULT_SIGV4_CLOCK_SKEW_SECONDS) * 1000;
    if (Math.abs(signingDate.getTime() - now.getTime()) > skew) {
      throw new DomainError(
        "RequestTimeTooSkewed",
        `The difference between the request time (${signingDate.toISOString()}) and the server's time ` +
          `(${now.toISOString()}) is too large.`,
      );
    }
    if (!auth.signedHeaders.includes("x-amz-date")) throw malformed("x-amz-date must be among the signed headers");
  }
  if (formatShortDate(signingDate) !== auth.shortDate) {
    throw malformed(`the credential scope date ${auth.shortDate} is not the request's date`);
  }
  if (!auth.signedHeaders.includes("host")) throw malformed("host must be among the signed headers");

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = headerValue(input.headers, name);
    if (value === undefined) {
      throw new DomainError("SignatureDoesNotMatch", `The signed header "${clip(name)}" is not in the request.`);
    }
    headers[name] = value;
  }
  // The payload hash the client signed: its x-amz-content-sha256 header, or for a presigned URL without one
  // UNSIGNED-PAYLOAD (S3 presigners) or the body's hash (generic presigners), or else the body's hash.
  const sentPayloadHash = headerValue(input.headers, "x-amz-content-sha256");
  const bodyHash = () => sha256Hex(input.body ?? new Uint8Array(0));
  const payloadHashes =
    presigned && headers["x-amz-content-sha256"] === undefined
      ? [UNSIGNED_PAYLOAD, bodyHash()]
      : [sentPayloadHash ?? bodyHash()];
  // Outside the signed headers, x-amz-content-sha256 only tells the signer which payload hash to use.
  const unsignable = new Set(headers["x-amz-content-sha256"] === undefined ? ["x-amz-content-sha256"] : []);

  const query = groupQuery(target.query.filter((p) => !(presigned && isPresignParam(p.name))));
  const credentials = { accessKeyId: auth.accessKeyId, secretAccessKey: found.key.secretAccessKey };
  const path = target.rawPath === "" ? "/" : target.rawPath;
  const signOptions = {
    signingDate,
    signingRegion: auth.region,
    signingService: auth.service,
    signableHeaders: new Set(auth.signedHeaders),
    unsignableHeaders: unsignable,
  };

  const expected = Buffer.from(auth.signature, "utf8");
  let matched = false;
  for (const payloadHash of payloadHashes) {
    const request = {
      method: input.method.toUpperCase(),
      protocol: "http:",
      hostname: headers.host ?? "",
      path,
      query,
      headers: { ...headers, "x-amz-content-sha256": headers["x-amz-content-sha256"] ?? payloadHash },
    };
    for (const uriEscapePath of escapeVariants(path)) {
      const signer = new SignatureV4({
        credentials,
        region: auth.region,
        service: auth.service,
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath,
        applyChecksum: false,
      });
      let actual: string;
      if (presigned) {
        const signed = await signer.presign(request, {
          ...signOptions,
          expiresIn,
          unhoistableHeaders: new Set(Object.keys(request.headers)),
        });
        actual = String(signed.query?.["X-Amz-Signature"] ?? "");
      } else {
        const signed = await signer.sign(request, signOptions);
        actual = /Signature=([0-9a-f]+)$/.exec(String(signed.headers.authorization ?? ""))?.[1] ?? "";
      }
      const actualBytes = Buffer.from(actual.padEnd(expected.length, "-").slice(0, expected.length), "utf8");
      // Every candidate is compared, in constant time, whatever the outcome of the others.
      if (timingSafeEqual(actualBytes, expected) && actual.length === expected.length) matched = true;
    }
  }
  if (!matched) {
    throw new DomainError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  const coversBody =
    auth.signedHeaders.includes("content-md5") ||
    (headers["x-amz-content-sha256"] !== undefined && headers["x-amz-content-sha256"] !== UNSIGNED_PAYLOAD) ||
    (!presigned && sentPayloadHash !== UNSIGNED_PAYLOAD);
  const validUntil = presigned ? signingDate.getTime() + expiresIn * 1000 + 1 : signingDate.getTime() + skewMs + 1;
  return {
    account: found.account,
    accessKeyId: auth.accessKeyId,
    region: auth.region,
    target,
    presigned,
    signature: auth.signature,
    coversBody,
    validUntil,
  };
}

/**
 * After the body has arrived: an `x-amz-content-sha256` that is a hash (not UNSIGNED-PAYLOAD) must be the
 * SHA-256 of the body. Returns false on a mismatch; throws InvalidRequest for the streaming (chunk-signed)
 * forms, which objbatch does not accept for job requests.
 */
export function checkPayloadHash(sent: string | undefined, body: Uint8Array | undefined): boolean {
  if (sent === undefined || sent === UNSIGNED_PAYLOAD) return true;
  if (sent.startsWith("STREAMING-")) {
    throw new DomainError("InvalidRequest", `x-amz-content-sha256 "${clip(sent)}" (chunked signing) is not supported.`);
  }
  const actual = body === undefined || body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
  return sent.toLowerCase() === actual;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The query as the signer takes it: repeated names become arrays. */
function groupQuery(params: readonly QueryParam[]): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const { name, value } of params) {
    const had = query[name];
    query[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return query;
}

/** Escaping the path again changes nothing for plain paths; only then is one computation enough. */
function escapeVariants(path: string): boolean[] {
  return /^[A-Za-z0-9\-._~/]*$/.test(path) && !/(^|\/)\.{1,2}(\/|$)|\/\//.test(path) ? [true] : [true, false];
}

function headerValue(headers: SigV4Input["headers"], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : v.join(",");
}
