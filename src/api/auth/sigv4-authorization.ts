/**
 * Reading a SigV4 signature's fields, for the verifier (sigv4.ts): the Authorization header
 * (`AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=a;b,
 * Signature=<hex>`), the X-Amz-* query parameters of a presigned URL, and the X-Amz-Date and X-Amz-Expires values.
 * Whatever is malformed answers MissingSecurityHeader ("The authorization is malformed: ...") with what is wrong.
 */
import { DomainError } from "../../domain/errors.js";
import type { QueryParam } from "./request-target.js";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

/** Query parameters a presigned URL's signature is carried in; presign() writes them itself. */
const PRESIGN_PARAMS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
] as const;

/** The fields of a SigV4 signature, from the Authorization header or a presigned URL. */
export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/s3/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const trimmed = value.trim();
  const space = trimmed.indexOf(" ");
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw malformed(`the algorithm must be ${SIGV4_ALGORITHM}, not "${clip(algorithm)}"`);
  }
  const fields = new Map<string, string>();
  // With no space there are no fields: the algorithm alone is not one.
  for (const part of (space === -1 ? "" : trimmed.slice(space + 1)).split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq === -1) throw malformed(`"${clip(item)}" is not a name=value pair`);
    const name = item.slice(0, eq).trim();
    if (fields.has(name)) throw malformed(`${name} appears more than once`);
    fields.set(name, item.slice(eq + 1).trim());
  }
  return parseFields(fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature"));
}

/** The X-Amz-* query parameters of a presigned URL. */
export function parsePresignedQuery(query: readonly QueryParam[]): ParsedAuthorization {
  const algorithm = singleParam(query, "X-Amz-Algorithm");
  if (algorithm !== SIGV4_ALGORITHM) {
    throw malformed(`X-Amz-Algorithm must be ${SIGV4_ALGORITHM}, not "${clip(algorithm ?? "")}"`);
  }
  return parseFields(
    singleParam(query, "X-Amz-Credential"),
    singleParam(query, "X-Amz-SignedHeaders"),
    singleParam(query, "X-Amz-Signature"),
  );
}

function parseFields(
  credential: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
): ParsedAuthorization {
  if (credential === undefined) throw malformed("Credential is missing");
  if (signedHeaders === undefined) throw malformed("SignedHeaders is missing");
  if (signature === undefined) throw malformed("Signature is missing");
  const parts = credential.split("/");
  if (parts.length < 5 || parts[parts.length - 1] !== "aws4_request") {
    throw malformed("Credential must be <access key>/<yyyymmdd>/<region>/<service>/aws4_request");
  }
  const [shortDate, region, service] = parts.slice(-4) as [string, string, string];
  const accessKeyId = parts.slice(0, -4).join("/");
  if (accessKeyId === "") throw malformed("the access key id is empty");
  if (!/^\d{8}$/.test(shortDate)) throw malformed(`"${clip(shortDate)}" is not a yyyymmdd date`);
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw malformed(`"${clip(region)}" is not a region name`);
  if (!/^[a-z0-9-]{1,64}$/.test(service)) throw malformed(`"${clip(service)}" is not a service name`);
  const names = signedHeaders.split(";");
  if (names.some((n) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n))) {
    throw malformed("SignedHeaders must be lowercase header names separated by ';'");
  }
  if (new Set(names).size !== names.length) throw malformed("SignedHeaders names a header twice");
  const sig = signature.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sig)) throw malformed("Signature must be 64 hexadecimal digits");
  return { accessKeyId, shortDate, region, service, signedHeaders: names, signature: sig };
}

/** `20240102T030405Z`. */
export function parseAmzDate(value: string, what: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()) || formatAmzDate(date) !== value) {
    throw malformed(`${what} must be a time such as 20240102T030405Z, not "${clip(value)}"`);
  }
  return date;
}

export function parseExpires(value: string | undefined): number {
  if (value === undefined || !/^\d{1,7}$/.test(value)) {
    throw malformed("X-Amz-Expires must be a number of seconds");
  }
  const n = Number(value);
  if (n < 1 || n > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw malformed(`X-Amz-Expires must be between 1 and ${MAX_PRESIGNED_EXPIRES_SECONDS} seconds`);
  }
  return n;
}

function formatAmzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

export function formatShortDate(d: Date): string {
  return formatAmzDate(d).slice(0, 8);
}

export function isPresignParam(name: string): boolean {
  return (PRESIGN_PARAMS as readonly string[]).includes(name);
}

/** The one value of a query parameter; a repeated one is malformed. */
export function singleParam(params: readonly QueryParam[], name: string): string | undefined {
  const matching = params.filter((p) => p.name === name);
  if (matching.length > 1) throw malformed(`${name} appears more than once`);
  return matching[0]?.value;
}

export function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}...` : value;
}

export function malformed(detail: string): DomainError {
  return new DomainError("MissingSecurityHeader", `The authorization is malformed: ${detail}.`);
}
