/**
 * Every metric objbatch defines, in one place: name, help, type, labels with every value each may take, and
 * histogram buckets (the Node and process metrics come from prom-client, registry.ts). Label sets are bounded
 * by construction: a label's values are listed here, so no job id, key or bucket can ever become one, and an
 * error code objbatch does not know is "other" (error-codes.ts).
 *
 * Because every label set is known in advance, each metric is a fixed range of numbered cells: a counter or a
 * gauge one cell per label set, a histogram one per bucket, one for +Inf and one for the sum. Recording is adding
 * to a cell of a Float64Array (cells.ts) at an index resolved once per storage method, chunk or job operation
 * (meters.ts), in a runner thread as in the main thread, with no label lookup and no allocation; what a runner
 * thread added crosses to the main thread as a batch of cell deltas (worker-bridge.ts, D40). This module is pure
 * data and is loaded by runner threads: it imports no prom-client.
 */
import type { OperationKind } from "../domain/job.js";
import type { ObjectStorage } from "../storage/types.js";
import { ERROR_CODE_VALUES } from "./error-codes.js";

export type MetricType = "counter" | "gauge" | "histogram";

export interface LabelDimension {
  readonly name: string;
  /** Every value the label may take; the empty string leaves the label out of a series. */
  readonly values: readonly string[];
}

export interface CellFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labels: readonly LabelDimension[];
  /** A histogram's upper bounds in seconds (or its unit), ascending, +Inf not included. */
  readonly buckets: readonly number[];
  /** The family's first cell. */
  readonly offset: number;
  /** Cells per label set: 1, or a histogram's buckets, +Inf and the sum. */
  readonly width: number;
  /** Label sets: the product of the labels' value counts. */
  readonly series: number;
}

const FAMILIES: CellFamily[] = [];
let nextCell = 0;

function family(def: {
  name: string;
  help: string;
  type: MetricType;
  labels?: readonly LabelDimension[];
  buckets?: readonly number[];
}): CellFamily {
  const labels = def.labels ?? [];
  const buckets = def.buckets ?? [];
  const width = def.type === "histogram" ? buckets.length + 2 : 1;
  const series = labels.reduce((n, l) => n * l.values.length, 1);
  const f: CellFamily = { ...def, labels, buckets, offset: nextCell, width, series };
  nextCell += width * series;
  FAMILIES.push(f);
  return f;
}

/** The first cell of the label set with these value indices (one per label, in order). */
export function cellOf(f: CellFamily, ...indices: number[]): number {
  let series = 0;
  for (let i = 0; i < f.labels.length; i++) series = series * f.labels[i].values.length + (indices[i] ?? 0);
  return f.offset + series * f.width;
}

// ---- label values ------------------------------------------------------------------------------------------

const OPERATION_KINDS: Record<OperationKind, true> = {
  PutObjectCopy: true,
  DeleteObject: true,
  InitiateRestoreObject: true,
  PutObjectTagging: true,
  AddObjectTagging: true,
  DeleteObjectTagging: true,
  PutObjectAcl: true,
  PutObjectLegalHold: true,
  PutObjectRetention: true,
  ComputeObjectChecksum: true,
  InvokeFunction: true,
  ReplicateObject: true,
  UpdateObjectMetadata: true,
  RewriteObject: true,
  PutObjectHold: true,
  UpdateObjectCustomContext: true,
};

/** A job's operation, as its model names it. */
export const TASK_OPERATIONS = Object.keys(OPERATION_KINDS) as OperationKind[];
export const TASK_STATUSES = ["succeeded", "failed"] as const;
/** A succeeded task has no error code ("", left out); a failed one its bounded code. */
export const TASK_ERROR_CODES: readonly string[] = ["", ...ERROR_CODE_VALUES];

export const BACKENDS = ["local", "s3"] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * One value per ObjectStorage method (a request is one call of the interface: one S3 request, but for a copy
 * the S3 backend makes in parts), keyed by the method so a method added to the interface must be named here.
 */
export const STORAGE_OPERATION_OF = {
  bucketExists: "bucket_exists",
  createBucket: "create_bucket",
  head: "head",
  get: "get",
  put: "put",
  copy: "copy",
  delete: "delete",
  getTagging: "get_tagging",
  putTagging: "put_tagging",
  deleteTagging: "delete_tagging",
  getAcl: "get_acl",
  putAcl: "put_acl",
  restore: "restore",
  putLegalHold: "put_legal_hold",
  putRetention: "put_retention",
  putEventBasedHold: "put_event_based_hold",
  replaceMetadata: "replace_metadata",
  listKeyVersions: "list_key_versions",
  createMultipartUpload: "create_multipart_upload",
  uploadPart: "upload_part",
  completeMultipartUpload: "complete_multipart_upload",
  abortMultipartUpload: "abort_multipart_upload",
  listMultipartUploads: "list_multipart_uploads",
  list: "list",
} as const satisfies Record<Exclude<keyof ObjectStorage, "description" | "close">, string>;
export type StorageMethod = keyof typeof STORAGE_OPERATION_OF;
export const STORAGE_METHODS = Object.keys(STORAGE_OPERATION_OF) as StorageMethod[];

/**
 * How a storage request ended: "ok", a 4xx or 5xx answer, throttling (503 SlowDown, 429, a throttling code;
 * counted here, not as 5xx), a connection that failed or timed out ("network"), or "other" (not a storage
 * answer: a request aborted at shutdown, a bug).
 */
export const STORAGE_OUTCOMES = ["ok", "4xx", "5xx", "throttled", "network", "other"] as const;
export type StorageOutcome = (typeof STORAGE_OUTCOMES)[number];

/**
 * Why a storage request was tried again (engine/retry.ts): the storage asked to slow down, it failed on its side
 * (5xx), or the connection failed or timed out.
 */
export const RETRY_REASONS = ["throttling", "server_error", "network"] as const;
export type RetryReason = (typeof RETRY_REASONS)[number];

export const CHUNK_LEASE_RESULTS = ["leased", "none"] as const;
/** done: recorded (or refused for a lost lease); aborted: cut short at shutdown; failed: given back. */
export const CHUNK_RUN_OUTCOMES = ["done", "aborted", "failed"] as const;

// ---- buckets -----------------------------------------------------------------------------------------------

/** A local filesystem call takes tens of microseconds, an S3 request milliseconds to seconds. */
const STORAGE_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
/** A job store statement: a millisecond on SQLite, a few on PostgreSQL, seconds while it waits for a lock. */
const STORE_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** A chunk of 1,000 tasks: well under a second locally, minutes against a slow or throttling store. */
const CHUNK_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

// ---- the metrics -------------------------------------------------------------------------------------------

export const TASKS = family({
  name: "objbatch_tasks_total",
  help: "Tasks finished, by the job's operation, status and error code (known S3 codes, else other); a chunk run again counts again",
  type: "counter",
  labels: [
    { name: "operation", values: TASK_OPERATIONS },
    { name: "status", values: TASK_STATUSES },
    { name: "error_code", values: TASK_ERROR_CODES },
  ],
});

export const TASKS_IN_FLIGHT = family({
  name: "objbatch_tasks_in_flight",
  help: "Tasks started and not finished yet, retries and their waits included",
  type: "gauge",
});

export const STORAGE_REQUESTS = family({
  name: "objbatch_storage_requests_total",
  help: "Storage requests (ObjectStorage calls), by backend, operation and outcome (ok, 4xx, 5xx, throttled, network, other)",
  type: "counter",
  labels: [
    { name: "backend", values: BACKENDS },
    { name: "operation", values: Object.values(STORAGE_OPERATION_OF) },
    { name: "outcome", values: STORAGE_OUTCOMES },
  ],
});

export const STORAGE_DURATION = family({
  name: "objbatch_storage_request_duration_seconds",
  help: "Storage request latency, by backend and operation, every outcome (get: until the body stream opens; list: the whole listing)",
  type: "histogram",
  labels: [
    { name: "backend", values: BACKENDS },
    { name: "operation", values: Object.values(STORAGE_OPERATION_OF) },
  ],
  buckets: STORAGE_SECONDS,
});

export const RETRIES = family({
  name: "objbatch_retries_total",
  help: "Storage requests of tasks, manifest reads and reports tried again, by reason (throttling, server_error, network)",
  type: "counter",
  labels: [{ name: "reason", values: RETRY_REASONS }],
});

export const THROTTLING = family({
  name: "objbatch_throttling_responses_total",
  help: "Throttling answers (503 SlowDown, 429, throttling codes) to the storage requests of tasks, manifest reads and reports",
  type: "counter",
});

export const CONCURRENCY_DECREASES = family({
  name: "objbatch_adaptive_concurrency_decreases_total",
  help: "Times a job's adaptive concurrency limit was halved because storage throttled it",
  type: "counter",
});

export const CHUNK_LEASE = family({
  name: "objbatch_chunk_lease_duration_seconds",
  help: "Time to lease a chunk from the job store, by result (leased, none left)",
  type: "histogram",
  labels: [{ name: "result", values: CHUNK_LEASE_RESULTS }],
  buckets: STORE_SECONDS,
});

export const CHUNK_RECORD = family({
  name: "objbatch_chunk_record_duration_seconds",
  help: "Time to record a finished chunk's results in the job store, waits for a store outage included",
  type: "histogram",
  buckets: STORE_SECONDS,
});

export const CHUNK_RUN = family({
  name: "objbatch_chunk_run_duration_seconds",
  help: "Time a leased chunk ran on its executor until its results came back, by outcome (done, aborted, failed)",
  type: "histogram",
  labels: [{ name: "outcome", values: CHUNK_RUN_OUTCOMES }],
  buckets: CHUNK_SECONDS,
});

export const REPORT_BYTES = family({
  name: "objbatch_report_bytes_written_total",
  help: "Bytes of completion reports written to storage (results files' parts and whole files, manifest.json)",
  type: "counter",
});

/**
 * How a webhook delivery attempt ended (D42): a 2xx, another status, no answer in time, a connection that
 * failed; and gave_up, a delivery abandoned after its retry time (or refused by the allow-list).
 */
export const WEBHOOK_OUTCOMES = ["ok", "http_error", "timeout", "network", "gave_up"] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export const WEBHOOK_DELIVERIES = family({
  name: "objbatch_webhook_deliveries_total",
  help: "Webhook delivery attempts by outcome (ok, http_error, timeout, network), and deliveries given up (gave_up)",
  type: "counter",
  labels: [{ name: "outcome", values: WEBHOOK_OUTCOMES }],
});

/** How a schedule's due time was handled (D43): its job created, found created before, or none made. */
export const SCHEDULE_RUN_OUTCOMES = ["created", "already_created", "failed"] as const;

export const SCHEDULE_RUNS = family({
  name: "objbatch_schedule_runs_total",
  help: "Due times of schedules this process handled, by outcome (created, already_created: a retry found its job, failed: no job)",
  type: "counter",
  labels: [{ name: "outcome", values: SCHEDULE_RUN_OUTCOMES }],
});

/** Every family, in the order of their cells. */
export const CELL_FAMILIES: readonly CellFamily[] = FAMILIES;
/** The cells of every family. */
export const CELL_COUNT = nextCell;
