import type { Generated } from "kysely";

/**
 * The job store's tables as Kysely sees them. Times are milliseconds since the epoch (BIGINT), JSON is TEXT:
 * the same schema serves SQLite and PostgreSQL.
 */
export interface JobsTable {
  job_id: string;
  account_id: string;
  status: string;
  priority: number;
  creation_time: number;
  termination_time: number | null;
  suspended_time: number | null;
  suspended_cause: string | null;
  status_update_reason: string | null;
  /** JSON JobFailure[] */
  failure_reasons: string;
  /** JSON JobSpec (without accountId, which has its own column) */
  spec: string;
  client_request_token: string;
  /** sha256 of the canonical request, to tell an idempotent retry from a conflicting reuse */
  request_fingerprint: string;
  /** JSON Tag[] */
  tags: string;
  /** -1 until the manifest has been counted */
  total_tasks: number;
  succeeded: number;
  failed: number;
  /** time spent Active before the current stint */
  active_ms: number;
  /** set while Active */
  active_since: number | null;
  /** the user confirmed the job (OSS lets Ready be requested while Preparing) */
  confirmed: number;
  /** ETag of the manifest object found while preparing; chunk reads are pinned to it */
  manifest_etag: string | null;
  /** JSON GeneratedManifestDescriptor */
  generated_manifest: string | null;
  /** who is preparing or finalising the job, until when */
  phase_owner: string | null;
  phase_expires: number | null;
  updated_time: number;
  /** Copied from the spec when the job is created, for listings that decode no spec (migration 0006) */
  description: string | null;
  /** the spec's operation.kind */
  operation_kind: string;
  /** the job API the job was created through (the spec's dialect) */
  dialect: string;
  /** 1 while a user holds the job paused (D31): only while it is Pausing or Paused (migration 0009) */
  held: number;
}

export interface ChunksTable {
  job_id: string;
  seq: number;
  start_byte: number;
  end_byte: number;
  first_record: number;
  records: number;
  /**
   * The chunk's tasks (manifest/inline-tasks.ts) when they do not come from a byte range of a CSV manifest:
   * generated and inventory manifests. Cleared once the chunk is done. Null for CSV manifests.
   */
  tasks: string | null;
  /** 'pending' | 'leased' | 'done' | 'skipped' (never run: the job was cancelled or failed) */
  state: string;
  lease_token: string | null;
  lease_expires: number | null;
  attempts: number;
  succeeded: number;
  failed: number;
  /**
   * Report rows (CSV) of this chunk, kept until they are written to a results file; then cleared (the file's
   * `through_seq` says which chunks it holds).
   */
  succeeded_rows: string | null;
  failed_rows: string | null;
  /**
   * Live progress (D30): the tasks the chunk's current run has finished so far, written by its lease holder about
   * once a second, never lowered by a later run (so a re-run stands still until it passes them), and zeroed
   * when the chunk is recorded. Shown in a job's progress, never used for accounting.
   */
  live_succeeded: Generated<number>;
  live_failed: Generated<number>;
}

/**
 * A results file of a job's completion report, written part by part while the job runs (report-flusher.ts).
 * One row per file; a status's files hold the rows of chunks 0..through_seq in order.
 */
export interface ReportFilesTable {
  job_id: string;
  /** 'succeeded' | 'failed' */
  status: string;
  /** 0, 1, ... in the order the files were started */
  file_index: number;
  object_key: string;
  /** null for a file written with one PUT */
  upload_id: string | null;
  /** JSON UploadedPart[] of the parts recorded so far */
  parts: string;
  part_count: number;
  bytes: number;
  /** the last chunk whose rows (for this status) are in this file or an earlier one */
  through_seq: number;
  /** the MD5 of the bytes so far, as a resumable hash state (base64) */
  md5_state: string;
  /** hex MD5 of the whole file, once completed */
  md5: string | null;
  completed: number;
}

/**
 * A signature seen on a request, bound to the digest of what that first request carried (store/signatures/).
 * One row per (scheme, access key, signature), kept until the signature can no longer be accepted.
 */
export interface RequestSignaturesTable {
  /** 'cos' | 'oss-v1' | 'oss-v4' | ...: the signature scheme, so two schemes' values never meet */
  scheme: string;
  access_key_id: string;
  /** the signature as sent (hex or base64) */
  signature: string;
  /** hex SHA-256 of the request the signature was first seen with (method, target, body) */
  bound_digest: string;
  /** when the signature stops being accepted, ms since the epoch; the row may be purged after */
  expires_at: number;
}

/**
 * A job's failed tasks of one cause (D27): how many failed with this HTTP status and error code, and a few of
 * their objects. Added to in the transaction that records each chunk (store/chunks/complete-chunk.ts).
 */
export interface FailureCausesTable {
  job_id: string;
  http_status: number;
  /** "" when the failure had no code */
  error_code: string;
  count: number;
  /** JSON SampleKey[] (domain/failure-causes.ts), at most 5 */
  sample_keys: string;
}

/**
 * One change of a job (D34), written in the transaction that made it; ids commit in increasing order
 * (store/events/record-events.ts), so a reader that tails `id > last` misses none.
 */
export interface JobEventsTable {
  id: Generated<number>;
  account_id: string;
  job_id: string;
  /** domain/job-event.ts JobEventType: job.created, job.status, ... */
  type: string;
  /** the job's status after the change */
  status: string;
  /** JSON of the type's payload (domain/job-event.ts) */
  payload: string;
  /** the store's clock, ms since the epoch */
  time: number;
}

/** One row: the highest event id purged by age (0 while none was). */
export interface JobEventHorizonTable {
  singleton: number;
  purged_through: number;
}

/**
 * A console session of the JSON API (D33, store/sessions/): named by the hex SHA-256 of its token, never the
 * token. `idle_expires_at` moves forward while the session is used, never past `expires_at`.
 */
export interface ConsoleSessionsTable {
  token_hash: string;
  account_id: string;
  /** the access key whose secret opened the session; the session ends when the key is no longer configured */
  access_key_id: string;
  created_at: number;
  /** the absolute end, ms since the epoch */
  expires_at: number;
  /** the end if it is not used again before, ms since the epoch; at most expires_at */
  idle_expires_at: number;
}

/** An account's webhook (D42, store/webhooks/); those of the config file are not stored. */
export interface WebhooksTable {
  webhook_id: string;
  account_id: string;
  url: string;
  /** JSON string[]: the CloudEvent types wanted (objbatch.job.status, ...) */
  event_types: string;
  /** JSON Tag[]: a job must carry every one of them (none: every job) */
  tag_filter: string;
  /** the HMAC key (Standard Webhooks' whsec_<base64>); needed in clear to sign */
  secret: string;
  description: string | null;
  created_at: number;
}

/**
 * The webhook outbox (D42): one CloudEvent for one webhook (stored or `config:<id>`). `state` is pending,
 * delivered or gave_up; a pending row is taken by a deliverer for a lease (`lease_owner`, `lease_expires`).
 */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: string;
  account_id: string;
  job_id: string;
  /** the CloudEvent's id (also webhook-id) */
  event_id: string;
  /** the CloudEvent's type */
  event_type: string;
  /** the CloudEvent, JSON, exactly as every attempt sends it */
  body: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: number;
  give_up_at: number;
  lease_owner: string | null;
  lease_expires: number | null;
  created_at: number;
  finished_at: number | null;
}

/** One row: every job event with an id up to `through_event` has its deliveries written. */
export interface WebhookCursorTable {
  singleton: number;
  through_event: number;
}

/** A recurring job (D43, store/schedules/): when it is next due, who is creating its job now, what it last did. */
export interface SchedulesTable {
  schedule_id: string;
  account_id: string;
  description: string | null;
  /** a cron expression (5 or 6 fields, croner's dialect) */
  cron: string;
  /** an IANA time zone the cron expression is read in */
  time_zone: string;
  /** 'latest' | 'all': what a scheduler does with due times it missed */
  catch_up: string;
  /** JSON: the job template as the client sent it (a CreateJobRequest with relative dates) */
  template: string;
  /** 1 while paused (next_due_at is null then) */
  paused: number;
  /** the earliest due time not handled yet; null while paused */
  next_due_at: number | null;
  /** the scheduler creating a job for claim_due_at, until claim_expires */
  claim_owner: string | null;
  claim_expires: number | null;
  claim_due_at: number | null;
  last_due_at: number | null;
  last_job_id: string | null;
  /** 'created' | 'already_created' | 'failed' */
  last_outcome: string | null;
  created_at: number;
  updated_at: number;
}

/** One handled due time of a schedule: the job it made, or why none (outcome failed, detail). */
export interface ScheduleRunsTable {
  schedule_id: string;
  due_at: number;
  job_id: string | null;
  outcome: string;
  detail: string | null;
  recorded_at: number;
}

/** A bearer access token (D44, store/tokens/): named by the hex SHA-256 of its secret, which is never stored. */
export interface AccessTokensTable {
  /** the public id: listed, revoked by; never a credential */
  token_id: string;
  account_id: string;
  name: string | null;
  /** hex SHA-256 of the secret */
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** when it last authenticated a request, to the minute (D44) */
  last_used_at: number | null;
}

export interface Database {
  jobs: JobsTable;
  chunks: ChunksTable;
  report_files: ReportFilesTable;
  request_signatures: RequestSignaturesTable;
  failure_causes: FailureCausesTable;
  job_events: JobEventsTable;
  job_event_horizon: JobEventHorizonTable;
  console_sessions: ConsoleSessionsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_cursor: WebhookCursorTable;
  schedules: SchedulesTable;
  schedule_runs: ScheduleRunsTable;
  access_tokens: AccessTokensTable;
}
