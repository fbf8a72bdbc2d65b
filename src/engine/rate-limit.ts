/**
 * The optional per-job request-rate cap: at most N storage requests per second for one job in one objbatch
 * process, whatever the number of its worker threads.
 *
 * Where the cap comes from: the engine option `maxRequestsPerSecondPerJob` (environment
 * OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB; 0, the default, means no cap) and the job tag
 * `objbatch:max-requests-per-second` (S3 Control and COS jobs carry tags; PutJobTagging changes them while the
 * job runs, and the next chunk picks the change up). The value is a positive decimal number ("200", "0.5").
 * A job may only lower the operator's cap with its tag, never lift it: the effective cap is the smaller of
 * the two. A tag value that is not a positive number is ignored (the engine logs a warning once per job and
 * keeps the engine's cap): the tag API accepts any string, and failing a running job over a tuning hint
 * would be worse than ignoring the hint.
 *
 * How it is shared: the limiter's whole state is one 64-bit word (GCRA, the "virtual scheduling" form of a
 * token bucket: the time the next request may go), kept in a SharedArrayBuffer that the engine hands to
 * every worker thread running the job's chunks, and updated with compare-and-swap. So the cap holds for the
 * process as a whole, however the job's chunks are spread over its threads. Several objbatch servers sharing
 * one job store each enforce the cap on their own: a job run by S servers may reach S times the cap (set the
 * tag to cap / S if that matters).
 *
 * What counts: every call a task makes on the job's storage (for S3 one HTTP request, except the parts of a
 * multipart copy of a large object), retries included. A task waits for its first request's turn before it
 * takes one of the executor's task permits, so a capped job never sits on permits other jobs could use; its
 * further requests (AddObjectTagging reads, then writes) are charged without waiting, and the job's next
 * task waits for them. Reading the chunk's manifest range (one request per chunk) is not counted.
 *
 * Bursts: up to a tenth of a second's worth of requests (at least one) may go at once after an idle spell;
 * beyond that, requests are spaced 1/N s apart.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Tag } from "../domain/job.js";

export const RATE_TAG = "objbatch:max-requests-per-second";

/** Microseconds since the epoch, comparable between threads. */
export type MicroClock = () => number;

export const wallClockMicros: MicroClock = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** The shared state one job's limiters use: pass the same buffer to every thread running the job. */
export function newRateState(): SharedArrayBuffer {
  return new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT);
}

interface Waiter {
  readonly resolve: () => void;
  readonly skip?: () => boolean;
}

export class RateLimiter {
  private readonly state: BigInt64Array;
  private intervalUs = 0;
  private toleranceUs = 0;
  private perSecond = Number.POSITIVE_INFINITY;
  /** Callers waiting for a turn in this thread; only the first of them holds a booked turn (`sleeping`). */
  private readonly queue: Waiter[] = [];
  private sleeping = false;

  constructor(
    perSecond: number,
    state: SharedArrayBuffer = newRateState(),
    private readonly clock: MicroClock = wallClockMicros,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<unknown> = abortableSleep,
  ) {
    this.state = new BigInt64Array(state);
    this.setRate(perSecond);
  }

  /** Requests per second; `Infinity` lifts the cap. */
  get rate(): number {
    return this.perSecond;
  }

  get limited(): boolean {
    return this.perSecond !== Number.POSITIVE_INFINITY;
  }

  setRate(perSecond: number): void {
    if (!(perSecond > 0)) throw new Error(`a request rate must be > 0, got ${perSecond}`);
    this.perSecond = perSecond;
    if (!this.limited) return;
    this.intervalUs = 1e6 / perSecond;
    const burst = Math.max(1, Math.floor(perSecond / 10));
    this.toleranceUs = (burst - 1) * this.intervalUs;
  }

  /**
   * Waits for the next request's turn and takes it. Callers queue in order and only the first books a turn,
   * so nobody holds a turn far in the future: a caller for whom `skip` says the work is off (job cancelled,
   * shutdown) when its time comes is let through at once without a turn, and `signal` ends the wait early.
   */
  acquire(skip?: () => boolean, signal?: AbortSignal): Promise<void> {
    if (this.queue.length === 0 && !this.sleeping) {
      const waitUs = this.reserve();
      if (waitUs <= 0) return Promise.resolve();
      return new Promise((resolve) => this.sleepThen(waitUs, signal, resolve));
    }
    return new Promise((resolve) => this.queue.push({ resolve, skip }));
  }

  /** Takes a request's turn without waiting for it: whoever asks next waits for it instead. */
  charge(): void {
    this.reserve();
  }

  /** Books the next turn (in every thread sharing the state); returns how long (µs) until it comes. */
  reserve(): number {
    if (!this.limited) return 0;
    for (;;) {
      const tat = this.state[0];
      const now = this.clock();
      const theoretical = Number(tat);
      const next = BigInt(Math.ceil(Math.max(theoretical, now) + this.intervalUs));
      if (Atomics.compareExchange(this.state, 0, tat, next) === tat) {
        return Math.max(0, theoretical - this.toleranceUs - now);
      }
    }
  }

  /** Sleeps until a booked turn, lets its caller go, then serves the queue. */
  private sleepThen(waitUs: number, signal: AbortSignal | undefined, resolve: () => void): void {
    this.sleeping = true;
    const done = () => {
      this.sleeping = false;
      resolve();
      this.next(signal);
    };
    this.wait(waitUs / 1000, signal).then(done, done);
  }

  /** Lets the next queued callers through: those whose work is off, and those whose turn has come. */
  private next(signal: AbortSignal | undefined) {
    while (this.queue.length > 0) {
      const waiter = this.queue.shift()!;
      if (waiter.skip?.() || signal?.aborted) {
        waiter.resolve();
        continue;
      }
      const waitUs = this.reserve();
      if (waitUs <= 0) {
        waiter.resolve();
        continue;
      }
      this.sleepThen(waitUs, signal, waiter.resolve);
      return;
    }
  }
}

const abortableSleep = (ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => {});

export type RateCap =
  | { readonly rate: number; readonly source: "none" | "engine" | "tag" }
  | { readonly rate: number; readonly source: "engine" | "none"; readonly invalidTag: string };

/**
 * The job's effective cap (requests/second, `Infinity` for none) from the engine's default and the job's tags.
 * `invalidTag` carries a tag value that was ignored.
 */
export function resolveRateCap(engineCap: number, tags: readonly Tag[] | undefined): RateCap {
  const base = engineCap > 0 && Number.isFinite(engineCap) ? engineCap : Number.POSITIVE_INFINITY;
  const baseSource = base === Number.POSITIVE_INFINITY ? "none" : "engine";
  const tag = tags?.find((t) => t.key === RATE_TAG);
  if (!tag) return { rate: base, source: baseSource };
  const value = parseRate(tag.value);
  if (value === undefined) return { rate: base, source: baseSource, invalidTag: tag.value };
  return value < base ? { rate: value, source: "tag" } : { rate: base, source: baseSource };
}

/** A positive decimal number of requests per second, or undefined. */
export function parseRate(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value > 0 && Number.isFinite(value) ? value : undefined;
}
