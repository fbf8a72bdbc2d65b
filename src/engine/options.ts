/**
 * Engine settings. The defaults suit a 2-core machine: a few chunks at a time, many tasks in flight (object
 * storage work waits on I/O, not CPU).
 */
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";

export interface EngineOptions {
  /** Tasks per chunk: the unit of leasing, accounting and crash recovery. */
  readonly chunkSize: number;
  /**
   * Worker threads that execute chunks (0: in the engine's own event loop). Each has its own storage handle
   * and its own `taskConcurrency`.
   */
  readonly runnerThreads: number;
  /** Chunks a worker runs at once. */
  readonly chunkSlots: number;
  /**
   * Tasks in flight at once across all of a worker's chunks, and the ceiling of each job's adaptive
   * concurrency (adaptive-concurrency.ts), which starts lower and follows what the storage sustains.
   */
  readonly taskConcurrency: number;
  /**
   * Storage requests per second one job may make in this process, across its worker threads (0: no cap). A
   * job's `objbatch:max-requests-per-second` tag may lower it (rate-limit.ts).
   */
  readonly maxRequestsPerSecondPerJob: number;
  /** Jobs that may be Active at once; a higher-priority job preempts the lowest beyond this (D13). */
  readonly maxActiveJobs: number;
  /** Manifests prepared at once. */
  readonly prepareConcurrency: number;
  /** A chunk lease or phase claim not renewed for this long is presumed dead and taken over. */
  readonly leaseMs: number;
  /** How often the engine looks for work when nothing woke it. */
  readonly pollMs: number;
  readonly retry: RetryPolicy;
  /** D7: once this many tasks were attempted, a failed share above `failureRatio` fails the job. */
  readonly failureThresholdTasks: number;
  readonly failureRatio: number;
  /** D4: a Suspended job not confirmed within this time fails. */
  readonly suspendedTimeoutMs: number;
  /** D8: terminal jobs are purged this long after they ended. */
  readonly retentionMs: number;
  /** How often the engine fails unconfirmed jobs past their timeout and purges jobs past retention. */
  readonly housekeepingMs: number;
  /** On graceful shutdown, how long in-flight chunks may take to finish before they are given back. */
  readonly shutdownGraceMs: number;
  /**
   * Completion reports are written while a job runs, by multipart upload: a part goes up once this many bytes
   * of report rows are ready (S3 needs at least 5 MiB for every part but the last).
   */
  readonly reportPartBytes: number;
  /** Parts per results file before the next file is started (S3 allows 10,000). */
  readonly reportMaxPartsPerFile: number;
  /** How often a running job's ready report rows are looked for. */
  readonly reportFlushIntervalMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  chunkSize: 1000,
  runnerThreads: 2,
  chunkSlots: 4,
  taskConcurrency: 64,
  maxRequestsPerSecondPerJob: 0,
  maxActiveJobs: 4,
  prepareConcurrency: 2,
  leaseMs: 30_000,
  pollMs: 250,
  retry: DEFAULT_RETRY,
  failureThresholdTasks: 1000,
  failureRatio: 0.5,
  suspendedTimeoutMs: 30 * DAY,
  retentionMs: 90 * DAY,
  housekeepingMs: 60_000,
  shutdownGraceMs: 10_000,
  reportPartBytes: 8 * 1024 * 1024,
  reportMaxPartsPerFile: 10_000,
  reportFlushIntervalMs: 5_000,
};
