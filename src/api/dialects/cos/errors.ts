/**
 * DomainError kinds -> COS error code, HTTP status and body (the COS batch-job documentation; docs/decisions.md D12):
 *   <Error><Code/><Message/><Resource/><RequestId/><TraceId/></Error>
 *
 * Statuses follow the COS documents, including their 500 for TooManyJobs and ServiceUnavailable; a job store
 * that is down or full answers ServiceUnavailable with 503, which tells clients the condition is temporary.
 * Time-window failures answer 403 AccessDenied with the exact message "Request has expired": the COS SDKs
 * recognise that message (with the response's Date header) to correct their clock offset and retry.
 *
 * COS_ERROR_FORMAT is the whole of it as the dialect plugin (http/dialect-plugin.ts) uses it: the request id every
 * answer carries in `x-cos-request-id`, the answer to each kind of failure, and the body.
 */
import { randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { DomainError, DomainErrorKind } from "../../../domain/errors.js";
import type { DialectErrorFormat } from "../../http/dialect-plugin.js";
import { rejectionAsDomainError } from "../../http/fastify-rejections.js";
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

/** The ids of a COS request: one, in `x-cos-request-id` and the body's RequestId. */
export interface CosRequestIds {
  readonly requestId: string;
}

export const COS_ERROR_FORMAT: DialectErrorFormat<CosError, CosRequestIds> = {
  api: "COS API",
  newIds: () => ({ requestId: newCosRequestId() }),
  idHeaders: (ids) => ({ "x-cos-request-id": ids.requestId }),
  fromDomainError: cosErrorFor,
  fromRejection: (rejection, maxBodyBytes) => cosErrorFor(rejectionAsDomainError(rejection, maxBodyBytes)),
  internalError: INTERNAL_ERROR,
  render: (error, request, ids) => renderCosError(error, resourceOf(request), ids.requestId),
};

/** The host and path the request was sent to, as COS reports it in Resource. */
function resourceOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf("?");
  return `${request.headers.host ?? ""}${q === -1 ? url : url.slice(0, q)}`;
}
