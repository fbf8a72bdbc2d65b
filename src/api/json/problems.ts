/**
 * Every error of the JSON API as an RFC 9457 problem: its own problems (ProblemError), the service's DomainErrors,
 * Fastify's rejections of a request and unexpected exceptions, each with a status, a `type` URI that names the
 * kind (`urn:objbatch:problem:<name>`), a title that is the same for every problem of the kind, and a detail
 * that says what happened this time.
 */
import type { DomainError, DomainErrorKind } from "../../domain/errors.js";
import type { FastifyRejection } from "../http/fastify-rejections.js";
import type { ProblemJson } from "./schemas/problem.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface FieldProblem {
  /** A JSON Pointer into the body (`/operation/kind`), or `?name` for a query parameter. */
  readonly pointer: string;
  readonly detail: string;
}

/** A problem the JSON API itself raises: status, kind name, title, detail, and the field problems if any. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    /** The kind's name in its type URI. */
    readonly problem: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: readonly FieldProblem[],
    /** Headers the answer carries (Retry-After). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
  }
}

export function validationProblem(detail: string, errors: readonly FieldProblem[]): ProblemError {
  return new ProblemError(400, "validation", "The request is not valid", detail, errors);
}

export function problemOf(error: ProblemError, instance?: string): ProblemJson {
  return {
    type: `urn:objbatch:problem:${error.problem}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    ...(instance !== undefined ? { instance } : {}),
    ...(error.errors !== undefined ? { errors: [...error.errors] } : {}),
  };
}

const AUTHENTICATION = { status: 401, name: "unauthenticated", title: "The request is not authenticated" };

/** Each DomainError kind's status, name and title. */
const DOMAIN_PROBLEMS: Readonly<Record<DomainErrorKind, { status: number; name: string; title: string }>> = {
  InvalidArgument: { status: 400, name: "invalid-request", title: "The request is not valid" },
  InvalidRequest: { status: 400, name: "invalid-request", title: "The request is not valid" },
  MalformedXML: { status: 400, name: "invalid-request", title: "The request is not valid" },
  InvalidDigest: { status: 400, name: "invalid-digest", title: "The body does not match its digest" },
  TooManyTags: { status: 400, name: "too-many-tags", title: "Too many tags" },
  InvalidNextToken: { status: 400, name: "invalid-cursor", title: "The cursor is not valid" },
  NoSuchJob: { status: 404, name: "no-such-job", title: "No such job" },
  IllegalStatusChange: { status: 409, name: "illegal-status-change", title: "The job cannot make this change now" },
  Idempotency: { status: 409, name: "token-reused", title: "The clientRequestToken was used for another job" },
  TooManyJobs: { status: 429, name: "too-many-jobs", title: "Too many unfinished jobs" },
  AccessDenied: { status: 403, name: "access-denied", title: "Access denied" },
  MissingSecurityHeader: AUTHENTICATION,
  InvalidAccessKeyId: AUTHENTICATION,
  SignatureDoesNotMatch: AUTHENTICATION,
  RequestTimeTooSkewed: AUTHENTICATION,
  ExpiredToken: AUTHENTICATION,
  EntityTooLarge: { status: 413, name: "body-too-large", title: "The body is too large" },
  MethodNotAllowed: { status: 405, name: "method-not-allowed", title: "Method not allowed" },
  NotImplemented: { status: 501, name: "not-implemented", title: "Not implemented" },
  ServiceUnavailable: { status: 503, name: "busy", title: "Try again" },
  StoreUnavailable: { status: 503, name: "store-unavailable", title: "The job store is unavailable" },
  InternalError: { status: 500, name: "internal", title: "Internal error" },
};

export function problemOfDomainError(error: DomainError): ProblemError {
  const { status, name, title } = DOMAIN_PROBLEMS[error.kind];
  return new ProblemError(status, name, title, error.message);
}

export function problemOfRejection(rejection: FastifyRejection, maxBodyBytes: number): ProblemError {
  return rejection.kind === "body-too-large"
    ? new ProblemError(413, "body-too-large", "The body is too large", `A body may be at most ${maxBodyBytes} bytes.`)
    : new ProblemError(400, "unreadable-request", "The request could not be read", rejection.message);
}

export const INTERNAL_PROBLEM = new ProblemError(
  500,
  "internal",
  "Internal error",
  "objbatch failed to answer the request; it has been logged.",
);
