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
  /** report rows (CSV) of this chunk, kept until the report is written */
  succeeded_rows: string | null;
  failed_rows: string | null;
}

export interface Database {
  jobs: JobsTable;
  chunks: ChunksTable;
}
