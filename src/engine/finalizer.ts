/**
 * Finishing a job: once no chunk of it is running, finish the completion report (D11: the results files
 * written while the job ran get their last parts, then manifest.json) and move Completing -> Complete,
 * Cancelling -> Cancelled or Failing -> Failed. Each step is recorded or overwrites the same objects, so
 * finishing is safe to repeat after a crash.
 */
import { failureCauseReasons, MAX_CAUSE_REASONS } from "../domain/failure-causes.js";
import type { JobStatus } from "../domain/status.js";
import type { ReportResultFile } from "../report/report-writer.js";
import { writeReportManifest } from "../report/report-writer.js";
import { isStorageError } from "../storage/errors.js";
import type { EngineDeps } from "./deps.js";
import { clipFailure } from "./errors.js";
import { FAILURE_THRESHOLD_CODE, failureThresholdReason } from "./failure-threshold.js";
import { holdClaim } from "./phase-claim.js";
import { reportFlusherFor } from "./report-flush.js";

const ENDS: Partial<Record<JobStatus, { to: JobStatus; reason: string }>> = {
  Completing: { to: "Complete", reason: "Job complete" },
  Cancelling: { to: "Cancelled", reason: "Job cancelled" },
  Failing: { to: "Failed", reason: "Job failed" },
};

export async function finalizeJob(deps: EngineDeps, jobId: string): Promise<boolean> {
  const { store, log } = deps;
  const job = await store.getJob(jobId, deps.now());
  if (!job) return false;
  const from = job.status;
  const end = ENDS[from];
  if (!end) return false;
  const counts = await store.countChunks(jobId, deps.now());
  if (counts.running > 0) return false; // in-flight chunks finish (or are cut short) first
  if (!(await store.claimPhase(jobId, from, deps.owner, deps.now(), deps.options.leaseMs))) return false;
  const claim = holdClaim(deps, jobId, from);

  try {
    await store.abandonUnfinishedChunks(jobId);
    const report = reportFlusherFor(deps, job);
    if (report) {
      try {
        const results: ReportResultFile[] = [];
        for (const status of report.statuses) {
          for (const file of await report.flusher.finish(status)) {
            results.push({
              TaskExecutionStatus: status,
              Bucket: report.bucket,
              MD5Checksum: file.md5!,
              Key: file.key,
            });
          }
        }
        const written = await writeReportManifest(report.flusher.storage, {
          jobId,
          reportBucket: report.bucket,
          prefix: job.report.prefix,
          format: job.report.format,
          results,
          now: new Date(deps.now()),
        });
        deps.metrics?.engine.reportWritten(written.bytes);
      } catch (e) {
        if (!isStorageError(e)) throw e;
        // The job's outcome stands; the missing report is said in FailureReasons.
        await store.addFailureReason(
          jobId,
          clipFailure({ code: "ReportWriteFailed", reason: `The job report could not be written: ${e.message}` }),
          deps.now(),
        );
      }
    }
    const moved = await store.transition(jobId, from, end.to, deps.now(), {
      statusUpdateReason: from === "Cancelling" ? (job.statusUpdateReason ?? end.reason) : end.reason,
      // The threshold's entry was written when the job started Failing; chunks in flight then added their
      // tasks since. Restated from the final counts, in the same transaction, it agrees with ProgressSummary.
      restateFailure: {
        code: FAILURE_THRESHOLD_CODE,
        reason: (counts) => failureThresholdReason(counts, deps.options).reason,
      },
      // Why tasks failed, from the counts by cause recorded with each chunk (D27): "2 tasks failed: 404 NoSuchBucket".
      failureCauses: { limit: MAX_CAUSE_REASONS, reasons: failureCauseReasons },
    });
    if (moved) {
      const { succeeded, failed, total } = job.progress;
      log.info({ jobId, status: end.to, succeeded, failed, total }, "job finished");
    }
    return moved;
  } finally {
    await claim.release();
  }
}
