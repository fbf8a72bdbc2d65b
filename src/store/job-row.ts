/**
 * Mapping between a `jobs` row and the domain Job.
 */
import type { GeneratedManifestDescriptor, Job, JobFailure, JobSpec, JobSummary, Tag } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { JobsTable } from "./schema.js";

export type JobRow = JobsTable;

/** Seconds spent Active so far, including the current stint. */
export function elapsedActiveSeconds(row: Pick<JobRow, "active_ms" | "active_since">, now: number): number {
  const running = row.active_since === null ? 0 : Math.max(0, now - row.active_since);
  return Math.floor((row.active_ms + running) / 1000);
}

export function rowToJob(row: JobRow, now: number): Job {
  const spec = JSON.parse(row.spec) as Omit<JobSpec, "accountId">;
  const tags = JSON.parse(row.tags) as Tag[];
  return {
    ...spec,
    accountId: row.account_id,
    tags,
    jobId: row.job_id,
    status: row.status as JobStatus,
    priority: row.priority,
    creationTime: new Date(row.creation_time),
    terminationDate: row.termination_time === null ? undefined : new Date(row.termination_time),
    suspendedDate: row.suspended_time === null ? undefined : new Date(row.suspended_time),
    suspendedCause: row.suspended_cause ?? undefined,
    statusUpdateReason: row.status_update_reason ?? undefined,
    failureReasons: JSON.parse(row.failure_reasons) as JobFailure[],
    progress: {
      total: row.total_tasks,
      succeeded: row.succeeded,
      failed: row.failed,
      elapsedActiveSeconds: elapsedActiveSeconds(row, now),
    },
    generatedManifest:
      row.generated_manifest === null ? undefined : (JSON.parse(row.generated_manifest) as GeneratedManifestDescriptor),
  };
}

export function rowToSummary(row: JobRow, now: number): JobSummary {
  const job = rowToJob(row, now);
  return {
    jobId: job.jobId,
    description: job.description,
    operation: job.operation,
    priority: job.priority,
    status: job.status,
    creationTime: job.creationTime,
    terminationDate: job.terminationDate,
    progress: job.progress,
    dialect: job.dialect,
  };
}

/** The spec as stored: everything but the account id (its own column) and tags (mutable, own column). */
export function specToColumn(spec: JobSpec): string {
  const { accountId: _accountId, tags: _tags, ...rest } = spec;
  return JSON.stringify(rest);
}
