/**
 * Turns whatever the AWS SDK throws into the storage error model (../errors.ts): the S3 code and HTTP status as
 * the server answered them, and `retryable` set for what is worth another try (throttling, 5xx other than 501,
 * 429, resets, timeouts), so the engine's retry policy backs off and a permanent answer (403, 404, 412, 400, ...)
 * goes straight into the task's report row. A body stream's errors are translated the same way.
 */
import { PassThrough, type Readable } from "node:stream";
import { noSuchKey, noSuchVersion, StorageError, where } from "../errors.js";
import { THROTTLING_CODES } from "../throttling-codes.js";

/** Codes S3 (and compatibles) use for throttling and transient trouble, whatever the status says. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  ...THROTTLING_CODES,
  "EC2ThrottledException",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "OperationAborted",
]);

/** Node and undici error codes of a connection that failed, dropped or stalled. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

/** The status S3 gives a code, for errors the SDK raised without one (e.g. an error inside a 200 answer). */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  SlowDown: 503,
  ServiceUnavailable: 503,
  InternalError: 500,
  NoSuchKey: 404,
  NoSuchBucket: 404,
  NoSuchVersion: 404,
  NoSuchUpload: 404,
  AccessDenied: 403,
  InvalidObjectState: 403,
  PreconditionFailed: 412,
  InvalidRange: 416,
  RequestTimeout: 400,
  OperationAborted: 409,
};

/** The codes the SDK makes up for error answers without a body (HEAD requests). */
const CODE_OF_BODYLESS_STATUS: Readonly<Record<number, string>> = {
  400: "BadRequest",
  403: "AccessDenied",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  412: "PreconditionFailed",
  416: "InvalidRange",
  429: "TooManyRequests",
  500: "InternalError",
  501: "NotImplemented",
  503: "ServiceUnavailable",
};

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  cause?: unknown;
}

export function isRetryableStatus(status: number, code: string): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (status === 501) return false;
  return status === 429 || status >= 500;
}

/**
 * The StorageError for `e`, an error from an S3 request about `bucket`/`key`. Errors that are neither S3
 * answers nor network failures (bugs, aborts) come back unchanged.
 */
export function toStorageError(e: unknown, bucket: string, key?: string): unknown {
  if (e instanceof StorageError) return e;
  const err = e as SdkError | undefined;
  if (err === undefined || err === null || typeof err !== "object") return e;
  if (err.name === "AbortError") return e;
  const at = where(bucket, key);

  const network = networkCode(err);
  if (network !== undefined) {
    const timeout = network === "TimeoutError" || network === "ETIMEDOUT";
    return new StorageError(
      timeout ? "RequestTimeout" : "ConnectionError",
      503,
      `${timeout ? "No answer in time" : "The connection failed"} for ${at}: ${err.message ?? network} (${network})`,
      true,
    );
  }

  const answered = err.$metadata?.httpStatusCode ?? err.$response?.statusCode;
  if (answered === undefined) return e;
  let code = err.Code ?? err.name ?? "";
  if (code === "" || code === "Unknown" || code === "UnknownError" || code === "Error" || /^\d+$/.test(code)) {
    code = CODE_OF_BODYLESS_STATUS[answered] ?? (answered >= 500 ? "InternalError" : "BadRequest");
  }
  // CopyObject and CompleteMultipartUpload can fail inside a 200 answer; a 2xx that failed to parse is a
  // truncated answer: both are server trouble.
  const status = answered >= 300 ? answered : (STATUS_OF_CODE[code] ?? 500);
  const message = err.message && err.message !== code && err.message !== "UnknownError" ? err.message : code;
  return new StorageError(code, status, `${message} (${at})`, isRetryableStatus(status, code));
}

/** Like toStorageError, for a HEAD-style 404 (no body): NoSuchKey, or NoSuchVersion when a version was asked for. */
export function notFoundOnHead(e: unknown, bucket: string, key: string, versionId?: string): unknown {
  const mapped = toStorageError(e, bucket, key);
  if (mapped instanceof StorageError && mapped.code === "NotFound") {
    return versionId !== undefined && versionId !== "null"
      ? noSuchVersion(bucket, key, versionId)
      : noSuchKey(bucket, key);
  }
  return mapped;
}

function networkCode(err: SdkError): string | undefined {
  // The SDK renames resets "TimeoutError" too: the errno code, when there is one, says what happened.
  for (let c: unknown = err, depth = 0; c && typeof c === "object" && depth < 4; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    c = (c as { cause?: unknown }).cause;
  }
  if (err.name === "TimeoutError") return "TimeoutError";
  if (
    err.$metadata?.httpStatusCode === undefined &&
    /socket hang up|premature close|aborted/i.test(err.message ?? "")
  ) {
    return "ECONNRESET";
  }
  return undefined;
}

/** The body stream, with its errors (resets, idle timeouts) turned into retryable StorageErrors. */
export function mapStreamErrors(body: Readable, bucket: string, key: string): Readable {
  const out = new PassThrough();
  body.on("error", (e) => {
    const mapped = toStorageError(e, bucket, key);
    out.destroy(mapped instanceof Error ? mapped : new Error(String(mapped)));
  });
  out.on("close", () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(out);
  return out;
}
