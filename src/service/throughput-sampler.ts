/**
 * A job's recent throughput for the JSON API (D32): what this API process saw of each job's finished tasks
 * (succeeded + failed, live counts included, D30) whenever it read the job's progress, kept as a few timed samples
 * per job, and the rate between the newest reading and the oldest sample of the last ten seconds. Nothing is
 * written anywhere: the samples come from reads the API makes anyway (a job's page, listings, the event stream
 * that reads progress every second), so a rate costs no store work. Bounded: at most `maxJobs` jobs, least
 * recently read first out, and `maxSamples` samples each, spaced across the window. Time is the caller's clock.
 */

export interface ThroughputSamplerOptions {
  /** The span the rate is taken over, ms. */
  readonly windowMs?: number;
  /** The shortest span a rate is told from, ms: below it one reading's jitter would swing the rate. */
  readonly minSpanMs?: number;
  /** Jobs remembered at once; the one read longest ago is forgotten first. */
  readonly maxJobs?: number;
  /** Samples kept per job, spread over the window. */
  readonly maxSamples?: number;
}

interface Sample {
  readonly at: number;
  readonly done: number;
}

export const DEFAULT_THROUGHPUT_WINDOW_MS = 10_000;

export class ThroughputSampler {
  private readonly windowMs: number;
  private readonly minSpanMs: number;
  private readonly maxJobs: number;
  private readonly maxSamples: number;
  /** The shortest gap between two kept samples, so that `maxSamples` cover the window. */
  private readonly spacingMs: number;
  /** Per job, its samples oldest first; the Map's order is the order jobs were last read, oldest first. */
  private readonly jobs = new Map<string, Sample[]>();

  constructor(options: ThroughputSamplerOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_THROUGHPUT_WINDOW_MS;
    this.minSpanMs = options.minSpanMs ?? 2_000;
    this.maxJobs = options.maxJobs ?? 4_096;
    this.maxSamples = Math.max(2, options.maxSamples ?? 16);
    this.spacingMs = this.windowMs / (this.maxSamples - 1);
  }

  /** Jobs remembered now. */
  get size(): number {
    return this.jobs.size;
  }

  /**
   * Notes that `done` of the job's tasks were finished as read at `at`, and returns the tasks per second over the
   * last `windowMs` up to this reading; undefined when no earlier reading of that span is at least `minSpanMs`
   * old (the caller falls back to the whole run's average). Never negative. A reading older than the newest one
   * (two reads that overlapped) is answered but not kept; counts lower than a kept sample's in a newer reading (the
   * job was prepared again) drop the samples they contradict.
   */
  observe(jobId: string, at: number, done: number): number | undefined {
    const known = this.jobs.get(jobId) ?? [];
    this.jobs.delete(jobId); // set again below: the Map keeps jobs in the order they were last read
    const newest = known[known.length - 1];
    const inOrder = newest === undefined || at >= newest.at;
    const from = at - this.windowMs;
    const samples = known.filter((s) => s.at >= from && (!inOrder || s.done <= done));

    const base = samples[0];
    let rate: number | undefined;
    if (base !== undefined && at - base.at >= this.minSpanMs) {
      rate = (Math.max(0, done - base.done) * 1000) / (at - base.at);
    }

    const last = samples[samples.length - 1];
    if (inOrder && (last === undefined || at - last.at >= this.spacingMs)) {
      samples.push({ at, done });
      if (samples.length > this.maxSamples) samples.shift();
    }
    this.jobs.set(jobId, samples);
    if (this.jobs.size > this.maxJobs) this.jobs.delete(this.jobs.keys().next().value!);
    return rate;
  }

  /** Drops what is known of the job (it finished: its rate is 0 from now on). */
  forget(jobId: string): void {
    this.jobs.delete(jobId);
  }
}
