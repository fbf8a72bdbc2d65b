/**
 * Retry policy for failures worth retrying (throttling, 5xx, resets): exponential backoff with full jitter,
 * so many tasks that failed together don't retry together.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isStorageError } from "../storage/types.js";

export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 };

export function isRetryable(e: unknown): boolean {
  if (isStorageError(e)) return e.retryable;
  const code = (e as { code?: string })?.code;
  return code === "ECONNRESET" || code === "ETIMEDOUT" || code === "EPIPE" || code === "ECONNREFUSED";
}

export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Runs `fn`; on a retryable error waits and tries again, up to the policy's attempts; then rethrows. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRetryable(e) || attempt + 1 >= policy.attempts || signal?.aborted) throw e;
      await sleep(backoffDelay(policy, attempt), undefined, { signal }).catch(() => {});
    }
  }
}
