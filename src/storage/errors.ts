/**
 * The storage layer's error model: every failure of an ObjectStorage is a StorageError carrying the HTTP
 * status and error code S3 would answer for the same failure (NoSuchKey 404, AccessDenied 403,
 * PreconditionFailed 412, InvalidObjectState 403, ...) and whether trying again may help, so the engine knows
 * what to retry and an operation can put the rest straight into the completion report.
 *
 * The codes every backend answers are built here, one function each, so they read alike whichever store
 * failed. The backends only translate their native failures into this model: local/errors.ts the filesystem's
 * errno codes, s3/errors.ts whatever the AWS SDK throws.
 */

export class StorageError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  /** True for failures worth retrying (throttling, 5xx, resets); false for 4xx answers. */
  readonly retryable: boolean;

  constructor(code: string, httpStatus: number, message: string, retryable = httpStatus >= 500) {
    super(message);
    this.name = "StorageError";
    this.code = code;
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }
}

export function isStorageError(e: unknown): e is StorageError {
  return e instanceof StorageError;
}

/** `bucket/key` for messages, the key JSON-escaped (control characters stay visible); the bucket alone without a key. */
export const where = (bucket: string, key?: string): string =>
  key === undefined || key === "" ? bucket : `${bucket}/${JSON.stringify(key).slice(1, -1)}`;

export const noSuchBucket = (bucket: string): StorageError =>
  new StorageError("NoSuchBucket", 404, `The specified bucket does not exist: ${bucket}`);

export const noSuchKey = (bucket: string, key: string): StorageError =>
  new StorageError("NoSuchKey", 404, `The specified key does not exist: ${where(bucket, key)}`);

/** 404 NoSuchVersion; `why` adds what the store knows (the local backend: only "null" exists). */
export const noSuchVersion = (bucket: string, key: string, versionId: string, why?: string): StorageError =>
  new StorageError(
    "NoSuchVersion",
    404,
    `The specified version does not exist: ${where(bucket, key)} version ${versionId}${why !== undefined ? ` (${why})` : ""}`,
  );

export const noSuchUpload = (bucket: string, key: string, uploadId: string): StorageError =>
  new StorageError(
    "NoSuchUpload",
    404,
    `The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed: ${where(bucket, key)} upload ${JSON.stringify(uploadId)}`,
  );

export const accessDenied = (bucket: string, key: string, why: string): StorageError =>
  new StorageError("AccessDenied", 403, `Access Denied: ${where(bucket, key)}: ${why}`);

export const invalidArgument = (message: string): StorageError => new StorageError("InvalidArgument", 400, message);

/** 400 InvalidArgument for a key the store cannot hold, saying why. */
export const invalidKey = (bucket: string, key: string, why: string): StorageError =>
  invalidArgument(`Invalid key ${where(bucket, key)}: ${why}`);

export const keyTooLong = (bucket: string, key: string, why: string): StorageError =>
  new StorageError("KeyTooLongError", 400, `Your key is too long: ${where(bucket, key)}: ${why}`);

export const invalidObjectState = (bucket: string, key: string, why: string): StorageError =>
  new StorageError(
    "InvalidObjectState",
    403,
    `The operation is not valid for the object's state: ${where(bucket, key)}: ${why}`,
  );

export const preconditionFailed = (bucket: string, key: string, why: string): StorageError =>
  new StorageError(
    "PreconditionFailed",
    412,
    `At least one of the preconditions you specified did not hold: ${where(bucket, key)}: ${why}`,
  );

/** 416 InvalidRange; `of` says what the range was measured against, when known. */
export const invalidRange = (range: { start: number; end: number }, of?: string): StorageError =>
  new StorageError(
    "InvalidRange",
    416,
    of === undefined
      ? `The requested range bytes=${range.start}-${range.end} is not valid`
      : `The requested range bytes=${range.start}-${range.end} is not satisfiable for ${of}`,
  );

/** 501 NotImplemented, not retried: the store cannot do what was asked (no other answer will come). */
export const notImplemented = (message: string): StorageError =>
  new StorageError("NotImplemented", 501, message, false);

/** 500 InternalError, not retried: a store that was closed, or an answer without what it must carry. */
export const internalError = (message: string, retryable = true): StorageError =>
  new StorageError("InternalError", 500, message, retryable);
