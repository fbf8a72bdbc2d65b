/**
 * A job's completion report for the JSON API (D11, D29): where it goes, its state, the results files the store
 * records and, once the job has finished, its manifest.json; and a results file's content as a stream, read
 * from whichever storage holds the report bucket.
 *
 * A client never names a key or a bucket: a results file is asked for by task status and number, and its key
 * and bucket come from what the store recorded for the job. The bucket is reached through the same view the
 * engine uses (engine/bucket-access.ts), so an account (and role) that may no longer use the report bucket
 * reads nothing from it. Another account's job answers exactly like a missing one.
 */
import type { Readable } from "node:stream";
import type { AccountRegistry } from "../accounts/types.js";
import { noSuchJob } from "../domain/errors.js";
import type { Job, ReportScope } from "../domain/job.js";
import { isTerminal } from "../domain/status.js";
import type { TaskStatus } from "../domain/task.js";
import { BucketAccess, restrictStorage } from "../engine/bucket-access.js";
import {
  DEFAULT_REPORT_FORMAT,
  type ReportManifest,
  reportedStatuses,
  reportManifestKey,
} from "../report/report-writer.js";
import { MalformedResultRow, type PositionedResultRow, readResultRows } from "../report/result-rows.js";
import { isStorageError, StorageError } from "../storage/errors.js";
import { readBounded } from "../storage/read-bounded.js";
import type { ObjectStorage } from "../storage/types.js";
import type { JobStore } from "../store/job-store.js";

/** A results file as the store records it. */
export interface ReportFileEntry {
  readonly taskStatus: TaskStatus;
  readonly index: number;
  readonly key: string;
  /** Bytes written so far (all of them once completed). */
  readonly bytes: number;
  /** The MD5 of the whole file, once completed. */
  readonly md5?: string;
  readonly completed: boolean;
}

export interface JobReport {
  readonly jobId: string;
  readonly enabled: boolean;
  /** Plain bucket name. */
  readonly bucket?: string;
  readonly prefix?: string;
  readonly format: string;
  readonly scope: ReportScope;
  /** none: the job writes no report; writing: the job has not finished; complete: it has, manifest.json is written. */
  readonly state: "none" | "writing" | "complete";
  /** manifest.json once the job has finished and it could be read. */
  readonly manifest?: { readonly key: string; readonly contents: ReportManifest };
  readonly files: readonly ReportFileEntry[];
}

export interface ReportFileContent {
  readonly key: string;
  readonly bytes: number;
  /** Quoted, as S3 answers it. */
  readonly etag?: string;
  readonly body: Readable;
}

export type ReportProblemKind = "no-such-file" | "access-denied" | "storage-failed" | "storage-unavailable";

/** A place in a status's results files: the file's number and a byte offset in it where a row starts. */
export interface ReportPosition {
  readonly file: number;
  readonly offset: number;
}

/** A row of a results file, with the file it is in and where the row after it starts. */
export interface ReportRowAt extends PositionedResultRow {
  readonly file: number;
}

/** Why a report or a results file cannot be read; the JSON API answers each with its own problem. */
export class ReportError extends Error {
  constructor(
    readonly kind: ReportProblemKind,
    message: string,
  ) {
    super(message);
    this.name = "ReportError";
  }
}

export function isReportError(e: unknown): e is ReportError {
  return e instanceof ReportError;
}

/** manifest.json lists a few files per status; anything much larger is not one objbatch wrote. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface JobReportsOptions {
  readonly store: JobStore;
  readonly accounts: AccountRegistry;
  /** Every bucket's storage (routed per bucket, as the engine has it); without it, reports cannot be read. */
  readonly storage?: ObjectStorage;
  readonly now: () => number;
}

export class JobReports {
  constructor(private readonly options: JobReportsOptions) {}

  async describe(accountId: string, jobId: string): Promise<JobReport> {
    const job = await this.requireJob(accountId, jobId);
    const report = job.report;
    const scope: ReportScope = report.scope ?? "AllTasks";
    const base = {
      jobId,
      enabled: report.enabled && report.bucket !== undefined,
      ...(report.bucket !== undefined ? { bucket: report.bucket.bucket } : {}),
      ...(report.prefix !== undefined ? { prefix: report.prefix } : {}),
      format: report.format ?? DEFAULT_REPORT_FORMAT,
      scope,
    };
    if (!base.enabled || report.bucket === undefined) return { ...base, state: "none", files: [] };
    this.access(job, report.bucket.bucket);
    const files = await this.files(job);
    if (!isTerminal(job.status)) return { ...base, state: "writing", files };
    const key = reportManifestKey(jobId, report.prefix);
    const contents = await this.readManifest(job, report.bucket.bucket, key);
    return { ...base, state: "complete", ...(contents ? { manifest: { key, contents } } : {}), files };
  }

  /** The content of a completed results file, as a stream; the store's record names its key. */
  async open(accountId: string, jobId: string, status: TaskStatus, index: number): Promise<ReportFileContent> {
    const job = await this.requireJob(accountId, jobId);
    const bucket = job.report.enabled ? job.report.bucket?.bucket : undefined;
    const file =
      bucket === undefined
        ? undefined
        : (await this.options.store.reportFiles(jobId, status)).find((f) => f.index === index);
    if (bucket === undefined || file === undefined || !file.completed) {
      throw new ReportError(
        "no-such-file",
        `Job ${jobId} has no completed results file ${index} of ${status} tasks` +
          (file !== undefined ? " yet (it is still being written)." : "."),
      );
    }
    const storage = this.storageFor(job, bucket);
    try {
      const info = await storage.head(bucket, file.key);
      // The ETag pins the read to the object just described: its size is the Content-Length sent.
      const body = await storage.get(bucket, file.key, { ifMatch: info.etag });
      return { key: file.key, bytes: info.size, etag: info.etag, body };
    } catch (e) {
      throw reportStorageError(e, `results file ${file.key} in bucket ${bucket}`);
    }
  }

  /**
   * The rows of the job's completed results files of `status`, in file order, from `from` (a position a row
   * starts at), streamed from the report bucket: each file is HEADed and read pinned to that ETag, from the offset
   * on. Files still being written are not read (they are multipart uploads, not objects, until completed).
   * Throws ReportError no-such-file when the job keeps no report.
   */
  async *rows(
    job: Job,
    status: TaskStatus,
    from: ReportPosition = { file: 0, offset: 0 },
  ): AsyncGenerator<ReportRowAt> {
    const bucket = job.report.enabled ? job.report.bucket?.bucket : undefined;
    if (bucket === undefined) throw new ReportError("no-such-file", `Job ${job.jobId} writes no completion report.`);
    const files = (await this.options.store.reportFiles(job.jobId, status))
      .filter((f) => f.completed && f.index >= from.file)
      .sort((a, b) => a.index - b.index);
    const storage = this.storageFor(job, bucket);
    for (const file of files) {
      const offset = file.index === from.file ? from.offset : 0;
      let body: Readable;
      try {
        const info = await storage.head(bucket, file.key);
        if (offset >= info.size) continue;
        body = await storage.get(bucket, file.key, {
          ifMatch: info.etag,
          ...(offset > 0 ? { range: { start: offset, end: info.size - 1 } } : {}),
        });
      } catch (e) {
        throw reportStorageError(e, `results file ${file.key} in bucket ${bucket}`);
      }
      try {
        for await (const row of readResultRows(body, offset)) yield { ...row, file: file.index };
      } catch (e) {
        if (e instanceof MalformedResultRow) {
          throw new ReportError(
            "storage-failed",
            `The results file ${file.key} is not one objbatch wrote: ${e.message}`,
          );
        }
        throw reportStorageError(e, `results file ${file.key} in bucket ${bucket}`);
      }
    }
  }

  /** The job's results files of `status` as the store records them, in order. */
  async recordedFiles(job: Job, status: TaskStatus): Promise<ReportFileEntry[]> {
    return (await this.files(job)).filter((f) => f.taskStatus === status).sort((a, b) => a.index - b.index);
  }

  private async files(job: Job): Promise<ReportFileEntry[]> {
    const statuses = reportedStatuses(job.report.scope);
    const entries: ReportFileEntry[] = [];
    for (const status of statuses) {
      for (const f of await this.options.store.reportFiles(job.jobId, status)) {
        entries.push({
          taskStatus: f.status,
          index: f.index,
          key: f.key,
          bytes: f.bytes,
          ...(f.completed && f.md5 !== null ? { md5: f.md5 } : {}),
          completed: f.completed,
        });
      }
    }
    return entries;
  }

  /** manifest.json, or undefined when there is none (the job ended before writing it, or writing it failed). */
  private async readManifest(job: Job, bucket: string, key: string): Promise<ReportManifest | undefined> {
    const storage = this.storageFor(job, bucket);
    let text: string;
    try {
      const info = await storage.head(bucket, key);
      if (info.size > MAX_MANIFEST_BYTES) {
        throw new ReportError(
          "storage-failed",
          `The report's ${key} is ${info.size} bytes, more than objbatch writes.`,
        );
      }
      const bytes = await readBounded(await storage.get(bucket, key, { ifMatch: info.etag }), MAX_MANIFEST_BYTES);
      if (bytes === undefined) {
        throw new ReportError("storage-failed", `The report's manifest is larger than ${MAX_MANIFEST_BYTES} bytes.`);
      }
      text = bytes.toString("utf8");
    } catch (e) {
      if (isStorageError(e) && (e.code === "NoSuchKey" || e.code === "NotFound")) return undefined;
      throw reportStorageError(e, `${key} in bucket ${bucket}`);
    }
    try {
      return JSON.parse(text) as ReportManifest;
    } catch {
      throw new ReportError("storage-failed", `The report's ${key} in bucket ${bucket} is not JSON.`);
    }
  }

  /** The storage as the job's account and role may use it: the engine's rules (engine/bucket-access.ts). */
  storageFor(job: Job, bucket: string, what = "report bucket"): ObjectStorage {
    const { storage } = this.options;
    if (storage === undefined) {
      throw new ReportError(
        "storage-unavailable",
        "This server has no access to object storage; reports cannot be read.",
      );
    }
    return restrictStorage(storage, this.access(job, bucket, what));
  }

  /** The job's bucket rules; ReportError access-denied unless they allow the report bucket. */
  private access(job: Job, bucket: string, what = "report bucket"): BucketAccess {
    const access = new BucketAccess(this.options.accounts.byId(job.accountId), job.roleArn);
    if (!access.allows(bucket)) {
      throw new ReportError("access-denied", `The job's account (and role) may not use the ${what} ${bucket}.`);
    }
    return access;
  }

  /** Another account's job answers exactly like a missing one. */
  async requireJob(accountId: string, jobId: string): Promise<Job> {
    const job = await this.options.store.getAccountJob(accountId, jobId, this.options.now());
    if (!job) throw noSuchJob(jobId);
    return job;
  }
}

function reportStorageError(e: unknown, what: string): unknown {
  if (!(e instanceof StorageError)) return e;
  return new ReportError(
    e.retryable ? "storage-unavailable" : "storage-failed",
    `Reading the ${what} failed: ${e.code} (${e.httpStatus}): ${e.message}`,
  );
}
