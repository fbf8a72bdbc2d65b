/**
 * Runs each job's chunks where its storage work is cheapest: jobs whose buckets all live on S3 endpoints run in
 * the engine's own event loop, every other job on the worker threads.
 *
 * Why: the local backend makes small synchronous filesystem calls, which want threads of their own (100,000
 * local copies on tmpfs: 2.9 s on two worker threads, 4.0 s on one). S3 work is asynchronous network I/O that
 * one event loop drives fully, and spreading it over threads only adds CPU: 5,000 CopyObjects on radosgw cost
 * 12-14 CPU-seconds on two threads against 5.4-6.4 in the event loop, the raw AWS SDK's own figure (bench/s3-copy.ts).
 *
 * The buckets judged are the ones a job names: the manifest's (or the generator's source), the copy target and
 * the report bucket. Tasks whose manifest rows name other buckets still run correctly wherever the job was
 * placed; placement is only about speed.
 */
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { StoreKind } from "../storage/store-kind.js";
import type { ChunkExecution, ChunkProgressListener, ChunkRange } from "./chunk-runner.js";
import type { ChunkExecutor } from "./executor.js";
import type { JobThrottleStats } from "./job-throttle.js";

export class PlacingExecutor implements ChunkExecutor {
  private readonly placement = new Map<string, ChunkExecutor>();

  constructor(
    private readonly threads: ChunkExecutor,
    private readonly inline: ChunkExecutor,
    private readonly storeKindOf: (bucket: string) => StoreKind | undefined,
  ) {}

  execute(job: Job, chunk: ChunkRange, progress?: ChunkProgressListener): Promise<ChunkExecution> {
    return this.executorFor(job).execute(job, chunk, progress);
  }

  updateStatuses(statuses: ReadonlyMap<string, JobStatus>): void {
    this.threads.updateStatuses(statuses);
    this.inline.updateStatuses(statuses);
    for (const jobId of this.placement.keys()) if (!statuses.has(jobId)) this.placement.delete(jobId);
  }

  abort(): void {
    this.threads.abort();
    this.inline.abort();
  }

  async close(): Promise<void> {
    await Promise.all([this.threads.close(), this.inline.close()]);
  }

  throttleStats(): ReadonlyMap<string, JobThrottleStats> {
    return new Map([...(this.threads.throttleStats?.() ?? []), ...(this.inline.throttleStats?.() ?? [])]);
  }

  /** Where the job's chunks run; decided once per job (its buckets never change). */
  executorFor(job: Job): ChunkExecutor {
    let executor = this.placement.get(job.jobId);
    if (executor === undefined) {
      const buckets = namedBuckets(job);
      const allS3 = buckets.length > 0 && buckets.every((b) => this.storeKindOf(b) === "s3");
      executor = allS3 ? this.inline : this.threads;
      this.placement.set(job.jobId, executor);
    }
    return executor;
  }
}

function namedBuckets(job: Job): string[] {
  const buckets: string[] = [];
  if (job.manifest) buckets.push(job.manifest.location.bucket.bucket);
  if (job.manifestGenerator) buckets.push(job.manifestGenerator.sourceBucket.bucket);
  if (job.operation.kind === "PutObjectCopy") buckets.push(job.operation.targetResource.bucket);
  if (job.report.enabled && job.report.bucket) buckets.push(job.report.bucket.bucket);
  return buckets;
}
