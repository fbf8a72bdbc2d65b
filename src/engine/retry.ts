/**
 * Retry policy for failures worth retrying (throttling, 5xx, connection resets, timeouts): exponential backoff
 * with full jitter (a delay drawn uniformly from [0, min(max, base * 2^attempt)), as the AWS SDKs do), so many
 * tasks that failed together don't retry together. A failure that is not worth retrying (a StorageError with
 * `retryable` false: 403, 404, 412, ...) is rethrown at once: the task fails with that status and code in its
 * report row. Throttling (503 SlowDown, 429 and the throttling error codes) is always worth retrying, whatever
 * the storage backend said, and `isThrottling` lets the job's concurrency control react to it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isStorageError } from "../storage/errors.js";
import { THROTTLING_CODES as STORAGE_THROTTLING_CODES } from "../storage/throttling-codes.js";

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  /**
   * The base after a throttled attempt (default 5 x baseDelayMs), as the AWS SDKs do: a storage that asks us to
   * slow down gets the retries spread wider, so they do not pile up on it again.
   */
  readonly throttlingBaseDelayMs?: number;
  readonly maxDelayMs: number;
}

/**
 * Ten attempts: a batch job has time to wait, and giving up turns a passing storage hiccup into a failed row the
 * user must redo. With one attempt in five failing at random, five attempts leave about 1.6 failed tasks per
 * 5,000; ten leave about one per million jobs of that size. A task that keeps failing gives up after about
 * 30-40 s of backoff (full jitter, capped at 10 s).
 */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 10,
  baseDelayMs: 100,
  throttlingBaseDelayMs: 500,
  maxDelayMs: 10_000,
};

/** Error codes storage answers when it wants the client to slow down (the AWS SDK's list, S3's and COS's). */
const THROTTLING_CODES: ReadonlySet<string> = new Set([...STORAGE_THROTTLING_CODES, "LimitExceededException"]);

/** Network failures worth another try (Node's socket errors and undici's). */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** The storage asked us to slow down: 503 (SlowDown, ServiceUnavailable), 429, or a throttling error code. */
export function isThrottling(e: unknown): boolean {
  if (!isStorageError(e)) return false;
  return e.httpStatus === 503 || e.httpStatus === 429 || THROTTLING_CODES.has(e.code);
}

export function isRetryable(e: unknown): boolean {
  if (isStorageError(e)) return e.retryable || isThrottling(e);
  const err = e as { code?: unknown; name?: unknown } | null;
  if (typeof err?.code === "string" && TRANSIENT_NETWORK_CODES.has(err.code)) return true;
  // An AbortSignal.timeout() that fired inside a request; an abort by us (shutdown) is an AbortError, not this.
  return err?.name === "TimeoutError";
}

/**
 * The delay before retry number `attempt + 1`: full jitter over an exponentially growing ceiling, with the
 * throttling base when the storage throttled the attempt.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random, throttled = false): number {
  const base = throttled ? (policy.throttlingBaseDelayMs ?? policy.baseDelayMs * 5) : policy.baseDelayMs;
  const ceiling = Math.min(policy.maxDelayMs, base * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export interface RetryHooks {
  readonly signal?: AbortSignal;
  /** Called for every failed attempt (0-based), before deciding whether to retry it. */
  readonly onError?: (error: unknown, attempt: number) => void;
  /** Called for a failed attempt that will be tried again, before the wait (metrics count retries by reason). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
  /** Waits between attempts (tests pass a fake). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
  readonly random?: () => number;
}

const realSleep = (ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => {});

/**
 * Runs `fn`; on a retryable error waits and tries again, up to the policy's attempts; then rethrows the last
 * error. A non-retryable error is rethrown at once, and so is any error once `signal` is aborted.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks | AbortSignal = {},
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return retryAfterFailure(fn, e, policy, hooks);
  }
}

/**
 * What withRetry does once the first attempt of `fn` threw `firstError`: decides whether to retry it, and
 * retries as withRetry would. Lets a hot path make its first attempt without the retry machinery (the chunk
 * runner's tasks, nearly all of which succeed at once) and pay for it only when an attempt fails.
 */
export async function retryAfterFailure<T>(
  fn: () => Promise<T>,
  firstError: unknown,
  policy: RetryPolicy,
  hooks: RetryHooks | AbortSignal = {},
): Promise<T> {
  const {
    signal,
    onError,
    onRetry,
    sleep: wait = realSleep,
    random = Math.random,
  } = hooks instanceof AbortSignal ? ({ signal: hooks } as RetryHooks) : hooks;
  let e = firstError;
  for (let attempt = 0; ; attempt++) {
    onError?.(e, attempt);
    if (!isRetryable(e) || attempt + 1 >= policy.attempts || signal?.aborted) throw e;
    onRetry?.(e, attempt);
    await wait(backoffDelay(policy, attempt, random, isThrottling(e)), signal);
    try {
      return await fn();
    } catch (next) {
      e = next;
    }
  }
}
