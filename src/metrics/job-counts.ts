/**
 * The jobs-by-status gauge's numbers: read from the job store when /metrics is scraped, at most once per
 * `maxAgeMs` (one grouped count over the status index), so scrapes stay cheap however often they come and however
 * many processes are scraped. A store that fails or is slow never fails the scrape: the scrape waits at most
 * `waitMs` and the last numbers read stand (none before the first read succeeded); a read that is slow goes on in
 * the background and the next scrape gets its answer. A failed read is tried again after `maxAgeMs`, so a store
 * that is down is not asked on every scrape.
 */
import type { JobStatus } from "../domain/status.js";
import { within } from "../engine/within.js";

export type JobCounts = ReadonlyMap<JobStatus, number>;

export interface JobCountsOptions {
  /** How long numbers read are used before the store is asked again (default 5 s). */
  readonly maxAgeMs?: number;
  /** How long a scrape waits for a read (default 1 s). */
  readonly waitMs?: number;
  /** Told when a read fails (the scrape is answered all the same). */
  readonly onError?: (e: unknown) => void;
}

export class CachedJobCounts {
  private last: JobCounts | undefined;
  private askedAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | undefined;
  private readonly maxAgeMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly read: () => Promise<JobCounts>,
    private readonly options: JobCountsOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
    this.waitMs = options.waitMs ?? 1_000;
  }

  /** The numbers to show now: fresh, or the last ones read, or undefined when none could be read yet. */
  async current(): Promise<JobCounts | undefined> {
    if (!this.reading && performance.now() - this.askedAt >= this.maxAgeMs) {
      this.askedAt = performance.now();
      this.reading = this.read()
        .then(
          (counts) => {
            this.last = counts;
          },
          (e) => this.options.onError?.(e),
        )
        .finally(() => {
          this.reading = undefined;
        });
    }
    if (this.reading) await within(this.reading, this.waitMs);
    return this.last;
  }
}
