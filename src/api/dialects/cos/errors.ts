/**
 * DomainError kinds -> COS error code, HTTP status and body (reference section 6 and D12):
 *   <Error><Code/><Message/><Resource/><RequestId/><TraceId/></Error>
 *
 * Statuses follow the COS documents, including their 500 for TooManyJobs and ServiceUnavailable; a job store
 * that is down or full answers ServiceUnavailable with 503, which tells clients the condition is temporary.
 * Time-window failures answer 403 AccessDenied with the exact message "Request has expired": the COS SDKs
 * recognise that message (with the response's Date header) to correct their clock offset and retry.
 */
import { randomBytes } from "node:crypto";
import type { DomainError, DomainErrorKind } from "../../../domain/errors.js";
import { el, leaf, toXml } from "../../xml/build.js";

export interface CosError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

interface Mapping {
  readonly status: number;
  readonly code: string;
  /** A fixed message replacing the DomainError's own. */
  readonly message?: string;
}

export const COS_ERROR_TABLE: Readonly<Record<DomainErrorKind, Mapping>> = {
  InvalidArgument: { status: 400, code: "InvalidArgument" },
  InvalidRequest: { status: 400, code: "InvalidRequest" },
  InvalidDigest: { status: 400, code: "InvalidDigest" },
  MalformedXML: { status: 400, code: "MalformedXML" },
  NoSuchJob: { status: 404, code: "NoSuchJob" },
  IllegalStatusChange: { status: 400, code: "InvalidRequest" },
  Idempotency: { status: 400, code: "InvalidRequest", message: "Duplicate request." },
  TooManyJobs: { status: 500, code: "TooManyJobs" },
  TooManyTags: { status: 400, code: "InvalidArgument" },
  InvalidNextToken: { status: 400, code: "InvalidArgument" },
  AccessDenied: { status: 403, code: "AccessDenied" },
  MissingSecurityHeader: { status: 403, code: "AccessDenied" },
  InvalidAccessKeyId: { status: 403, code: "InvalidAccessKeyId" },
  SignatureDoesNotMatch: { status: 403, code: "SignatureDoesNotMatch" },
  RequestTimeTooSkewed: { status: 403, code: "RequestTimeTooSkewed" },
  ExpiredToken: { status: 403, code: "AccessDenied", message: "Request has expired" },
  EntityTooLarge: { status: 400, code: "EntityTooLarge" },
  MethodNotAllowed: { status: 405, code: "MethodNotAllowed" },
  NotImplemented: { status: 501, code: "NotImplemented" },
  ServiceUnavailable: { status: 500, code: "ServiceUnavailable" },
  StoreUnavailable: { status: 503, code: "ServiceUnavailable" },
  InternalError: { status: 500, code: "InternalError" },
};

export const INTERNAL_ERROR: CosError = {
  status: 500,
  code: "InternalError",
  message: "We encountered an internal error. Please try again.",
};

export function cosErrorFor(e: DomainError): CosError {
  const m = COS_ERROR_TABLE[e.kind] ?? { status: 500, code: "InternalError" };
  return { status: m.status, code: m.code, message: m.message ?? e.message };
}

/** The error body. `resource` is the request's host and path, as COS reports it. */
export function renderCosError(error: CosError, resource: string, requestId: string, traceId = newTraceId()): string {
  return toXml(
    el(
      "Error",
      leaf("Code", error.code),
      leaf("Message", error.message),
      leaf("Resource", resource),
      leaf("RequestId", requestId),
      leaf("TraceId", traceId),
    ),
  );
}

/** COS request ids look like base64 text; any opaque unique string serves. */
export function newCosRequestId(): string {
  return randomBytes(24).toString("base64");
}

export function newTraceId(): string {
  return randomBytes(32).toString("base64");
}
