/**
 * When a failed delivery is tried again (D42): exponential backoff with "equal jitter", the wait after the n-th
 * failed attempt drawn from [d/2, d] where d = min(max, base * 2^(n-1)), so receivers coming back after an
 * outage are not hit by every sender at once. The random source is injected (tests).
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export function backoffDelay(
  policy: BackoffPolicy,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40));
  return Math.round(exp / 2 + (exp / 2) * random());
}
