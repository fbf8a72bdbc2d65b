/**
 * The bounded `error_code` label of objbatch's metrics: an error code objbatch knows (the storage error model's
 * codes, each backend's, the throttling codes, the operations' and the function contract's) stands for itself,
 * anything else is "other". A label set must stay small whatever a storage answers: an S3-compatible server may
 * make up codes, and a code is never allowed to carry a key, a bucket or a job id into a label.
 */
import { THROTTLING_CODES } from "../storage/throttling-codes.js";

/** Every error code objbatch itself puts in a StorageError or a task's result (src/storage, operations, functions). */
export const KNOWN_ERROR_CODES: readonly string[] = [
  ...new Set([
    // storage/errors.ts, the model every backend answers in
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchVersion",
    "NoSuchUpload",
    "AccessDenied",
    "InvalidArgument",
    "KeyTooLongError",
    "InvalidObjectState",
    "PreconditionFailed",
    "InvalidRange",
    "NotImplemented",
    "InternalError",
    // storage/local/errors.ts and object-attributes.ts
    "InsufficientStorage",
    "InvalidTag",
    // storage/s3/errors.ts: network failures, codes by status, codes of bodyless answers
    "ConnectionError",
    "RequestTimeout",
    "RequestTimeoutException",
    "OperationAborted",
    "EC2ThrottledException",
    "BadRequest",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    // storage/throttling-codes.ts, and the AWS SDK's one more (engine/retry.ts)
    ...THROTTLING_CODES,
    "LimitExceededException",
    // operations/ and functions/ (the Lambda batch contract)
    "InvalidRequest",
    "PermanentFailure",
    "TemporaryFailure",
    "ServiceException",
  ]),
];

/** The label value of anything outside KNOWN_ERROR_CODES. */
export const OTHER_ERROR_CODE = "other";

const INDEX = new Map(KNOWN_ERROR_CODES.map((code, i) => [code, i]));

/** The `error_code` label values, in the order of their index: the known codes, then "other". */
export const ERROR_CODE_VALUES: readonly string[] = [...KNOWN_ERROR_CODES, OTHER_ERROR_CODE];

/** The index of `code` in ERROR_CODE_VALUES: its own when known, "other"'s otherwise. */
export function errorCodeIndex(code: string): number {
  return INDEX.get(code) ?? KNOWN_ERROR_CODES.length;
}

/** The label value for `code`. */
export function errorCodeLabel(code: string): string {
  return ERROR_CODE_VALUES[errorCodeIndex(code)];
}
