/**
 * What the OSS V1 and V4 verifiers share: the request and result types, the request-time check (a window of 15
 * minutes either way, as OSS allows) and small header helpers. Their errors are the OSS dialect's own, with the
 * EC code that names the cause where OSS documents one (OssCodedError, oss-coded-error.ts).
 */
import type { Account } from "../../accounts/types.js";
import { OSS_EC, OssCodedError } from "./oss-coded-error.js";
import type { RequestTarget } from "./request-target.js";

export interface OssSignatureInput {
  readonly method: string;
  /** The request target as received (`/?batchJob&batchJobId=x`). */
  readonly url: string;
  /** Header names lowercased, as Node delivers them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface OssSignatureOptions {
  readonly now?: Date;
  /** Largest accepted difference between the request time and the server's clock. Default 900 s (OSS). */
  readonly clockSkewSeconds?: number;
  /** Signature V1: "allow" (default) or "refuse", leaving V4 only (signature-policy.ts). */
  readonly v1?: "allow" | "refuse";
}

export interface OssVerified {
  readonly account: Account;
  readonly accessKeyId: string;
  readonly target: RequestTarget;
  readonly version: "OSS" | "OSS4-HMAC-SHA256";
  /** V4 with a signed body hash (`x-oss-content-sha256` in hex): the body must hash to this. */
  readonly payloadSha256?: string;
  /** The signature as sent (V1 base64, V4 hex). */
  readonly signature: string;
  /** When this signature stops being accepted: the request time plus the skew allowance, ms. */
  readonly validUntil: number;
}

export const DEFAULT_OSS_CLOCK_SKEW_SECONDS = 15 * 60;

/** The job API's sub-resources: what a V1 CanonicalizedResource covers, and what ali-oss signs bare in V4. */
export const OSS_SUB_RESOURCES: ReadonlySet<string> = new Set(["batchJob", "batchJobPriority", "batchJobStatus"]);

export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

/**
 * The request time must be within the skew window. Accepts the HTTP date form (`Tue, 20 Dec 2022 08:48:18
 * GMT`, what V1 clients send) and the ISO-8601 basic form (`20221220T084818Z`, V4's x-oss-date). Returns the
 * request time, ms.
 */
export function checkRequestTime(value: string, options: OssSignatureOptions): number {
  const ms = parseOssTime(value);
  if (ms === undefined) {
    throw new OssCodedError(
      "AccessDenied",
      `The request time "${value.slice(0, 64)}" is not a valid date (use an HTTP date or yyyyMMddTHHmmssZ).`,
      OSS_EC.invalidRequestTime,
    );
  }
  const now = (options.now ?? new Date()).getTime();
  const skew = (options.clockSkewSeconds ?? DEFAULT_OSS_CLOCK_SKEW_SECONDS) * 1000;
  if (Math.abs(now - ms) > skew) {
    throw new OssCodedError(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
      OSS_EC.requestTimeTooSkewed,
    );
  }
  return ms;
}

/** The end of the window checkRequestTime accepts a request time in, ms. */
export function requestTimeValidUntil(requestTimeMs: number, options: OssSignatureOptions): number {
  return requestTimeMs + (options.clockSkewSeconds ?? DEFAULT_OSS_CLOCK_SKEW_SECONDS) * 1000 + 1;
}

const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Milliseconds since the epoch, or undefined when `value` is neither accepted form or names no real time. */
export function parseOssTime(value: string): number | undefined {
  let y: number;
  let mo: number;
  let d: number;
  let h: number;
  let mi: number;
  let s: number;
  let m = HTTP_DATE.exec(value);
  if (m !== null) {
    [d, mo, y, h, mi, s] = [
      Number(m[1]),
      MONTHS.indexOf(m[2]!) + 1,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    ];
  } else {
    m = ISO_BASIC.exec(value);
    if (m === null) return undefined;
    [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export function headerValue(headers: OssSignatureInput["headers"], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : v.join(", ");
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
