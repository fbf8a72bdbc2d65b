/**
 * Where chunks run. The engine leases a chunk and records its results; an executor runs it in between:
 * in the engine's own event loop, or spread over worker threads (the default), so that storage work — the
 * local backend's small synchronous filesystem calls in particular — uses every core and never delays the
 * API's event loop.
 */
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { ChunkExecution, ChunkProgressListener, ChunkRange } from "./chunk-runner.js";
import type { JobThrottleStats } from "./job-throttle.js";

export interface ChunkExecutor {
  /**
   * Runs the chunk of the job and returns its results, or "aborted" after abort(). `progress` hears the chunk's
   * finished tasks while it runs (live progress, D30).
   */
  execute(job: Job, chunk: ChunkRange, progress?: ChunkProgressListener): Promise<ChunkExecution>;
  /** The engine's latest view of job statuses: running chunks stop starting tasks of cancelled jobs. */
  updateStatuses(statuses: ReadonlyMap<string, JobStatus>): void;
  /** Shutdown: running chunks stop starting tasks and come back "aborted". */
  abort(): void;
  close(): Promise<void>;
  /** Each job's adaptive concurrency and throttle counts (summed over worker threads, as of their last chunk). */
  throttleStats?(): ReadonlyMap<string, JobThrottleStats>;
}
