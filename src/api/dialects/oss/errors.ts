/**
 * DomainError kinds -> OSS error code, HTTP status and body (the OSS batch-job documentation; docs/decisions.md D12):
 *   <Error><Code/><Message/><RequestId/><HostId/><EC/></Error>
 *
 * EC is Alibaba's detailed error code. objbatch writes it only where an OSS document names the code for the
 * same situation (0017-00001002 invalid batchJobId, 0017-00001009 invalid RoleArn, 0002-00000040 signature
 * mismatch, 0002-00000504 request time skew, 0002-00000505 unparsable request time, 0002-00000064 and
 * 0002-00000206 malformed AccessKeyId fields); for every other error the element is left out, as the OSS
 * documents mark it optional, rather than inventing codes in Alibaba's namespace. An OssCodedError, a DomainError
 * that carries its own EC (thrown by the codec and by the signature verifiers, auth/oss-signature*.ts), overrides
 * the table's default.
 *
 * The codes are OSS's own where OSS has one (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch,
 * RequestTimeTooSkewed, MalformedXML, InvalidArgument, InvalidDigest, EntityTooLarge, MethodNotAllowed,
 * InternalError); objbatch-specific conditions use the closest of them.
 *
 * OSS_ERROR_FORMAT is the whole of it as the dialect plugin (http/dialect-plugin.ts) uses it: the request id every
 * answer carries in `x-oss-request-id`, the answer to each kind of failure, and the body.
 */
import { randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { DomainError, DomainErrorKind } from "../../../domain/errors.js";
import { OSS_EC, OssCodedError } from "../../auth/oss-coded-error.js";
import type { DialectErrorFormat } from "../../http/dialect-plugin.js";
import { rejectionAsDomainError } from "../../http/fastify-rejections.js";

export { OSS_EC, OssCodedError } from "../../auth/oss-coded-error.js";

import { el, leaf, optLeaf, toXml } from "../../xml/build.js";

export interface OssError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly ec?: string;
}

interface Mapping {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
  readonly ec?: string;
}

export const OSS_ERROR_TABLE: Readonly<Record<DomainErrorKind, Mapping>> = {
  InvalidArgument: { status: 400, code: "InvalidArgument" },
  InvalidRequest: { status: 400, code: "InvalidRequest" },
  InvalidDigest: { status: 400, code: "InvalidDigest" },
  MalformedXML: { status: 400, code: "MalformedXML" },
  NoSuchJob: { status: 404, code: "NoSuchJob" },
  IllegalStatusChange: { status: 400, code: "InvalidRequest" },
  Idempotency: { status: 400, code: "InvalidRequest" },
  TooManyJobs: { status: 400, code: "TooManyJobs" },
  TooManyTags: { status: 400, code: "InvalidArgument" },
  InvalidNextToken: { status: 400, code: "InvalidArgument" },
  AccessDenied: { status: 403, code: "AccessDenied" },
  MissingSecurityHeader: { status: 403, code: "AccessDenied" },
  InvalidAccessKeyId: { status: 403, code: "InvalidAccessKeyId" },
  SignatureDoesNotMatch: { status: 403, code: "SignatureDoesNotMatch", ec: OSS_EC.signatureDoesNotMatch },
  RequestTimeTooSkewed: { status: 403, code: "RequestTimeTooSkewed", ec: OSS_EC.requestTimeTooSkewed },
  ExpiredToken: { status: 403, code: "AccessDenied", message: "Request has expired." },
  EntityTooLarge: { status: 400, code: "EntityTooLarge" },
  MethodNotAllowed: { status: 405, code: "MethodNotAllowed" },
  NotImplemented: { status: 501, code: "NotImplemented" },
  ServiceUnavailable: { status: 503, code: "ServiceUnavailable" },
  StoreUnavailable: { status: 503, code: "ServiceUnavailable" },
  InternalError: { status: 500, code: "InternalError" },
};

export const OSS_INTERNAL_ERROR: OssError = {
  status: 500,
  code: "InternalError",
  message: "We encountered an internal error. Please try again.",
};

export function ossErrorFor(e: DomainError): OssError {
  const m = OSS_ERROR_TABLE[e.kind] ?? { status: 500, code: "InternalError" };
  const ec = e instanceof OssCodedError ? e.ec : m.ec;
  return { status: m.status, code: m.code, message: m.message ?? e.message, ...(ec !== undefined ? { ec } : {}) };
}

/** The error body. `hostId` is the host the request was sent to, as OSS reports it. */
export function renderOssError(error: OssError, requestId: string, hostId: string): string {
  return toXml(
    el(
      "Error",
      leaf("Code", error.code),
      leaf("Message", error.message),
      leaf("RequestId", requestId),
      leaf("HostId", hostId),
      optLeaf("EC", error.ec),
    ),
  );
}

/** OSS request ids are 24 upper-case hex digits (`534B371674E88A4D8906****`). */
export function newOssRequestId(): string {
  return randomBytes(12).toString("hex").toUpperCase();
}

/** The ids of an OSS request: one, in `x-oss-request-id` and the body's RequestId. */
export interface OssRequestIds {
  readonly requestId: string;
}

export const OSS_ERROR_FORMAT: DialectErrorFormat<OssError, OssRequestIds> = {
  api: "OSS API",
  newIds: () => ({ requestId: newOssRequestId() }),
  idHeaders: (ids) => ({ "x-oss-request-id": ids.requestId }),
  fromDomainError: ossErrorFor,
  fromRejection: (rejection, maxBodyBytes) => ossErrorFor(rejectionAsDomainError(rejection, maxBodyBytes)),
  internalError: OSS_INTERNAL_ERROR,
  render: (error, request, ids) => renderOssError(error, ids.requestId, ossHostOf(request)),
};

/** OSS reports the host the request was sent to as HostId. */
export function ossHostOf(request: FastifyRequest): string {
  const host = request.headers.host;
  return typeof host === "string" && host !== "" ? host.slice(0, 255) : "objbatch";
}
