/**
 * What an executor (a worker thread, or the engine's own event loop) keeps per job to pace the job's tasks:
 * the adaptive concurrency limit (adaptive-concurrency.ts) and the optional request-rate cap (rate-limit.ts),
 * shared by every chunk of the job it runs, plus their statistics. Changes of the limit are logged: halvings
 * at info level (at most one line per job every 10 s, with the counts since), everything else at debug.
 */
import type { Logger } from "pino";
import type { Tag } from "../domain/job.js";
import type { ObjectStorage } from "../storage/types.js";
import { AdaptiveConcurrency, type ConcurrencyChange, type ConcurrencySnapshot } from "./adaptive-concurrency.js";
import { RateLimiter, resolveRateCap } from "./rate-limit.js";

export interface JobThrottleStats {
  /** The job's concurrency limit (summed over an engine's worker threads). */
  readonly concurrency: number;
  /** Throttled attempts (503 SlowDown, 429, ...). */
  readonly throttles: number;
  /** Times a limit was halved. */
  readonly decreases: number;
  /** The job's request-rate cap in this process, null for none. */
  readonly maxRequestsPerSecond: number | null;
}

export interface JobThrottleOptions {
  readonly taskConcurrency: number;
  /** 0 (or absent): no cap unless the job's tag sets one. */
  readonly maxRequestsPerSecondPerJob?: number;
}

const INFO_LOG_EVERY_MS = 10_000;

export class JobThrottle {
  readonly concurrency: AdaptiveConcurrency;
  private limiter: RateLimiter | undefined;
  private tagsJson: string | undefined;
  private warnedTag: string | undefined;
  private metered: { storage: ObjectStorage; proto: MeteredStorage } | undefined;
  private lastInfoLog = Number.NEGATIVE_INFINITY;
  private decreasesLogged = 0;

  constructor(
    readonly jobId: string,
    private readonly options: JobThrottleOptions,
    private readonly rateState: SharedArrayBuffer | undefined,
    private readonly log: Logger,
  ) {
    this.concurrency = new AdaptiveConcurrency({
      max: options.taskConcurrency,
      onChange: (change, state) => this.logChange(change, state),
    });
  }

  /** The rate cap, or undefined when the job has none. */
  get rate(): RateLimiter | undefined {
    return this.limiter;
  }

  /** Applies the job's tags, which PutJobTagging may change while the job runs. */
  applyTags(tags: readonly Tag[]): void {
    const tagsJson = JSON.stringify(tags);
    if (tagsJson === this.tagsJson) return;
    this.tagsJson = tagsJson;
    const cap = resolveRateCap(this.options.maxRequestsPerSecondPerJob ?? 0, tags);
    if ("invalidTag" in cap && cap.invalidTag !== this.warnedTag) {
      this.warnedTag = cap.invalidTag;
      this.log.warn(
        { jobId: this.jobId, value: cap.invalidTag },
        "ignoring the job's objbatch:max-requests-per-second tag: it must be a positive number",
      );
    }
    if (cap.rate === Number.POSITIVE_INFINITY) {
      this.limiter = undefined;
    } else if (this.limiter) {
      this.limiter.setRate(cap.rate);
    } else {
      this.limiter = new RateLimiter(cap.rate, this.rateState);
    }
  }

  /**
   * The job's storage as one task should use it: itself without a cap; with one, a view that charges each
   * request to the cap, the first one excepted (the task waited for its turn before it started).
   */
  storageForTask(storage: ObjectStorage): ObjectStorage {
    const limiter = this.limiter;
    if (!limiter) return storage;
    if (this.metered?.storage !== storage) this.metered = { storage, proto: meteredPrototype(storage) };
    const view: MeteredStorage = Object.create(this.metered.proto);
    view.limiter = limiter;
    view.prepaid = 1;
    return view;
  }

  stats(): JobThrottleStats {
    const s = this.concurrency.snapshot();
    return {
      concurrency: s.limit,
      throttles: s.throttles,
      decreases: s.decreases,
      maxRequestsPerSecond: this.limiter?.rate ?? null,
    };
  }

  private logChange(change: ConcurrencyChange, state: ConcurrencySnapshot) {
    const fields = { jobId: this.jobId, concurrency: state.limit, throttles: state.throttles };
    const now = performance.now(); // paces log lines in real time, whatever clock the engine was given
    if (change === "decrease" && now - this.lastInfoLog >= INFO_LOG_EVERY_MS) {
      this.lastInfoLog = now;
      const decreases = state.decreases - this.decreasesLogged;
      this.decreasesLogged = state.decreases;
      this.log.info({ ...fields, decreases }, "storage is throttling the job; lowered its concurrency");
    } else if (this.log.isLevelEnabled("debug")) {
      this.log.debug(fields, change === "decrease" ? "job concurrency lowered" : "job concurrency raised");
    }
  }
}

/** The executor's pacing state of every job it has run a chunk of. */
export class JobThrottles {
  private readonly jobs = new Map<string, JobThrottle>();

  constructor(
    private readonly options: JobThrottleOptions,
    private readonly log: Logger,
  ) {}

  /** The job's pacing, its rate cap brought up to date with the tags of the job the chunk came with. */
  forJob(jobId: string, tags: readonly Tag[], rateState?: SharedArrayBuffer): JobThrottle {
    let throttle = this.jobs.get(jobId);
    if (!throttle) {
      throttle = new JobThrottle(jobId, this.options, rateState, this.log);
      this.jobs.set(jobId, throttle);
    }
    throttle.applyTags(tags);
    return throttle;
  }

  /** Forgets jobs the engine no longer looks after (finished, purged). */
  retain(keep: (jobId: string) => boolean): void {
    for (const id of this.jobs.keys()) if (!keep(id)) this.jobs.delete(id);
  }

  stats(): Map<string, JobThrottleStats> {
    return new Map([...this.jobs].map(([id, t]) => [id, t.stats()]));
  }
}

/** Adds up the statistics of one job from several executors (an engine's worker threads). */
export function mergeThrottleStats(a: JobThrottleStats, b: JobThrottleStats): JobThrottleStats {
  return {
    concurrency: a.concurrency + b.concurrency,
    throttles: a.throttles + b.throttles,
    decreases: a.decreases + b.decreases,
    maxRequestsPerSecond: a.maxRequestsPerSecond ?? b.maxRequestsPerSecond,
  };
}

// ---- metering ---------------------------------------------------------------------------------------------

interface MeteredStorage extends ObjectStorage {
  limiter: RateLimiter;
  prepaid: number;
}

/**
 * A prototype whose methods charge the limiter, then call the same method of `storage`. Built once per job
 * from the storage's own methods, so a method added to ObjectStorage is metered without a change here.
 */
function meteredPrototype(storage: ObjectStorage): MeteredStorage {
  const proto: Record<string, unknown> = { description: storage.description, close: () => Promise.resolve() };
  for (const name of methodNames(storage)) {
    if (name === "close") continue;
    const method = (storage as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
    proto[name] = function (this: MeteredStorage, ...args: unknown[]) {
      if (this.prepaid > 0) this.prepaid--;
      else this.limiter.charge();
      return method.apply(storage, args);
    };
  }
  return proto as unknown as MeteredStorage;
}

function methodNames(object: object): Set<string> {
  const names = new Set<string>();
  for (let o: object | null = object; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name !== "constructor" && typeof (object as Record<string, unknown>)[name] === "function") names.add(name);
    }
  }
  return names;
}
