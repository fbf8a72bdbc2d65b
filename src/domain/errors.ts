/**
 * Dialect-independent errors. The service and the domain throw these; each dialect maps a kind to its own
 * error code, HTTP status and body (D12). `detail` narrows the kind where a dialect documents distinct codes
 * (COS uses InvalidArgument for bad query values and InvalidRequest for bad requests, for instance).
 */
export type DomainErrorKind =
  /** A value is out of range, of the wrong type, or missing (query parameters, element values). */
  | "InvalidArgument"
  /** The request as a whole cannot be honoured (wrong combination, missing body, ...). */
  | "InvalidRequest"
  /** The body is not well-formed XML or does not have the expected shape. */
  | "MalformedXML"
  /** The job does not exist, is another account's, or has been purged. */
  | "NoSuchJob"
  /** The requested status change is not allowed from the job's current status. */
  | "IllegalStatusChange"
  /** A ClientRequestToken was reused with a different request (or at all, for COS). */
  | "Idempotency"
  /** The account's cap on unfinished jobs is reached. */
  | "TooManyJobs"
  | "TooManyTags"
  | "InvalidNextToken"
  /** Authentication succeeded but the account may not do this. */
  | "AccessDenied"
  /** The request is not authenticated: no, malformed, expired or wrong signature, unknown key. */
  | "MissingSecurityHeader"
  | "InvalidAccessKeyId"
  | "SignatureDoesNotMatch"
  | "RequestTimeTooSkewed"
  | "ExpiredToken"
  | "EntityTooLarge"
  /** A Content-MD5 header that is malformed or does not match the body. */
  | "InvalidDigest"
  | "MethodNotAllowed"
  | "NotImplemented"
  /** Try again soon: the job changed status too often while the request tried to change it. */
  | "ServiceUnavailable"
  /** The job store cannot be reached or cannot write (store/errors.ts): 503 in every dialect. */
  | "StoreUnavailable"
  | "InternalError";

export class DomainError extends Error {
  readonly kind: DomainErrorKind;

  constructor(kind: DomainErrorKind, message: string) {
    super(message);
    this.name = "DomainError";
    this.kind = kind;
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

export const invalidArgument = (message: string) => new DomainError("InvalidArgument", message);
export const invalidRequest = (message: string) => new DomainError("InvalidRequest", message);
export const malformedXml = (message: string) => new DomainError("MalformedXML", message);
export const noSuchJob = (jobId: string) => new DomainError("NoSuchJob", `The specified job does not exist: ${jobId}`);
