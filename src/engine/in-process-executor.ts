/**
 * Runs chunks in the engine's own event loop (tests with an injected clock, and a single-threaded mode).
 */
import type { Logger } from "pino";
import type { AccountRegistry } from "../accounts/types.js";
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { FunctionEndpoints } from "../functions/endpoints.js";
import type { TaskMeter } from "../metrics/meters.js";
import type { ObjectStorage } from "../storage/types.js";
import { type ChunkProgressListener, type ChunkRange, executeChunk } from "./chunk-runner.js";
import type { ChunkExecutor } from "./executor.js";
import { type JobContext, makeJobContext } from "./job-context.js";
import { type JobThrottleStats, JobThrottles } from "./job-throttle.js";
import type { EngineOptions } from "./options.js";
import { Semaphore } from "./semaphore.js";

export class InProcessExecutor implements ChunkExecutor {
  private statuses: ReadonlyMap<string, JobStatus> = new Map();
  private readonly shutdown = new AbortController();
  private readonly tasks: Semaphore;
  private readonly contexts = new Map<string, JobContext>();
  private readonly throttles: JobThrottles;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly accounts: AccountRegistry,
    private readonly options: EngineOptions,
    private readonly log: Logger,
    private readonly functions: FunctionEndpoints = {},
    /** Counts the tasks run here in the process's metrics. */
    private readonly metrics?: TaskMeter,
  ) {
    this.tasks = new Semaphore(options.taskConcurrency);
    this.throttles = new JobThrottles(options, log);
  }

  execute(job: Job, chunk: ChunkRange, progress?: ChunkProgressListener) {
    const deps = { retry: this.options.retry, log: this.log, tasks: this.tasks, metrics: this.metrics };
    return executeChunk(deps, this.contextFor(job), chunk, {
      status: (jobId) => this.statuses.get(jobId),
      shutdown: this.shutdown.signal,
      throttle: this.throttles.forJob(job.jobId, job.tags ?? []),
      progress,
    });
  }

  updateStatuses(statuses: ReadonlyMap<string, JobStatus>) {
    this.statuses = new Map(statuses);
    for (const id of this.contexts.keys()) if (!statuses.has(id)) this.contexts.delete(id);
    this.throttles.retain((id) => statuses.has(id));
  }

  throttleStats(): ReadonlyMap<string, JobThrottleStats> {
    return this.throttles.stats();
  }

  abort() {
    this.shutdown.abort();
  }

  async close() {}

  private contextFor(job: Job): JobContext {
    let context = this.contexts.get(job.jobId);
    if (!context) {
      context = makeJobContext(job, this.storage, this.accounts, this.functions);
      this.contexts.set(job.jobId, context);
    }
    return context;
  }
}
