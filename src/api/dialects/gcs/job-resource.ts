/**
 * objbatch's Job as the reference's Job resource (D46), whichever dialect created it:
 *
 *   name            projects/{project}/locations/global/jobs/{jobName, or the objbatch job id}
 *   state           New, Preparing, Suspended, Ready: QUEUED; Active, Pausing, Paused, Completing, Cancelling,
 *                   Failing: RUNNING; Complete: SUCCEEDED (failed objects show in the counters and
 *                   errorSummaries, as Google's do); Cancelled: CANCELED; Failed: FAILED
 *   createTime      the creation time; scheduleTime the same (objbatch queues a job the moment it is created);
 *                   completeTime the termination time; all RFC 3339 UTC with Z
 *   counters        totalObjectCount once the objects are counted, succeeded and failed (int64 as strings)
 *   errorSummaries  the failures by cause (D27) grouped by canonical code (errorCodeOf), with their samples
 *   bucketList      the job's one bucket: its prefixes, or its manifest as gs://bucket/object
 *
 * plus description, loggingConfig, dryRun and the transformation (transformations.ts).
 */
import type { FailureCause } from "../../../domain/failure-causes.js";
import type { Job, ManifestGenerator } from "../../../domain/job.js";
import type { JobStatus } from "../../../domain/status.js";
import type { RpcCode } from "./errors.js";
import { googleJobIdOf, jobResourceName } from "./names.js";
import { renderTransformation } from "./transformations.js";

export type GoogleJobState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "CANCELED" | "FAILED";

export const STATE_OF_STATUS: Readonly<Record<JobStatus, GoogleJobState>> = {
  New: "QUEUED",
  Preparing: "QUEUED",
  Suspended: "QUEUED",
  Ready: "QUEUED",
  Active: "RUNNING",
  Pausing: "RUNNING",
  Paused: "RUNNING",
  Completing: "RUNNING",
  Cancelling: "RUNNING",
  Failing: "RUNNING",
  Complete: "SUCCEEDED",
  Cancelled: "CANCELED",
  Failed: "FAILED",
};

/** The objbatch statuses each Google state stands for (list filters). */
export function statusesOfState(state: GoogleJobState): JobStatus[] {
  return (Object.keys(STATE_OF_STATUS) as JobStatus[]).filter((s) => STATE_OF_STATUS[s] === state);
}

/** RFC 3339 in UTC with Z, no fraction when there is none (Google's Timestamp JSON). */
export function timestamp(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

/** The canonical code a failed task's HTTP status stands for (google.rpc.Code's HTTP mapping). */
export function errorCodeOf(httpStatus: number, errorCode: string): RpcCode {
  switch (httpStatus) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 412:
      return "FAILED_PRECONDITION";
    case 416:
      return "OUT_OF_RANGE";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
  }
  if (httpStatus === 0) return errorCode === "" ? "UNKNOWN" : "UNAVAILABLE";
  if (httpStatus >= 400 && httpStatus < 500) return "FAILED_PRECONDITION";
  if (httpStatus >= 500) return "INTERNAL";
  return "UNKNOWN";
}

const MAX_LOG_ENTRIES = 5;

/** The job's failed tasks by canonical code, most first, with up to five sample objects each. */
export function errorSummariesOf(causes: readonly FailureCause[]) {
  const byCode = new Map<RpcCode, { count: number; entries: { objectUri: string; errorDetails: string[] }[] }>();
  for (const cause of causes) {
    const code = errorCodeOf(cause.httpStatus, cause.errorCode);
    let summary = byCode.get(code);
    if (summary === undefined) {
      summary = { count: 0, entries: [] };
      byCode.set(code, summary);
    }
    summary.count += cause.count;
    const detail = `${cause.httpStatus === 0 ? "no HTTP answer" : `HTTP ${cause.httpStatus}`}${cause.errorCode ? ` ${cause.errorCode}` : ""}`;
    for (const sample of cause.sampleKeys) {
      if (summary.entries.length >= MAX_LOG_ENTRIES) break;
      const generation = sample.versionId === undefined ? "" : `#${sample.versionId}`;
      summary.entries.push({ objectUri: `gs://${sample.bucket}/${sample.key}${generation}`, errorDetails: [detail] });
    }
  }
  return [...byCode.entries()]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .map(([code, s]) => ({ errorCode: code, errorCount: String(s.count), errorLogEntries: s.entries }));
}

export function countersOf(progress: Job["progress"]): Record<string, string> {
  return {
    ...(progress.total >= 0 ? { totalObjectCount: String(progress.total) } : {}),
    succeededObjectCount: String(progress.succeeded),
    failedObjectCount: String(progress.failed),
  };
}

/** The job's one bucket and how its objects are chosen. */
export function bucketOf(job: Pick<Job, "manifest" | "manifestGenerator">): Record<string, unknown> | undefined {
  if (job.manifestGenerator !== undefined) {
    return { bucket: job.manifestGenerator.sourceBucket.bucket, prefixList: prefixListOf(job.manifestGenerator) };
  }
  if (job.manifest !== undefined) {
    const { bucket, key } = job.manifest.location;
    return { bucket: bucket.bucket, manifest: { manifestLocation: `gs://${bucket.bucket}/${key}` } };
  }
  return undefined;
}

function prefixListOf(generator: ManifestGenerator): Record<string, unknown> {
  const prefixes =
    generator.prefix !== undefined ? [generator.prefix] : (generator.filter?.keyNameConstraint?.matchAnyPrefix ?? []);
  return prefixes.length === 0 ? {} : { includedObjectPrefixes: [...prefixes] };
}

/** The Job resource of a job. `causes` are its failures by cause (jobFailures), for errorSummaries. */
export function renderJob(project: string, job: Job, causes: readonly FailureCause[]): Record<string, unknown> {
  const bucket = bucketOf(job);
  return {
    name: jobResourceName(project, googleJobIdOf(job)),
    ...(job.description !== undefined ? { description: job.description } : {}),
    ...(bucket !== undefined ? { bucketList: { buckets: [bucket] } } : {}),
    ...renderTransformation(job.operation),
    ...(job.loggingConfig !== undefined
      ? {
          loggingConfig: {
            logActions: [...job.loggingConfig.logActions],
            logActionStates: [...job.loggingConfig.logActionStates],
          },
        }
      : {}),
    createTime: timestamp(job.creationTime),
    scheduleTime: timestamp(job.creationTime),
    ...(job.terminationDate !== undefined ? { completeTime: timestamp(job.terminationDate) } : {}),
    counters: countersOf(job.progress),
    ...(causes.length > 0 ? { errorSummaries: errorSummariesOf(causes) } : {}),
    state: STATE_OF_STATUS[job.status],
    ...(job.dryRun ? { dryRun: true } : {}),
  };
}
