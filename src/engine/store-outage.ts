/**
 * How the engine lives through a job store that is down or cannot write (PostgreSQL restarting, SQLite on a
 * full disk): every store call that fails with a StoreUnavailableError is retried with backoff (full jitter,
 * capped at `storeRetryMaxDelayMs`) instead of ending the process, and the outage is logged once when it starts
 * and once when it ends, not once per attempt. Nothing is lost meanwhile: a chunk's results wait in memory until
 * they can be recorded (recording checks the lease, so it is still exactly-once), and a chunk given up (the
 * engine is stopping) keeps its lease until it expires, then runs again. Why: docs/decisions.md D14.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { isStoreUnavailable } from "../store/errors.js";
import { backoffDelay, type RetryPolicy } from "./retry.js";

export class StoreOutage {
  private failures = 0;
  private since: number | undefined;
  private readonly policy: RetryPolicy;

  constructor(
    private readonly log: Logger,
    maxDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 100, maxDelayMs };
  }

  /** True while the last store call failed for an unavailable store. */
  get down(): boolean {
    return this.since !== undefined;
  }

  /** Records a failed store call. Returns true when it failed because the store is unavailable. */
  failed(e: unknown, what: string): boolean {
    if (!isStoreUnavailable(e)) return false;
    this.failures++;
    if (this.since === undefined) {
      this.since = this.now();
      this.log.warn({ err: e.cause ?? e, during: what }, "job store unavailable; retrying with backoff");
    } else {
      this.log.debug({ err: e.cause ?? e, during: what, failures: this.failures }, "job store still unavailable");
    }
    return true;
  }

  /** A store call succeeded: the outage, if any, is over. */
  recovered(): void {
    if (this.since === undefined) return;
    this.log.info({ downMs: this.now() - this.since, failedCalls: this.failures }, "job store available again");
    this.since = undefined;
    this.failures = 0;
  }

  /** The wait before the next attempt, the `attempt`-th (0-based) of one caller's retries. */
  delay(attempt: number): number {
    return backoffDelay(this.policy, attempt);
  }

  /**
   * Runs `call` until it succeeds, waiting between attempts while it fails because the store is unavailable.
   * Any other error, or one while `stopping()` is true or `signal` aborted, is rethrown.
   */
  async retry<T>(what: string, call: () => Promise<T>, stopping: () => boolean, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await call();
        this.recovered();
        return result;
      } catch (e) {
        if (!this.failed(e, what) || stopping() || signal?.aborted) throw e;
      }
      await sleep(this.delay(attempt), undefined, { signal }).catch(() => undefined);
    }
  }
}
