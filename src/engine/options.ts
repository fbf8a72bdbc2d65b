/**
 * Engine settings. The defaults suit a 2-core machine: a few chunks at a time, many tasks in flight (object
 * storage work waits on I/O, not CPU). ENGINE_OPTIONS_SCHEMA holds each setting's type and range: the config
 * file's `engine` section and the OBJBATCH_* variables are checked against it at start (config.ts).
 */
import { availableParallelism } from "node:os";
import { type Static, Type } from "typebox";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";

export interface EngineOptions {
  /** Tasks per chunk: the unit of leasing, accounting and crash recovery. */
  readonly chunkSize: number;
  /**
   * Worker threads that execute chunks (0: in the engine's own event loop). Each has its own storage handle
   * and its own `taskConcurrency`.
   */
  readonly runnerThreads: number;
  /**
   * How much lower than the rest of the process runner threads run (a Linux nice increment, 0-19; 0: the same):
   * bulk task work yields the CPU to the API and the engine's coordination, so requests are answered promptly
   * while a job keeps every core busy (thread-priority.ts).
   */
  readonly runnerNice: number;
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
  /**
   * Jobs prepared at once (manifests read, listings taken). The engine claims as many New jobs as it has room
   * for in one statement, and finishes those that end together in one commit (D49): a backlog of small jobs is
   * prepared in batches of up to this many.
   */
  readonly prepareConcurrency: number;
  /** A chunk lease or phase claim not renewed for this long is presumed dead and taken over. */
  readonly leaseMs: number;
  /** How often the engine looks for work when nothing woke it. */
  readonly pollMs: number;
  /**
   * While its looks find nothing to do (no job running, finishing or being prepared here), the engine waits twice
   * as long after each, up to this (never less than pollMs). A wake (a job created, confirmed, changed through this
   * process) cuts any wait short; another process's new job is seen within this time.
   */
  readonly idlePollMs: number;
  readonly retry: RetryPolicy;
  /** D7: once this many tasks were attempted, a failed share above `failureRatio` fails the job. */
  readonly failureThresholdTasks: number;
  readonly failureRatio: number;
  /** D4: a Suspended job not confirmed within this time fails. */
  readonly suspendedTimeoutMs: number;
  /** D8: terminal jobs are purged this long after they ended. */
  readonly retentionMs: number;
  /** D34: job events are purged this long after they were written (a job's go with it sooner, when it is). */
  readonly eventRetentionMs: number;
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
  /**
   * While the job store is unavailable (down, restarting, out of disk), store calls are retried with
   * exponential backoff and full jitter up to this delay; it bounds how long the engine takes to notice the
   * store is back.
   */
  readonly storeRetryMaxDelayMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Runner threads by default: one per core the main thread leaves, from 1 to 4. Each is an isolate of its own
 * (about 20 MB), and on 2 cores a second one only takes turns with the first: a 100,000-object local copy
 * ran no faster with 2 than with 1, and peaked 20-30 MB higher (bench/local-ops.ts, bench/memory-tasks.ts).
 */
export function defaultRunnerThreads(cores = availableParallelism()): number {
  return Math.min(4, Math.max(1, cores - 1));
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  chunkSize: 1000,
  runnerThreads: defaultRunnerThreads(),
  runnerNice: 10,
  chunkSlots: 4,
  taskConcurrency: 64,
  maxRequestsPerSecondPerJob: 0,
  maxActiveJobs: 4,
  prepareConcurrency: 16,
  leaseMs: 30_000,
  pollMs: 250,
  idlePollMs: 2000,
  retry: DEFAULT_RETRY,
  failureThresholdTasks: 1000,
  failureRatio: 0.5,
  suspendedTimeoutMs: 30 * DAY,
  retentionMs: 90 * DAY,
  eventRetentionMs: 7 * DAY,
  housekeepingMs: 60_000,
  shutdownGraceMs: 10_000,
  reportPartBytes: 8 * 1024 * 1024,
  reportMaxPartsPerFile: 10_000,
  reportFlushIntervalMs: 5_000,
  storeRetryMaxDelayMs: 5_000,
};

const MIB = 1024 * 1024;
const int = (minimum: number, maximum: number, description: string) => Type.Integer({ minimum, maximum, description });

/** The retry policy's settings (retry.ts): a whole policy, or the fields to change in the default one. */
export const RETRY_POLICY_SCHEMA = Type.Object(
  {
    attempts: int(1, 100, "Total attempts of a task, the first included."),
    baseDelayMs: int(1, 3_600_000, "Backoff base (ms): retry n waits a random time below base x 2^n."),
    throttlingBaseDelayMs: Type.Optional(
      int(1, 3_600_000, "Backoff base (ms) after a throttled attempt (default 5 x baseDelayMs)."),
    ),
    maxDelayMs: int(1, 3_600_000, "Longest wait (ms) between two attempts."),
  },
  {
    additionalProperties: false,
    title: "retry policy",
    description: "How failed storage requests worth retrying (throttling, 5xx, timeouts) are retried.",
  },
);

/** Every engine setting, its type and its range. */
export const ENGINE_OPTIONS_SCHEMA = Type.Object(
  {
    chunkSize: int(1, 1_000_000, "Tasks per chunk: the unit of leasing, accounting and crash recovery."),
    runnerThreads: int(0, 256, "Worker threads that run chunks (0: in the engine's own event loop)."),
    runnerNice: int(0, 19, "How much lower runner threads' CPU priority is than the API's (Linux nice; 0: the same)."),
    chunkSlots: int(1, 10_000, "Chunks a worker runs at once."),
    taskConcurrency: int(
      1,
      100_000,
      "Tasks in flight at once across a worker's chunks; the ceiling of each job's adaptive concurrency.",
    ),
    maxRequestsPerSecondPerJob: Type.Number({
      minimum: 0,
      description: "Storage requests per second one job may make in this process (0: no cap).",
    }),
    maxActiveJobs: int(
      1,
      100_000,
      "Jobs that may be Active at once; a higher-priority job preempts the lowest beyond this.",
    ),
    prepareConcurrency: int(1, 1_000, "Jobs prepared at once (claimed and finished in batches of up to this many)."),
    leaseMs: int(
      100,
      86_400_000,
      "A chunk lease or phase claim not renewed for this long (ms) is presumed dead and taken over.",
    ),
    pollMs: int(1, 3_600_000, "How often (ms) the engine looks for work when nothing woke it."),
    idlePollMs: int(
      1,
      3_600_000,
      "While the engine finds nothing to do, it looks twice as long apart each time, up to this (ms).",
    ),
    retry: RETRY_POLICY_SCHEMA,
    failureThresholdTasks: int(
      0,
      Number.MAX_SAFE_INTEGER,
      "Once this many tasks were attempted, a failed share above failureRatio fails the job.",
    ),
    failureRatio: Type.Number({
      minimum: 0,
      maximum: 1,
      description: "The failed share of attempted tasks that fails a job (0 to 1).",
    }),
    suspendedTimeoutMs: int(1, Number.MAX_SAFE_INTEGER, "A Suspended job not confirmed within this time (ms) fails."),
    retentionMs: int(1, Number.MAX_SAFE_INTEGER, "Finished jobs are purged this long (ms) after they ended."),
    eventRetentionMs: int(
      1,
      Number.MAX_SAFE_INTEGER,
      "Job events are purged this long (ms) after they were written; a stream resumed from before is reset.",
    ),
    housekeepingMs: int(
      0,
      86_400_000,
      "How often (ms) unconfirmed jobs past their timeout fail and old jobs are purged.",
    ),
    shutdownGraceMs: int(
      0,
      3_600_000,
      "On graceful shutdown, how long (ms) in-flight chunks may take to finish before they are given back.",
    ),
    reportPartBytes: int(
      5 * MIB,
      5 * 1024 * MIB,
      "Report rows per uploaded part (bytes; S3 needs at least 5 MiB for every part but the last).",
    ),
    reportMaxPartsPerFile: int(1, 10_000, "Parts per results file before the next file is started (S3 allows 10,000)."),
    reportFlushIntervalMs: int(1, 3_600_000, "How often (ms) a running job's ready report rows are looked for."),
    storeRetryMaxDelayMs: int(
      1,
      3_600_000,
      "Longest wait (ms) between retries of a store call while the job store is unavailable.",
    ),
  },
  { additionalProperties: false, title: "engine settings" },
);

/**
 * The schema and the interface describe the same settings: adding an option to EngineOptions without its rule
 * in ENGINE_OPTIONS_SCHEMA (or the other way round) fails the type-check here.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SCHEMA_MATCHES_OPTIONS: Same<Static<typeof ENGINE_OPTIONS_SCHEMA>, EngineOptions> = true;
const SCHEMA_MATCHES_RETRY: Same<Static<typeof RETRY_POLICY_SCHEMA>, RetryPolicy> = true;
void SCHEMA_MATCHES_OPTIONS;
void SCHEMA_MATCHES_RETRY;
