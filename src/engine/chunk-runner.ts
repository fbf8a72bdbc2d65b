/**
 * Runs one leased chunk: reads its byte range of the manifest, runs the job's operation on each task with
 * bounded concurrency (retrying what is retryable), and records the results with the lease's token, so a
 * chunk is counted once even if it was run twice.
 */
import { buffer } from "node:stream/consumers";
import type { JobStatus } from "../domain/status.js";
import { failed, type TaskResult, type TaskRow } from "../domain/task.js";
import { parseChunk } from "../manifest/csv-manifest.js";
import { runOperation } from "../operations/index.js";
import { formatRows } from "../report/report-row.js";
import { isStorageError } from "../storage/types.js";
import type { LeasedChunk } from "../store/chunks/lease-chunk.js";
import type { EngineDeps } from "./deps.js";
import type { JobContext } from "./job-context.js";
import { withRetry } from "./retry.js";
import type { Semaphore } from "./semaphore.js";

export type ChunkOutcome = "completed" | "lease-lost" | "released";

export interface ChunkRunControl {
  /** The job's latest known status; tasks stop starting once it is Cancelling or Failing. */
  status(jobId: string): JobStatus | undefined;
  /** Set on shutdown: unfinished chunks are given back instead of recorded. */
  readonly shutdown: AbortSignal;
}

const STOPPING: ReadonlySet<JobStatus> = new Set(["Cancelling", "Cancelled", "Failing", "Failed"]);

export async function runChunk(
  deps: EngineDeps,
  context: JobContext,
  manifestEtag: string | null,
  chunk: LeasedChunk,
  tasks: Semaphore,
  control: ChunkRunControl,
): Promise<ChunkOutcome> {
  const { job } = context;
  const rows = await readChunkRows(deps, context, manifestEtag, chunk);
  const results: (TaskResult | undefined)[] = new Array(rows.length);

  await Promise.all(
    rows.map(async (row, i) => {
      await tasks.acquire();
      try {
        if (control.shutdown.aborted || STOPPING.has(control.status(job.jobId) ?? "Active")) return;
        results[i] = await runTask(deps, context, row, control.shutdown);
      } finally {
        tasks.release();
      }
    }),
  );

  if (control.shutdown.aborted && results.some((r) => r === undefined)) {
    await deps.store.releaseChunk(job.jobId, chunk.seq, chunk.lease_token!);
    return "released";
  }

  let succeeded = 0;
  let failedCount = 0;
  const succeededRows: { task: TaskRow["task"]; result: TaskResult }[] = [];
  const failedRows: { task: TaskRow["task"]; result: TaskResult }[] = [];
  rows.forEach((row, i) => {
    const result = results[i];
    if (!result) return; // not attempted: the job was cancelled or failed meanwhile
    if (result.status === "succeeded") {
      succeeded++;
      if (context.keepSucceededRows) succeededRows.push({ task: row.task, result });
    } else {
      failedCount++;
      if (context.keepFailedRows) failedRows.push({ task: row.task, result });
    }
  });

  const recorded = await deps.store.completeChunk(
    job.jobId,
    chunk.seq,
    chunk.lease_token!,
    {
      succeeded,
      failed: failedCount,
      succeededRows: succeededRows.length > 0 ? formatRows(succeededRows) : null,
      failedRows: failedRows.length > 0 ? formatRows(failedRows) : null,
    },
    deps.now(),
  );
  if (!recorded) {
    deps.log.warn({ jobId: job.jobId, seq: chunk.seq }, "chunk lease was taken over; its results are discarded");
    return "lease-lost";
  }
  return "completed";
}

async function readChunkRows(
  deps: EngineDeps,
  context: JobContext,
  manifestEtag: string | null,
  chunk: LeasedChunk,
): Promise<TaskRow[]> {
  const manifest = context.job.manifest!;
  const bytes = await withRetry(
    async () =>
      buffer(
        await context.storage.get(manifest.location.bucket.bucket, manifest.location.key, {
          versionId: manifest.location.versionId,
          ifMatch: manifestEtag ?? undefined,
          range: { start: chunk.start_byte, end: chunk.end_byte - 1 },
        }),
      ),
    deps.options.retry,
  );
  return parseChunk(bytes, manifest.fields, chunk.first_record);
}

async function runTask(deps: EngineDeps, context: JobContext, row: TaskRow, signal: AbortSignal) {
  if (row.invalid) return row.invalid;
  const { job, storage } = context;
  try {
    return await withRetry(
      () => runOperation(row.task, job.operation, { storage, jobId: job.jobId, accountId: job.accountId, signal }),
      deps.options.retry,
    );
  } catch (e) {
    if (isStorageError(e)) return failed(e.httpStatus, e.code, e.message);
    deps.log.error({ err: e, jobId: job.jobId, key: row.task.key }, "task failed unexpectedly");
    return failed(500, "InternalError", (e as Error).message);
  }
}
