/**
 * Where a job's completion report goes (docs/decisions.md D11), and its manifest.json:
 *
 *   <prefix>/job-<jobId>/results/<sha1>.csv   results files of succeeded tasks, and of failed tasks
 *   <prefix>/job-<jobId>/manifest.json        Format, ReportCreationDate, Results[], ReportSchema
 *
 * The results files are written while the job runs (report-flusher.ts); manifest.json is written when it ends,
 * always, and lists exactly the results files that were written. Every key depends only on the prefix, the
 * job id, the status and the file's number, so writing a report again (after a crash) overwrites the same
 * objects.
 */
import { createHash } from "node:crypto";
import type { ReportScope } from "../domain/job.js";
import type { TaskStatus } from "../domain/task.js";
import type { ObjectStorage } from "../storage/types.js";

export const DEFAULT_REPORT_FORMAT = "Report_CSV_20180820";
/** Verbatim from AWS (its rows actually put HTTPStatusCode before ErrorCode, see report-row.ts). */
export const REPORT_SCHEMA = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage";

export interface ReportResultFile {
  readonly TaskExecutionStatus: TaskStatus;
  readonly Bucket: string;
  readonly MD5Checksum: string;
  readonly Key: string;
}

export interface ReportManifest {
  readonly Format: string;
  readonly ReportCreationDate: string;
  readonly Results: readonly ReportResultFile[];
  readonly ReportSchema: string;
}

export interface WrittenReport {
  readonly manifestKey: string;
  readonly manifest: ReportManifest;
  /** The bytes of manifest.json. */
  readonly bytes: number;
}

/** `<prefix>/job-<jobId>` with trailing slashes of the prefix dropped; no prefix, no leading slash. */
/** The task statuses whose results files a report of this scope writes, in the order they are written. */
export function reportedStatuses(scope: ReportScope | undefined): TaskStatus[] {
  return scope === "FailedTasksOnly" ? ["failed"] : ["succeeded", "failed"];
}

export function reportBase(jobId: string, prefix?: string): string {
  const trimmed = (prefix ?? "").replace(/\/+$/, "");
  return trimmed === "" ? `job-${jobId}` : `${trimmed}/job-${jobId}`;
}

/**
 * The key of a results file: 40 hex digits derived from the job id, the status and the file's number (a
 * status gets a further file each time one reaches its part limit), stable across rewrites.
 */
export function resultFileKey(jobId: string, status: TaskStatus, prefix?: string, index = 0): string {
  const name = index === 0 ? `objbatch-report\0${jobId}\0${status}` : `objbatch-report\0${jobId}\0${status}\0${index}`;
  const hash = createHash("sha1").update(name).digest("hex");
  return `${reportBase(jobId, prefix)}/results/${hash}.csv`;
}

export function reportManifestKey(jobId: string, prefix?: string): string {
  return `${reportBase(jobId, prefix)}/manifest.json`;
}

export interface ManifestOptions {
  readonly jobId: string;
  /** Plain bucket name (BucketRef.bucket). */
  readonly reportBucket: string;
  readonly prefix?: string;
  /** Report_CSV_20180820 (AWS), Report_CSV_V1 (COS); OSS sends none and gets the AWS name. */
  readonly format?: string;
  readonly results: readonly ReportResultFile[];
  readonly now: Date;
}

/** Writes manifest.json, listing `results` in the order given. */
export async function writeReportManifest(storage: ObjectStorage, opts: ManifestOptions): Promise<WrittenReport> {
  const manifest: ReportManifest = {
    Format: opts.format ?? DEFAULT_REPORT_FORMAT,
    ReportCreationDate: opts.now.toISOString(),
    Results: opts.results,
    ReportSchema: REPORT_SCHEMA,
  };
  const manifestKey = reportManifestKey(opts.jobId, opts.prefix);
  const body = Buffer.from(JSON.stringify(manifest));
  await storage.put(opts.reportBucket, manifestKey, body, { metadata: { contentType: "application/json" } });
  return { manifestKey, manifest, bytes: body.length };
}
