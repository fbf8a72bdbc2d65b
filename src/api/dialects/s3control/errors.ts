/**
 * S3 Control errors (the S3 Control API reference; docs/decisions.md D12). Every error answer is
 *
 *   <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/><HostId/></ErrorResponse>
 *
 * with the exception names the AWS SDKs model as classes (BadRequestException, NotFoundException, ...), so
 * `err instanceof NotFoundException` works in SDK code written against AWS. Statuses: 404 for
 * NotFoundException, 400 for the other client exceptions, 403 for authentication failures (S3's own codes,
 * which the SDKs use to correct clock skew), 500 InternalServiceException, 503 SlowDown when overloaded.
 * `Type` is Receiver for 5xx answers, Sender otherwise.
 *
 * S3CONTROL_ERROR_FORMAT is the whole of it as the dialect plugin (http/dialect-plugin.ts) uses it: the request
 * and host ids every answer carries in `x-amz-request-id` and `x-amz-id-2`, the answer to each kind of failure,
 * and the body.
 */
import { randomBytes } from "node:crypto";
import type { DomainError, DomainErrorKind } from "../../../domain/errors.js";
import type { DialectErrorFormat } from "../../http/dialect-plugin.js";
import type { FastifyRejection } from "../../http/fastify-rejections.js";
import { el, leaf, toXml } from "../../xml/build.js";

/** An S3 Control error answer; route code may also throw one directly for codes without a DomainError kind. */
export class S3ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "S3ControlError";
  }
}

interface Mapping {
  readonly status: number;
  readonly code: string;
  /** A fixed message replacing the DomainError's own. */
  readonly message?: string;
}

export const S3CONTROL_ERROR_TABLE: Readonly<Record<DomainErrorKind, Mapping>> = {
  InvalidArgument: { status: 400, code: "BadRequestException" },
  InvalidRequest: { status: 400, code: "BadRequestException" },
  InvalidDigest: { status: 400, code: "BadRequestException" },
  MalformedXML: { status: 400, code: "BadRequestException" },
  EntityTooLarge: { status: 400, code: "BadRequestException" },
  NoSuchJob: { status: 404, code: "NotFoundException" },
  IllegalStatusChange: { status: 400, code: "JobStatusException" },
  Idempotency: { status: 400, code: "IdempotencyException" },
  TooManyJobs: { status: 400, code: "TooManyRequestsException" },
  TooManyTags: { status: 400, code: "TooManyTagsException" },
  InvalidNextToken: { status: 400, code: "InvalidNextTokenException" },
  AccessDenied: { status: 403, code: "AccessDenied" },
  MissingSecurityHeader: { status: 403, code: "AccessDenied" },
  InvalidAccessKeyId: { status: 403, code: "InvalidAccessKeyId" },
  SignatureDoesNotMatch: { status: 403, code: "SignatureDoesNotMatch" },
  RequestTimeTooSkewed: { status: 403, code: "RequestTimeTooSkewed" },
  ExpiredToken: { status: 403, code: "AccessDenied" },
  MethodNotAllowed: { status: 405, code: "MethodNotAllowed" },
  NotImplemented: { status: 501, code: "NotImplemented" },
  ServiceUnavailable: { status: 503, code: "SlowDown" },
  StoreUnavailable: { status: 503, code: "ServiceUnavailable" },
  InternalError: { status: 500, code: "InternalServiceException" },
};

export const INTERNAL_SERVICE_ERROR = new S3ControlError(
  500,
  "InternalServiceException",
  "We encountered an internal error. Please try again.",
);

export function s3ControlErrorFor(e: DomainError): S3ControlError {
  const m = S3CONTROL_ERROR_TABLE[e.kind] ?? { status: 500, code: "InternalServiceException" };
  return new S3ControlError(m.status, m.code, m.message ?? e.message);
}

export function renderS3ControlError(error: S3ControlError, requestId: string, hostId: string): string {
  return toXml(
    el(
      "ErrorResponse",
      el(
        "Error",
        leaf("Type", error.status >= 500 ? "Receiver" : "Sender"),
        leaf("Code", error.code),
        leaf("Message", error.message),
      ),
      leaf("RequestId", requestId),
      leaf("HostId", hostId),
    ),
  );
}

/** AWS request ids are 16 upper-case hex digits; host ids are base64. Both are opaque. */
export function newRequestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

export function newHostId(): string {
  return randomBytes(48).toString("base64");
}

/** The ids of an S3 Control request, in `x-amz-request-id` and `x-amz-id-2` and in the body. */
export interface S3ControlRequestIds {
  readonly requestId: string;
  readonly hostId: string;
}

export function s3ControlIdHeaders(ids: S3ControlRequestIds): Readonly<Record<string, string>> {
  return { "x-amz-request-id": ids.requestId, "x-amz-id-2": ids.hostId };
}

/** Fastify's rejections of a request are all BadRequestException here. */
function fromRejection(rejection: FastifyRejection, maxBodyBytes: number): S3ControlError {
  const message =
    rejection.kind === "body-too-large"
      ? `The request body exceeds the maximum allowed size of ${maxBodyBytes} bytes.`
      : rejection.message;
  return new S3ControlError(400, "BadRequestException", message);
}

export const S3CONTROL_ERROR_FORMAT: DialectErrorFormat<S3ControlError, S3ControlRequestIds> = {
  api: "S3 Control API",
  newIds: () => ({ requestId: newRequestId(), hostId: newHostId() }),
  idHeaders: s3ControlIdHeaders,
  ownError: (error) => (error instanceof S3ControlError ? error : undefined),
  fromDomainError: s3ControlErrorFor,
  fromRejection,
  internalError: INTERNAL_SERVICE_ERROR,
  render: (error, _request, ids) => renderS3ControlError(error, ids.requestId, ids.hostId),
};
