/**
 * How many of one job's tasks may be in flight at once in one executor (a worker thread, or the engine's own
 * event loop), adjusted to what the storage sustains, the way TCP adjusts its congestion window (AIMD):
 *
 * - It starts at `initial` (8, or `max` if lower) and grows by one per finished task ("slow start": the limit
 *   doubles each round of tasks) until the storage first throttles.
 * - A throttled attempt (503 SlowDown, 429, ... see `isThrottling`) halves the limit, never below 1. Only
 *   an attempt that started after the last decrease counts: the tasks that were already in flight when the
 *   limit was cut would be throttled too, and cutting again for each of them would collapse the limit to 1.
 * - After the first throttle the limit grows additively: by one once a limit's worth of tasks finished
 *   unthrottled, up to `max` (the executor's `taskConcurrency`). It only grows while the job keeps it full:
 *   a job that has fewer tasks to run than its limit learns nothing about what the storage sustains.
 *
 * Every chunk of the job that runs in the same executor shares one instance (several run at once), so the
 * limit is the job's, not the chunk's. Waiters are served in order. The executor-wide task semaphore is taken
 * after this one: a throttled job waits here without holding permits other jobs could use.
 */

export interface ConcurrencySnapshot {
  /** Tasks of the job that may be in flight at once right now. */
  readonly limit: number;
  /** Tasks holding a permit right now. */
  readonly inFlight: number;
  /** Throttled attempts seen so far (each of them, also those that did not lower the limit). */
  readonly throttles: number;
  /** Times the limit was halved. */
  readonly decreases: number;
}

export type ConcurrencyChange = "increase" | "decrease";

export interface AdaptiveConcurrencyOptions {
  /** The ceiling: the executor's task concurrency. */
  readonly max: number;
  /** Where the limit starts (default 8, or `max` if lower). */
  readonly initial?: number;
  /** Called when the (whole-number) limit changes. */
  readonly onChange?: (change: ConcurrencyChange, state: ConcurrencySnapshot) => void;
}

export const DEFAULT_INITIAL_CONCURRENCY = 8;

export class AdaptiveConcurrency {
  readonly max: number;
  private current: number;
  /** Unthrottled tasks since the limit last grew, after the first throttle. */
  private credit = 0;
  private active = 0;
  private slowStart = true;
  private generation = 0;
  private throttleCount = 0;
  private decreaseCount = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly onChange: AdaptiveConcurrencyOptions["onChange"];

  constructor(options: AdaptiveConcurrencyOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw new Error(`max must be >= 1, got ${options.max}`);
    this.max = options.max;
    this.current = Math.max(1, Math.min(this.max, Math.floor(options.initial ?? DEFAULT_INITIAL_CONCURRENCY)));
    this.onChange = options.onChange;
  }

  get limit(): number {
    return this.current;
  }

  /** Changes each time the limit is halved; an attempt notes it when it starts and hands it to `throttled`. */
  get epoch(): number {
    return this.generation;
  }

  snapshot(): ConcurrencySnapshot {
    return { limit: this.limit, inFlight: this.active, throttles: this.throttleCount, decreases: this.decreaseCount };
  }

  /** Takes a permit if one is free right now (the hot path, without a promise). */
  tryAcquire(): boolean {
    if (this.active < this.current && this.waiters.length === 0) {
      this.active++;
      return true;
    }
    return false;
  }

  /** Resolves once the caller holds a permit. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.active--;
    this.admit();
  }

  /** A task finished without being throttled (succeeded, or failed for good): the storage kept up. */
  succeeded(): void {
    if (this.current >= this.max || (this.active < this.current && this.waiters.length === 0)) return;
    if (!this.slowStart && ++this.credit < this.current) return;
    this.credit = 0;
    this.current++;
    this.admit();
    this.onChange?.("increase", this.snapshot());
  }

  /** An attempt that started at `epoch` was throttled. Returns whether the limit was lowered. */
  throttled(epoch: number): boolean {
    this.throttleCount++;
    if (epoch !== this.generation) return false;
    this.generation++;
    this.decreaseCount++;
    this.slowStart = false;
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.credit = 0;
    this.onChange?.("decrease", this.snapshot());
    return true;
  }

  private admit() {
    while (this.waiters.length > 0 && this.active < this.current) {
      this.active++;
      this.waiters.shift()!();
    }
  }
}
