/**
 * Writes a job's completion report (reference D11):
 *
 *   <prefix>/job-<jobId>/results/<sha1>.csv   one file for succeeded tasks, one for failed tasks
 *   <prefix>/job-<jobId>/manifest.json        Format, ReportCreationDate, Results[], ReportSchema
 *
 * Result files are streamed from their parts (strings of formatted rows, see report-row.ts) into
 * storage.put, never held whole in memory, and their MD5 is computed on the way. A result file is written
 * only when it has rows; manifest.json is always written and lists exactly the files written. FailedTasksOnly
 * never reads the succeeded parts. Every key depends only on the prefix, the job id and the status, so
 * writing a report again (after a crash) overwrites the same objects.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
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

export interface WriteReportOptions {
  readonly jobId: string;
  /** Plain bucket name (BucketRef.bucket). */
  readonly reportBucket: string;
  readonly prefix?: string;
  /** Report_CSV_20180820 (AWS), Report_CSV_V1 (COS); OSS sends none and gets the AWS name. */
  readonly format?: string;
  readonly scope: ReportScope;
  readonly succeededParts: AsyncIterable<string>;
  readonly failedParts: AsyncIterable<string>;
  readonly now: Date;
}

export interface WrittenReport {
  readonly manifestKey: string;
  readonly manifest: ReportManifest;
}

/** `<prefix>/job-<jobId>` with trailing slashes of the prefix dropped; no prefix, no leading slash. */
export function reportBase(jobId: string, prefix?: string): string {
  const trimmed = (prefix ?? "").replace(/\/+$/, "");
  return trimmed === "" ? `job-${jobId}` : `${trimmed}/job-${jobId}`;
}

/** The key of a result file: 40 hex digits derived from the job id and the status, stable across rewrites. */
export function resultFileKey(jobId: string, status: TaskStatus, prefix?: string): string {
  const hash = createHash("sha1").update(`objbatch-report\0${jobId}\0${status}`).digest("hex");
  return `${reportBase(jobId, prefix)}/results/${hash}.csv`;
}

export function reportManifestKey(jobId: string, prefix?: string): string {
  return `${reportBase(jobId, prefix)}/manifest.json`;
}

/**
 * Streams `parts` into one object; returns its MD5 (hex), or undefined without writing anything when the
 * parts hold no bytes.
 */
async function putParts(
  storage: ObjectStorage,
  bucket: string,
  key: string,
  parts: AsyncIterable<string>,
): Promise<string | undefined> {
  const it = parts[Symbol.asyncIterator]();
  let first: string | undefined;
  for (;;) {
    const step = await it.next();
    if (step.done) return undefined;
    if (step.value.length > 0) {
      first = step.value;
      break;
    }
  }

  const md5 = createHash("md5");
  let complete = false;
  async function* body(): AsyncGenerator<Buffer> {
    try {
      let part: string | undefined = first;
      while (part !== undefined) {
        if (part.length > 0) {
          const bytes = Buffer.from(part, "utf8");
          md5.update(bytes);
          yield bytes;
        }
        const step = await it.next();
        part = step.done ? undefined : step.value;
      }
      complete = true;
    } finally {
      if (!complete) await it.return?.();
    }
  }

  const stream = Readable.from(body(), { objectMode: false });
  try {
    await storage.put(bucket, key, stream, { metadata: { contentType: "text/csv" } });
  } catch (e) {
    stream.destroy();
    throw e;
  }
  if (!complete) {
    stream.destroy();
    throw new Error(`storage.put returned before reading the whole report file ${bucket}/${key}`);
  }
  return md5.digest("hex");
}

export async function writeReport(storage: ObjectStorage, opts: WriteReportOptions): Promise<WrittenReport> {
  const results: ReportResultFile[] = [];
  const files: { status: TaskStatus; parts: AsyncIterable<string> }[] = [];
  if (opts.scope === "AllTasks") files.push({ status: "succeeded", parts: opts.succeededParts });
  files.push({ status: "failed", parts: opts.failedParts });

  for (const { status, parts } of files) {
    const key = resultFileKey(opts.jobId, status, opts.prefix);
    const md5 = await putParts(storage, opts.reportBucket, key, parts);
    if (md5 !== undefined) {
      results.push({ TaskExecutionStatus: status, Bucket: opts.reportBucket, MD5Checksum: md5, Key: key });
    }
  }

  const manifest: ReportManifest = {
    Format: opts.format ?? DEFAULT_REPORT_FORMAT,
    ReportCreationDate: opts.now.toISOString(),
    Results: results,
    ReportSchema: REPORT_SCHEMA,
  };
  const manifestKey = reportManifestKey(opts.jobId, opts.prefix);
  await storage.put(opts.reportBucket, manifestKey, JSON.stringify(manifest), {
    metadata: { contentType: "application/json" },
  });
  return { manifestKey, manifest };
}
