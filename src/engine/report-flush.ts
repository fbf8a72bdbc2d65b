/**
 * Writing a running job's completion report as it goes (report/report-flusher.ts does the writing). The
 * engine calls this every `reportFlushIntervalMs` for each Active job with a report. Only the holder of the
 * job's phase claim flushes, so two servers never write the same part; the finaliser claims the same phase
 * and so waits for a flush in progress to end.
 */
import type { Job } from "../domain/job.js";
import type { TaskStatus } from "../domain/task.js";
import { ReportFlusher } from "../report/report-flusher.js";
import { reportedStatuses } from "../report/report-writer.js";
import { isStorageError } from "../storage/errors.js";
import type { EngineDeps } from "./deps.js";
import { makeJobContext } from "./job-context.js";
import { holdClaim } from "./phase-claim.js";
import { withRetry } from "./retry.js";

/** A job's report: where it goes, its flusher and the statuses it keeps. */
export interface JobReport {
  /** Plain bucket name. */
  readonly bucket: string;
  readonly flusher: ReportFlusher;
  readonly statuses: readonly TaskStatus[];
}

/** The job's report, or undefined when the job writes none. */
export function reportFlusherFor(deps: EngineDeps, job: Job): JobReport | undefined {
  const { report } = job;
  if (!report.enabled || !report.bucket) return undefined;
  const context = makeJobContext(job, deps.storage, deps.accounts);
  const flusher = new ReportFlusher(
    deps.store,
    {
      jobId: job.jobId,
      bucket: report.bucket.bucket,
      prefix: report.prefix,
      storage: context.storage,
      retry: (request) => withRetry(request, deps.options.retry, deps.metrics?.tasks.retryHooks ?? {}),
      written: deps.metrics && ((bytes) => deps.metrics?.engine.reportWritten(bytes)),
    },
    { partBytes: deps.options.reportPartBytes, maxPartsPerFile: deps.options.reportMaxPartsPerFile },
  );
  return { bucket: report.bucket.bucket, flusher, statuses: reportedStatuses(report.scope) };
}

/** Writes the ready parts of a running job's results files; returns how many. Storage trouble waits a turn. */
export async function flushRunningReport(deps: EngineDeps, jobId: string, report: JobReport): Promise<number> {
  if (!(await deps.store.claimPhase(jobId, "Active", deps.owner, deps.now(), deps.options.leaseMs))) return 0;
  const claim = holdClaim(deps, jobId, "Active");
  let parts = 0;
  try {
    for (const status of report.statuses) parts += await report.flusher.flushReady(status, () => claim.lost);
  } catch (e) {
    if (!isStorageError(e)) throw e;
    deps.log.warn({ err: e, jobId }, "writing report parts failed; trying again later");
  } finally {
    await claim.release();
  }
  return parts;
}
