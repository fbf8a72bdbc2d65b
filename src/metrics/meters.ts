/**
 * The recorders the engine calls, over the cells of catalog.ts: TaskMeter where tasks run (a runner thread's
 * Tally, or the main thread's Totals for jobs run in its event loop), EngineMeter where chunks are leased and
 * recorded and reports written (the main thread). Every cell is resolved before the hot path: a task's counts
 * from the base cell its chunk resolved once, retries and throttling from constants; nothing here allocates.
 */
import type { OperationKind } from "../domain/job.js";
import type { TaskResult } from "../domain/task.js";
import { isRetryable, isThrottling, type RetryHooks } from "../engine/retry.js";
import { isStorageError } from "../storage/errors.js";
import {
  type CellFamily,
  CHUNK_LEASE,
  CHUNK_RECORD,
  CHUNK_RUN,
  CHUNK_RUN_OUTCOMES,
  CONCURRENCY_DECREASES,
  cellOf,
  REPORT_BYTES,
  RETRIES,
  RETRY_REASONS,
  type RetryReason,
  SCHEDULE_RUN_OUTCOMES,
  SCHEDULE_RUNS,
  TASK_ERROR_CODES,
  TASK_OPERATIONS,
  TASKS,
  TASKS_IN_FLIGHT,
  THROTTLING,
} from "./catalog.js";
import type { Cells } from "./cells.js";
import { errorCodeIndex } from "./error-codes.js";

/** Adds `value` to the histogram whose label set starts at `first`: its bucket, and its sum. */
export function observe(cells: Cells, family: CellFamily, first: number, value: number): void {
  const bounds = family.buckets;
  let i = 0;
  while (i < bounds.length && value > bounds[i]) i++;
  cells.add(first + i, 1);
  cells.add(first + bounds.length + 1, value);
}

const IN_FLIGHT = cellOf(TASKS_IN_FLIGHT);
const THROTTLED = cellOf(THROTTLING);
const DECREASED = cellOf(CONCURRENCY_DECREASES);
const RETRY_CELL: Record<RetryReason, number> = {
  throttling: cellOf(RETRIES, RETRY_REASONS.indexOf("throttling")),
  server_error: cellOf(RETRIES, RETRY_REASONS.indexOf("server_error")),
  network: cellOf(RETRIES, RETRY_REASONS.indexOf("network")),
};
/** Error codes of a connection that failed or an answer that never came (storage/s3/errors.ts). */
const NETWORK_CODES: ReadonlySet<string> = new Set(["ConnectionError", "RequestTimeout", "RequestTimeoutException"]);

/** A failure of the connection rather than an answer: a StorageError with a network code, or a socket error. */
export function isNetworkFailure(e: unknown): boolean {
  return isStorageError(e) ? NETWORK_CODES.has(e.code) : isRetryable(e);
}

/** Why a failed attempt is tried again (RETRY_REASONS). */
export function retryReason(e: unknown): RetryReason {
  if (!isStorageError(e) || NETWORK_CODES.has(e.code)) return "network";
  return isThrottling(e) ? "throttling" : "server_error";
}

/** Tasks, tasks in flight, retries, throttling answers and concurrency decreases. */
export class TaskMeter {
  /** For withRetry around storage requests that are not a task's (a chunk's manifest range, report parts). */
  readonly retryHooks: Pick<RetryHooks, "onError" | "onRetry">;

  constructor(private readonly cells: Cells) {
    this.retryHooks = { onError: (e) => this.attemptFailed(e), onRetry: (e) => this.retried(e) };
  }

  /** The base cell of a job operation's task counts, resolved once per chunk. */
  operationCell(kind: OperationKind): number {
    return cellOf(TASKS, Math.max(0, TASK_OPERATIONS.indexOf(kind)));
  }

  started(): void {
    this.cells.add(IN_FLIGHT, 1);
  }

  /** A started task ended, with a result or cut short. */
  ended(): void {
    this.cells.add(IN_FLIGHT, -1);
  }

  /** A task's result, counted under the operation whose base cell is `operationCell`. */
  finished(operationCell: number, result: TaskResult): void {
    // status succeeded is the first block of error codes, whose first is "" (no code); failed the second.
    const cell =
      result.status === "succeeded"
        ? operationCell
        : operationCell + TASK_ERROR_CODES.length + 1 + errorCodeIndex(result.errorCode);
    this.cells.add(cell, 1);
  }

  /** Any failed attempt of a storage request: counts throttling answers. */
  attemptFailed(e: unknown): void {
    if (isThrottling(e)) this.cells.add(THROTTLED, 1);
  }

  /** A failed attempt that is tried again. */
  retried(e: unknown): void {
    this.cells.add(RETRY_CELL[retryReason(e)], 1);
  }

  /** A job's adaptive concurrency limit was halved. */
  concurrencyDecreased(): void {
    this.cells.add(DECREASED, 1);
  }
}

const LEASED = cellOf(CHUNK_LEASE, 0);
const NONE_LEASED = cellOf(CHUNK_LEASE, 1);
const RECORDED = cellOf(CHUNK_RECORD);
const REPORT = cellOf(REPORT_BYTES);

export type ChunkRunOutcome = (typeof CHUNK_RUN_OUTCOMES)[number];

/** What the engine records in the main thread: its chunk work, and its own storage retries (reports). */
export interface EngineMetrics {
  readonly engine: EngineMeter;
  readonly tasks: TaskMeter;
}

/** Chunk leases, records and runs, and report bytes: the main thread's engine work. */
export class EngineMeter {
  constructor(private readonly cells: Cells) {}

  leased(seconds: number, got: boolean): void {
    observe(this.cells, CHUNK_LEASE, got ? LEASED : NONE_LEASED, seconds);
  }

  recorded(seconds: number): void {
    observe(this.cells, CHUNK_RECORD, RECORDED, seconds);
  }

  ran(seconds: number, outcome: ChunkRunOutcome): void {
    observe(this.cells, CHUNK_RUN, cellOf(CHUNK_RUN, CHUNK_RUN_OUTCOMES.indexOf(outcome)), seconds);
  }

  reportWritten(bytes: number): void {
    this.cells.add(REPORT, bytes);
  }
}

/** Schedule runs by outcome (D43), recorded by the scheduler of the main thread. */
export class ScheduleMeter {
  constructor(private readonly cells: Cells) {}

  ran(outcome: (typeof SCHEDULE_RUN_OUTCOMES)[number]): void {
    this.cells.add(cellOf(SCHEDULE_RUNS, SCHEDULE_RUN_OUTCOMES.indexOf(outcome)), 1);
  }
}
