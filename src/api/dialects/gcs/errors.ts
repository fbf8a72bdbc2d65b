/**
 * Errors as the Google APIs send them (google.rpc.Status over HTTP/JSON, AIP-193; docs/decisions.md D46):
 *
 *   {"error":{"code":404,"message":"...","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/..."}]}}
 *
 * `code` is the HTTP status, `status` the canonical google.rpc.Code name, and `details` carries a
 * google.rpc.ErrorInfo (reason, domain) on every error and a google.rpc.BadRequest with field violations when
 * a request field is wrong, so gcloud prints its usual `STATUS: message` and exits 1. Every objbatch DomainError
 * kind maps onto one canonical code here (GCS_ERROR_TABLE).
 */
import type { DomainError, DomainErrorKind } from "../../../domain/errors.js";
import type { FastifyRejection } from "../../http/fastify-rejections.js";

/** google.rpc.Code: each canonical code's name and number (google/rpc/code.proto; ErrorSummary.errorCode uses the names). */
export const RPC_CODES = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type RpcCode = keyof typeof RPC_CODES;

/** The HTTP status of each canonical code (google/rpc/code.proto's "HTTP Mapping"). */
export const HTTP_STATUS_OF: Readonly<Record<RpcCode, number>> = {
  OK: 200,
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
};

/** One wrong field of a request (google.rpc.BadRequest.FieldViolation); `field` is a path such as `job.bucket_list`. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export const ERROR_DOMAIN = "storagebatchoperations.googleapis.com";

/** A Google error answer; the dialect's code throws these, and every other failure is turned into one. */
export class GoogleApiError extends Error {
  readonly httpStatus: number;

  constructor(
    readonly status: RpcCode,
    message: string,
    readonly options: {
      /** google.rpc.ErrorInfo.reason: UPPER_SNAKE_CASE, what went wrong in a word. */
      readonly reason?: string;
      readonly fieldViolations?: readonly FieldViolation[];
    } = {},
  ) {
    super(message);
    this.name = "GoogleApiError";
    this.httpStatus = HTTP_STATUS_OF[status];
  }
}

/** An INVALID_ARGUMENT naming the one field that is wrong. */
export function badField(field: string, description: string): GoogleApiError {
  return new GoogleApiError("INVALID_ARGUMENT", `Invalid value for ${field}: ${description}`, {
    reason: "INVALID_ARGUMENT",
    fieldViolations: [{ field, description }],
  });
}

export const notFound = (message: string) => new GoogleApiError("NOT_FOUND", message, { reason: "NOT_FOUND" });

export const GCS_ERROR_TABLE: Readonly<Record<DomainErrorKind, RpcCode>> = {
  InvalidArgument: "INVALID_ARGUMENT",
  InvalidRequest: "INVALID_ARGUMENT",
  InvalidDigest: "INVALID_ARGUMENT",
  MalformedXML: "INVALID_ARGUMENT",
  EntityTooLarge: "INVALID_ARGUMENT",
  NoSuchJob: "NOT_FOUND",
  IllegalStatusChange: "FAILED_PRECONDITION",
  Idempotency: "ALREADY_EXISTS",
  TooManyJobs: "RESOURCE_EXHAUSTED",
  TooManyTags: "INVALID_ARGUMENT",
  InvalidNextToken: "INVALID_ARGUMENT",
  AccessDenied: "PERMISSION_DENIED",
  MissingSecurityHeader: "UNAUTHENTICATED",
  InvalidAccessKeyId: "UNAUTHENTICATED",
  SignatureDoesNotMatch: "UNAUTHENTICATED",
  RequestTimeTooSkewed: "UNAUTHENTICATED",
  ExpiredToken: "UNAUTHENTICATED",
  // Google's front end answers a method a resource does not have as a method it does not know.
  MethodNotAllowed: "NOT_FOUND",
  NotImplemented: "UNIMPLEMENTED",
  ServiceUnavailable: "UNAVAILABLE",
  StoreUnavailable: "UNAVAILABLE",
  InternalError: "INTERNAL",
};

export function googleErrorOf(e: DomainError): GoogleApiError {
  const status = GCS_ERROR_TABLE[e.kind] ?? "INTERNAL";
  return new GoogleApiError(status, e.message, { reason: reasonOf(e.kind) });
}

/** ErrorInfo reasons: UPPER_SNAKE_CASE of the DomainError kind (TooManyJobs -> TOO_MANY_JOBS). */
function reasonOf(kind: DomainErrorKind): string {
  return kind.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export function googleErrorOfRejection(rejection: FastifyRejection, maxBodyBytes: number): GoogleApiError {
  return rejection.kind === "body-too-large"
    ? new GoogleApiError("INVALID_ARGUMENT", `The request body exceeds the maximum size of ${maxBodyBytes} bytes.`, {
        reason: "REQUEST_TOO_LARGE",
      })
    : new GoogleApiError("INVALID_ARGUMENT", rejection.message, { reason: "BAD_REQUEST" });
}

export const INTERNAL_ERROR = new GoogleApiError("INTERNAL", "Internal error encountered.", { reason: "INTERNAL" });

/** The error body: google.rpc.Status in Google's HTTP/JSON envelope. */
export function renderGoogleError(error: GoogleApiError): string {
  const details: Record<string, unknown>[] = [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: error.options.reason ?? error.status,
      domain: ERROR_DOMAIN,
    },
  ];
  if (error.options.fieldViolations !== undefined && error.options.fieldViolations.length > 0) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      fieldViolations: error.options.fieldViolations,
    });
  }
  return JSON.stringify({
    error: { code: error.httpStatus, message: error.message, status: error.status, details },
  });
}
