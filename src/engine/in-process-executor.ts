/**
 * Runs chunks in the engine's own event loop (tests with an injected clock, and a single-threaded mode).
 */
import type { Logger } from "pino";
import type { AccountRegistry } from "../accounts/types.js";
import type { JobStatus } from "../domain/status.js";
import type { FunctionEndpoints } from "../functions/endpoints.js";
import type { ObjectStorage } from "../storage/types.js";
import { type JobRow, rowToJob } from "../store/job-row.js";
import { type ChunkRange, executeChunk } from "./chunk-runner.js";
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
  ) {
    this.tasks = new Semaphore(options.taskConcurrency);
    this.throttles = new JobThrottles(options, log);
  }

  execute(row: JobRow, chunk: ChunkRange) {
    return executeChunk(
      { retry: this.options.retry, log: this.log, tasks: this.tasks },
      this.contextFor(row),
      row.manifest_etag,
      chunk,
      {
        status: (jobId) => this.statuses.get(jobId),
        shutdown: this.shutdown.signal,
        throttle: this.throttles.forJob(row.job_id, row.tags),
      },
    );
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

  private contextFor(row: JobRow): JobContext {
    let context = this.contexts.get(row.job_id);
    if (!context) {
      context = makeJobContext(rowToJob(row, Date.now()), this.storage, this.accounts, this.functions);
      this.contexts.set(row.job_id, context);
    }
    return context;
  }
}
