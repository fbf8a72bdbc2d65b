/**
 * Mapping between a `jobs` row and the domain: the Job (domain/job.ts), its summary for listings, and the
 * JobState the engine ticks on (domain/job-state.ts). Rows never leave store/: every read of a job hands out
 * one of these, and a new job comes in as a NewJob.
 */
import type {
  Dialect,
  GeneratedManifestDescriptor,
  Job,
  JobFailure,
  JobSpec,
  JobSummary,
  OperationKind,
  Tag,
} from "../domain/job.js";
import type { JobState } from "../domain/job-state.js";
import { isTerminal, type JobStatus } from "../domain/status.js";
import type { LiveProgressColumns } from "./chunks/live-progress.js";
import type { JobsTable } from "./schema.js";

export type JobRow = JobsTable;

/** A job to create: what the client asked for, and what the service decided about it. */
export interface NewJob {
  readonly jobId: string;
  readonly spec: JobSpec;
  /** Milliseconds since the epoch. */
  readonly creationTime: number;
  /** Tells an idempotent retry (same request, same token) from a conflicting reuse of the token. */
  readonly requestFingerprint: string;
}

/** The columns a JobState is read from: everything but the JSON ones. */
export const JOB_STATE_COLUMNS = [
  "job_id",
  "status",
  "priority",
  "creation_time",
  "suspended_time",
  "total_tasks",
  "succeeded",
  "failed",
  "confirmed",
  "phase_owner",
  "phase_expires",
  "held",
] as const satisfies readonly (keyof JobRow)[];

export type JobStateRow = Pick<JobRow, (typeof JOB_STATE_COLUMNS)[number]>;

/** Seconds spent Active so far, including the current stint. */
function elapsedActiveSeconds(row: Pick<JobRow, "active_ms" | "active_since">, now: number): number {
  const running = row.active_since === null ? 0 : Math.max(0, now - row.active_since);
  return Math.floor((row.active_ms + running) / 1000);
}

/**
 * The job's counters, and its Active time up to `now`. With the live counts of its running chunks when the row
 * was read with them (chunks/live-progress.ts): added to the recorded ones while the job is unfinished, never
 * past the total. A finished job shows its recorded counts alone, which are exact.
 */
function progressOf(
  row: Pick<JobRow, "status" | "total_tasks" | "succeeded" | "failed" | "active_ms" | "active_since"> &
    LiveProgressColumns,
  now: number,
): Job["progress"] {
  let succeeded = Number(row.succeeded);
  let failed = Number(row.failed);
  if (!isTerminal(row.status as JobStatus)) {
    const room = row.total_tasks < 0 ? 0 : Math.max(0, row.total_tasks - succeeded - failed);
    const liveSucceeded = Math.min(room, Number(row.live_succeeded ?? 0));
    succeeded += liveSucceeded;
    failed += Math.min(room - liveSucceeded, Number(row.live_failed ?? 0));
  }
  return {
    total: row.total_tasks,
    succeeded,
    failed,
    elapsedActiveSeconds: elapsedActiveSeconds(row, now),
  };
}

/** The job as stored and described; `now` is when its Active time is measured up to. */
export function rowToJob(row: JobRow & LiveProgressColumns, now: number): Job {
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
    ...(Number(row.held) === 1 ? { pausedByUser: true } : {}),
    failureReasons: JSON.parse(row.failure_reasons) as JobFailure[],
    progress: progressOf(row, now),
    generatedManifest:
      row.generated_manifest === null ? undefined : (JSON.parse(row.generated_manifest) as GeneratedManifestDescriptor),
    manifestEtag: row.manifest_etag ?? undefined,
  };
}

/** The columns a JobSummary is read from: no JSON, so a page of them decodes none (migration 0006). */
export const JOB_SUMMARY_COLUMNS = [
  "job_id",
  "description",
  "operation_kind",
  "priority",
  "status",
  "creation_time",
  "termination_time",
  "total_tasks",
  "succeeded",
  "failed",
  "active_ms",
  "active_since",
  "dialect",
] as const satisfies readonly (keyof JobRow)[];

export type JobSummaryRow = Pick<JobRow, (typeof JOB_SUMMARY_COLUMNS)[number]>;

export function rowToSummary(row: JobSummaryRow & LiveProgressColumns, now: number): JobSummary {
  return {
    jobId: row.job_id,
    description: row.description ?? undefined,
    operation: { kind: row.operation_kind as OperationKind },
    priority: row.priority,
    status: row.status as JobStatus,
    creationTime: new Date(row.creation_time),
    terminationDate: row.termination_time === null ? undefined : new Date(row.termination_time),
    progress: progressOf(row, now),
    dialect: row.dialect as Dialect,
  };
}

export function rowToState(row: JobStateRow): JobState {
  return {
    jobId: row.job_id,
    status: row.status as JobStatus,
    priority: Number(row.priority),
    creationTime: Number(row.creation_time),
    suspendedTime: row.suspended_time === null ? undefined : Number(row.suspended_time),
    totalTasks: Number(row.total_tasks),
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    confirmed: Number(row.confirmed) === 1,
    held: Number(row.held) === 1,
    phaseClaim:
      row.phase_owner === null ? undefined : { owner: row.phase_owner, expires: Number(row.phase_expires ?? 0) },
  };
}

/** The row a new job starts as: New, nothing counted, nobody's phase. */
export function newJobRow(job: NewJob): JobRow {
  const { spec } = job;
  return {
    job_id: job.jobId,
    account_id: spec.accountId,
    status: "New",
    priority: spec.priority,
    creation_time: job.creationTime,
    termination_time: null,
    suspended_time: null,
    suspended_cause: null,
    status_update_reason: null,
    failure_reasons: "[]",
    spec: specToColumn(spec),
    client_request_token: spec.clientRequestToken,
    request_fingerprint: job.requestFingerprint,
    tags: JSON.stringify(spec.tags ?? []),
    total_tasks: -1,
    succeeded: 0,
    failed: 0,
    active_ms: 0,
    active_since: null,
    confirmed: spec.confirmationRequired ? 0 : 1,
    manifest_etag: null,
    generated_manifest: null,
    phase_owner: null,
    phase_expires: null,
    updated_time: job.creationTime,
    description: spec.description ?? null,
    operation_kind: spec.operation.kind,
    dialect: spec.dialect,
    held: 0,
  };
}

/** The spec as stored: everything but the account id (its own column) and tags (mutable, own column). */
function specToColumn(spec: JobSpec): string {
  const { accountId: _accountId, tags: _tags, ...rest } = spec;
  return JSON.stringify(rest);
}
