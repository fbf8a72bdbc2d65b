/**
 * Executes one leased chunk: reads its byte range of the manifest, runs the job's operation on each task with
 * bounded concurrency (retrying what is retryable), and returns the counts and report rows. It touches no job
 * store, so it runs the same in the engine's process or in a worker thread; the engine records the results
 * with the lease's token, which is what makes a chunk count once even if it ran twice. A dry run's tasks (D45)
 * are recorded without calling the operation at all.
 */
import { buffer } from "node:stream/consumers";
import type { Logger } from "pino";
import { tallyFailures } from "../domain/failure-causes.js";
import type { Operation } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import { failed, succeeded, type TaskResult, type TaskRow } from "../domain/task.js";
import { parseChunk } from "../manifest/csv-manifest.js";
import { encodeInlineTasks, type InlineTask, inlineTask, parseInlineTasks } from "../manifest/inline-tasks.js";
import type { TaskMeter } from "../metrics/meters.js";
import { runOperation } from "../operations/index.js";
import type { OperationContext } from "../operations/types.js";
import { ReportRows } from "../report/report-row.js";
import { isStorageError } from "../storage/errors.js";
import type { ChunkResults } from "../store/chunks/complete-chunk.js";
import type { LeasedChunk } from "../store/chunks/lease-chunk.js";
import type { AdaptiveConcurrency } from "./adaptive-concurrency.js";
import type { JobContext } from "./job-context.js";
import type { JobThrottle } from "./job-throttle.js";
import { isThrottling, type RetryPolicy, retryAfterFailure, withRetry } from "./retry.js";
import type { Semaphore } from "./semaphore.js";

/** The part of a leased chunk (store/chunks/lease-chunk.ts) an executor needs. */
export interface ChunkRange extends Pick<LeasedChunk, "seq" | "startByte" | "endByte" | "firstRecord"> {
  /** Inline tasks (generated and inventory manifests, manifest/inline-tasks.ts); the byte range is then unused. */
  readonly tasks?: string | null;
}

export type ChunkExecution =
  | {
      readonly kind: "done";
      /**
       * Not readonly: once the engine has recorded them it swaps in the results without their rows
       * (`withoutRows`), as it may still hold the execution (chunk-slots.ts, docs/decisions.md D23).
       */
      results: ChunkResults;
    }
  /** Shutdown cut the chunk short: it is given back and run again from the start. */
  | { readonly kind: "aborted" };

export interface ChunkControl {
  /** The job's latest known status; tasks stop starting once it is Cancelling or Failing. */
  status(jobId: string): JobStatus | undefined;
  readonly shutdown: AbortSignal;
  /**
   * The job's pacing in this executor, shared by its chunks: adaptive concurrency and the optional request-rate
   * cap (job-throttle.ts). Without it the chunk's tasks are bounded by the executor's task permits alone.
   */
  readonly throttle?: JobThrottle;
  /** Told the chunk's finished tasks so far, at most every PROGRESS_EVERY_MS while it runs (live progress, D30). */
  readonly progress?: ChunkProgressListener;
}

export type ChunkProgressListener = (succeeded: number, failed: number) => void;

/** How often a running chunk tells its counts: often enough for progress that moves every second. */
export const PROGRESS_EVERY_MS = 250;

export interface ExecutionDeps {
  readonly retry: RetryPolicy;
  readonly log: Logger;
  readonly tasks: Semaphore;
  /** Tasks run between two yields to the event loop, so synchronous storage never starves other work. */
  readonly yieldEvery?: number;
  /** Counts tasks, retries and throttling in this thread's cells (metrics/meters.ts). */
  readonly metrics?: TaskMeter;
}

/**
 * What a dry run's task records (D45): succeeded, so the counts and the report say what the job would have
 * done, with a message that says it was not done. The storage is never called.
 */
export const DRY_RUN_RESULT: TaskResult = succeeded("Dry run: not acted on");

const STOPPING: ReadonlySet<JobStatus> = new Set(["Cancelling", "Cancelled", "Failing", "Failed"]);

export async function executeChunk(
  deps: ExecutionDeps,
  context: JobContext,
  chunk: ChunkRange,
  control: ChunkControl,
): Promise<ChunkExecution> {
  const { job } = context;
  const rows = await readChunkRows(deps, context, chunk);
  // The operation's cells are resolved once per chunk, not per task.
  const operationCell = deps.metrics?.operationCell(job.operation.kind) ?? 0;
  const results: (TaskResult | undefined)[] = new Array(rows.length);
  const yieldEvery = deps.yieldEvery ?? 64;
  let next = 0;
  let started = 0;
  let succeeded = 0;
  let failedCount = 0;
  let toldAt = performance.now();
  const tell = (result: TaskResult | undefined) => {
    if (result === undefined || !control.progress) return;
    if (result.status === "succeeded") succeeded++;
    else failedCount++;
    const now = performance.now();
    if (now - toldAt < PROGRESS_EVERY_MS) return;
    toldAt = now;
    control.progress(succeeded, failedCount);
  };

  const throttle = control.throttle;
  const concurrency = throttle?.concurrency;
  // What every task of the chunk hands its operation (a task under a rate cap swaps in its own storage view).
  const operationContext: TaskOperationContext = {
    storage: context.storage,
    jobId: job.jobId,
    accountId: job.accountId,
    signal: control.shutdown,
    functions: context.functions,
  };
  const stopping = () => control.shutdown.aborted || STOPPING.has(control.status(job.jobId) ?? "Active");
  const noMoreTasks = () => next >= rows.length || stopping();

  // Lanes pull the chunk's tasks in order; each lane holds one of the executor's task permits while it runs a
  // task, which bounds the tasks in flight across every chunk without a promise per waiting task. Before that
  // it takes one of the job's permits (adaptive concurrency) and its turn under the job's rate cap, so a job
  // the storage throttles, or a capped one, waits without holding permits other jobs could use.
  const lane = async () => {
    while (next < rows.length) {
      if (concurrency && !concurrency.tryAcquire()) await concurrency.acquire();
      // A lane whose chunk ran out of tasks (or whose job stopped) while it queued gives up its turn.
      if (throttle?.rate) await throttle.rate.acquire(noMoreTasks, control.shutdown);
      if (!deps.tasks.tryAcquire()) await deps.tasks.acquire();
      try {
        const i = next++;
        if (i >= rows.length) return;
        if (++started % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        if (stopping()) {
          next = rows.length;
          return;
        }
        results[i] = await runTask(deps, context, rows[i], operationContext, throttle, operationCell);
        tell(results[i]);
      } finally {
        deps.tasks.release();
        concurrency?.release();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.tasks.permits, rows.length) }, lane));

  // Counted, not `results.some(r => r === undefined)`: a task never started leaves a hole in the array, which
  // some() skips, and a chunk cut short by shutdown would be recorded as done with its rest unrun (lost).
  let attempted = 0;
  for (const r of results) if (r !== undefined) attempted++;
  if (control.shutdown.aborted && attempted < rows.length) return { kind: "aborted" };
  return { kind: "done", results: summarize(context, rows, results) };
}

function summarize(context: JobContext, rows: readonly TaskRow[], results: readonly (TaskResult | undefined)[]) {
  let succeeded = 0;
  let failedCount = 0;
  const succeededRows = new ReportRows();
  const failedRows = new ReportRows();
  const failures: { task: TaskRow["task"]; result: TaskResult }[] = [];
  const unrun: InlineTask[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const result = results[i];
    if (!result) {
      // Not attempted: the job was cancelled or failed meanwhile. Kept with the chunk, so a rerun of the job's
      // unsucceeded tasks finds it (D35); a record that cannot become a task would only fail again.
      if (row.invalid === undefined) unrun.push(inlineTask(row.task.bucket, row.task.key, row.task.versionId));
      continue;
    }
    if (result.status === "succeeded") {
      succeeded++;
      if (context.keepSucceededRows) succeededRows.add(row.task, result);
    } else {
      failedCount++;
      failures.push({ task: row.task, result });
      if (context.keepFailedRows) failedRows.add(row.task, result);
    }
  }
  return {
    succeeded,
    failed: failedCount,
    succeededRows: succeededRows.count > 0 ? succeededRows.text : null,
    failedRows: failedRows.count > 0 ? failedRows.text : null,
    unrunTasks: unrun.length > 0 ? encodeInlineTasks(unrun) : null,
    // Tallied whatever the report keeps, so the causes are exact even without a report (D27).
    causes: tallyFailures(failures),
  };
}

/**
 * The results without what only recording needed: the report rows and the unrun tasks (tens of kilobytes a
 * chunk). The counts and the failure causes stay.
 */
export function withoutRows(results: ChunkResults): ChunkResults {
  return { ...results, succeededRows: null, failedRows: null, unrunTasks: null };
}

async function readChunkRows(deps: ExecutionDeps, context: JobContext, chunk: ChunkRange): Promise<TaskRow[]> {
  if (chunk.tasks != null) return parseInlineTasks(chunk.tasks);
  const manifest = context.job.manifest!;
  const bytes = await withRetry(
    async () =>
      buffer(
        await context.storage.get(manifest.location.bucket.bucket, manifest.location.key, {
          versionId: manifest.location.versionId,
          ifMatch: context.job.manifestEtag,
          range: { start: chunk.startByte, end: chunk.endByte - 1 },
        }),
      ),
    deps.retry,
    deps.metrics?.retryHooks ?? {},
  );
  return parseChunk(bytes, manifest.fields, chunk.firstRecord, manifest.format);
}

/** An operation's context as a chunk's tasks get it: with the chunk's shutdown signal. */
type TaskOperationContext = OperationContext & { readonly signal: AbortSignal };

/**
 * The task's result; undefined when shutdown cut it short (the chunk is then given back and run again). The first
 * attempt runs on its own, with the chunk's shared operation context: nearly every task succeeds or fails for
 * good at once, and the retry machinery (its closures and hooks) is built only for a task whose attempt threw.
 */
async function runTask(
  deps: ExecutionDeps,
  context: JobContext,
  row: TaskRow,
  operationContext: TaskOperationContext,
  throttle: JobThrottle | undefined,
  operationCell: number,
): Promise<TaskResult | undefined> {
  const meter = deps.metrics;
  if (row.invalid) {
    meter?.finished(operationCell, row.invalid);
    return row.invalid;
  }
  const { job } = context;
  if (job.dryRun) {
    // A dry run (D45) acts on nothing: every task that could run is recorded as what would have been done.
    meter?.finished(operationCell, DRY_RUN_RESULT);
    return DRY_RUN_RESULT;
  }
  // Under a request-rate cap each task gets a storage view of its own that charges the cap (job-throttle.ts).
  const storage = throttle ? throttle.storageForTask(context.storage) : context.storage;
  const operation = storage === operationContext.storage ? operationContext : { ...operationContext, storage };
  const concurrency = throttle?.concurrency;
  // Each attempt notes the limit's epoch when it starts: a throttled attempt halves the limit only if no
  // other attempt that started later already did (adaptive-concurrency.ts).
  const epoch = concurrency ? concurrency.epoch : 0;
  meter?.started();
  let result: TaskResult | undefined;
  try {
    try {
      result = await runOperation(row.task, job.operation, operation);
      concurrency?.succeeded();
    } catch (first) {
      result = await retryTask(deps, row, job.operation, operation, concurrency, epoch, first);
    }
  } catch (e) {
    result = taskFailure(deps, job.jobId, row, operation.signal, e);
  } finally {
    meter?.ended();
  }
  if (result !== undefined) meter?.finished(operationCell, result);
  return result;
}

/** A task whose first attempt (started at `firstEpoch`) threw `first`: retried as the policy says (retry.ts). */
async function retryTask(
  deps: ExecutionDeps,
  row: TaskRow,
  operation: Operation,
  operationContext: TaskOperationContext,
  concurrency: AdaptiveConcurrency | undefined,
  firstEpoch: number,
  first: unknown,
): Promise<TaskResult> {
  const meter = deps.metrics;
  let epoch = firstEpoch;
  let throttled = false;
  const attempt = () => {
    if (concurrency) epoch = concurrency.epoch;
    throttled = false;
    return runOperation(row.task, operation, operationContext);
  };
  const onError = (e: unknown) => {
    meter?.attemptFailed(e);
    if (concurrency && isThrottling(e)) {
      throttled = true;
      if (concurrency.throttled(epoch)) meter?.concurrencyDecreased();
    }
  };
  const result = await retryAfterFailure(attempt, first, deps.retry, {
    signal: operationContext.signal,
    onError,
    onRetry: meter?.retryHooks.onRetry,
  });
  if (!throttled) concurrency?.succeeded();
  return result;
}

/** The failed result of a task whose last attempt threw `e`; undefined when shutdown cut it short. */
function taskFailure(
  deps: ExecutionDeps,
  jobId: string,
  row: TaskRow,
  signal: AbortSignal,
  e: unknown,
): TaskResult | undefined {
  if (signal.aborted) return undefined;
  if (isStorageError(e)) return failed(e.httpStatus, e.code, e.message);
  deps.log.error({ err: e, jobId, key: row.task.key }, "task failed unexpectedly");
  return failed(500, "InternalError", (e as Error).message);
}
