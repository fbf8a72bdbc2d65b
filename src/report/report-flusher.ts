/**
 * Writes a job's results files while it runs, by multipart upload (docs/decisions.md D11).
 *
 * Each done chunk leaves its report rows in the store (complete-chunk.ts). The flusher takes the chunks in
 * order from the first one not yet written and, once the rows of an unbroken run of done chunks reach
 * `partBytes`, uploads them as the next part of the status's open results file and records the part, clearing
 * those rows, in one transaction (store/reports/report-files.ts). A file that reaches `maxPartsPerFile` parts
 * is completed and the next part starts a new file. When the job ends, `finish` writes what is left (as the
 * last part, or with one PUT when nothing was written before), completes the open file and aborts any upload
 * of the job's that no file records.
 *
 * Nothing is lost or written twice:
 * - A part is the minimal run of chunks whose rows reach `partBytes`, so it depends only on the chunks' rows,
 *   which never change once done. A flusher that died between uploading a part and recording it is followed
 *   by one that uploads the same bytes under the same part number, replacing the orphan.
 * - Rows leave the chunks in the transaction that records their part, so a flusher checks that the files are
 *   as it read them after reading the rows and before uploading; recording is a compare-and-set too.
 * - A part is never held in memory whole (D23): its rows are read once to count its bytes and carry the MD5,
 *   and again, streamed, as it goes up with that length. Rows that left in between (another flusher recorded
 *   them) make the body end short, and the backend keeps no part of the wrong length (400 IncompleteBody).
 * - Runs of chunks are measured in characters, never more than their UTF-8 bytes, so every part but the last
 *   holds at least `partBytes` bytes (S3 refuses parts under 5 MiB but the last).
 * - The file's MD5 is carried from part to part as a saved hash state (resumable-md5.ts).
 *
 * Only one flusher may work on a job at a time (the engine makes it hold the job's phase claim).
 */
import { Readable } from "node:stream";
import type { TaskStatus } from "../domain/task.js";
import { isStorageError } from "../storage/errors.js";
import type { ObjectStorage } from "../storage/types.js";
import type { ReportFile, RowsExtent } from "../store/reports/report-files.js";
import { PartEncoder } from "./part-encoder.js";
import { reportBase, resultFileKey } from "./report-writer.js";
import { emptyMd5State, md5Hex, md5StateAfter, md5StateAfterTexts } from "./resumable-md5.js";

export interface ReportFileStore {
  reportFiles(jobId: string, status: TaskStatus): Promise<ReportFile[]>;
  startReportFile(jobId: string, file: ReportFile): Promise<boolean>;
  recordReportPart(
    jobId: string,
    file: ReportFile,
    next: Pick<ReportFile, "parts" | "bytes" | "throughSeq" | "md5State">,
  ): Promise<boolean>;
  completeReportFile(jobId: string, file: ReportFile, md5: string): Promise<boolean>;
  dropEmptyReportFile(jobId: string, file: ReportFile): Promise<void>;
  rowsExtents(jobId: string, status: TaskStatus, afterSeq: number, limit: number): Promise<RowsExtent[]>;
  rowsBetween(jobId: string, status: TaskStatus, afterSeq: number, throughSeq: number): AsyncIterable<string>;
}

export interface ReportTarget {
  readonly jobId: string;
  /** Plain bucket name. */
  readonly bucket: string;
  readonly prefix?: string;
  readonly storage: ObjectStorage;
  /** Runs a storage request again while it fails retryably (the engine's backoff); default: once. */
  readonly retry?: <T>(request: () => Promise<T>) => Promise<T>;
  /** Told the bytes of each part or whole file written (metrics). */
  readonly written?: (bytes: number) => void;
}

export interface FlushLimits {
  /** A part goes up once this many bytes of rows are ready (the last part of a file may be smaller). */
  readonly partBytes: number;
  readonly maxPartsPerFile: number;
}

/** A run of chunks afterSeq+1..throughSeq whose rows make one part. */
interface Run {
  readonly throughSeq: number;
  readonly chars: number;
}

/** A part's rows, measured: read again from the store when it is uploaded. */
interface MeasuredPart {
  readonly status: TaskStatus;
  readonly afterSeq: number;
  readonly throughSeq: number;
  /** UTF-8 bytes. */
  readonly bytes: number;
  /** The MD5 state of its file with the part added. */
  readonly md5State: string;
}

/** Where a scan for the next run stopped, so the next look starts there instead of at the first chunk. */
interface ScanMark {
  readonly fromSeq: number;
  readonly lastSeq: number;
  readonly chars: number;
}

const EXTENT_PAGE = 500;

export class ReportFlusher {
  private readonly marks = new Map<TaskStatus, ScanMark>();
  /** A results file small enough for one PUT (finish); its buffer is kept for the length of one finish. */
  private readonly encoder = new PartEncoder();

  constructor(
    private readonly store: ReportFileStore,
    private readonly target: ReportTarget,
    private readonly limits: FlushLimits,
  ) {}

  /** The storage the report is written to. */
  get storage(): ObjectStorage {
    return this.target.storage;
  }

  private request<T>(call: () => Promise<T>): Promise<T> {
    return this.target.retry ? this.target.retry(call) : call();
  }

  /**
   * While the job runs: uploads every part that is ready for `status`. Stops early when `stop()` turns true.
   * Returns the number of parts written.
   */
  async flushReady(status: TaskStatus, stop: () => boolean = () => false): Promise<number> {
    return this.writeReadyParts(status, stop);
  }

  /**
   * When the job ends: writes the rest of `status`'s rows, completes its open file, aborts uploads of the job
   * that no file records. Returns the status's completed files, in order.
   */
  async finish(status: TaskStatus): Promise<ReportFile[]> {
    try {
      await this.writeRemainingParts(status);
    } finally {
      this.encoder.release();
    }
    const open = (await this.store.reportFiles(this.target.jobId, status)).find((f) => !f.completed);
    if (open) await this.completeFile(open);
    const files = await this.store.reportFiles(this.target.jobId, status);
    await this.abortStrayUploads(status, files);
    return files.filter((f) => f.completed);
  }

  private async writeReadyParts(status: TaskStatus, stop: () => boolean): Promise<number> {
    let written = 0;
    while (!stop()) {
      const files = await this.store.reportFiles(this.target.jobId, status);
      const last = files.at(-1);
      if (last && (await this.completeIfFull(last))) continue;
      const through = last?.throughSeq ?? -1;
      const run = await this.readyRun(status, through);
      if (!run) break;
      const open = last && !last.completed ? last : undefined;
      const part = await this.measure(status, through, run, open);
      if (!(await this.unchanged(status, files))) continue; // another flusher moved on: look again
      const file = open ?? (await this.openFile(status, files.length, through));
      if (!file) continue; // another flusher started that file first: look again
      if (!(await this.writePart(file, part))) break;
      written++;
    }
    return written;
  }

  private async writeRemainingParts(status: TaskStatus): Promise<void> {
    for (;;) {
      const files = await this.store.reportFiles(this.target.jobId, status);
      const last = files.at(-1);
      if (last && (await this.completeIfFull(last))) continue;
      const through = last?.throughSeq ?? -1;
      const run = await this.finalRun(status, through);
      if (!run) break;
      const open = last && !last.completed ? last : undefined;
      if (!open && run.chars < this.limits.partBytes) {
        const body = await this.encoder.encode(this.rows(status, through, run.throughSeq), run.chars);
        if (!(await this.unchanged(status, files))) continue;
        if (body.length > 0) await this.putWholeFile(status, files.length, run.throughSeq, body);
        break;
      }
      const part = await this.measure(status, through, run, open);
      if (!(await this.unchanged(status, files))) continue;
      if (part.bytes === 0) break;
      const file = open ?? (await this.openFile(status, files.length, through));
      if (!file) continue;
      if (!(await this.writePart(file, part))) {
        throw new Error(`results file ${file.key} changed while the job's report was being finished`);
      }
    }
  }

  // ---- runs of chunks ---------------------------------------------------------------------------------------

  /** The next full part's run of done chunks, or undefined while the rows after `through` are short of one. */
  private async readyRun(status: TaskStatus, through: number): Promise<Run | undefined> {
    const mark = this.marks.get(status);
    let lastSeq = through;
    let chars = 0;
    if (mark && mark.fromSeq === through) ({ lastSeq, chars } = mark);
    for (;;) {
      const page = await this.store.rowsExtents(this.target.jobId, status, lastSeq, EXTENT_PAGE);
      for (const extent of page) {
        if (extent.state !== "done") {
          this.marks.set(status, { fromSeq: through, lastSeq, chars });
          return undefined;
        }
        lastSeq = extent.seq;
        chars += extent.chars;
        if (chars >= this.limits.partBytes) {
          this.marks.delete(status);
          return { throughSeq: lastSeq, chars };
        }
      }
      if (page.length < EXTENT_PAGE) {
        this.marks.set(status, { fromSeq: through, lastSeq, chars });
        return undefined;
      }
    }
  }

  /** At the end every chunk is done or skipped: runs reach `partBytes`, and the last one takes the rest. */
  private async finalRun(status: TaskStatus, through: number): Promise<Run | undefined> {
    let lastSeq = through;
    let chars = 0;
    for (;;) {
      const page = await this.store.rowsExtents(this.target.jobId, status, lastSeq, EXTENT_PAGE);
      for (const extent of page) {
        lastSeq = extent.seq;
        chars += extent.chars;
        if (chars >= this.limits.partBytes) return { throughSeq: lastSeq, chars };
      }
      if (page.length < EXTENT_PAGE) break;
    }
    return chars > 0 ? { throughSeq: lastSeq, chars } : undefined;
  }

  /**
   * True when `status`'s files are still as `files` shows them. Rows leave the chunks only in the transaction
   * that moves a file on, so rows read before this returns true are all of their run's rows: a flusher that
   * lost a race (its claim expired while it stalled) never uploads other bytes under a part number that another
   * one recorded.
   */
  private async unchanged(status: TaskStatus, files: readonly ReportFile[]): Promise<boolean> {
    const now = await this.store.reportFiles(this.target.jobId, status);
    const [before, after] = [files.at(-1), now.at(-1)];
    return (
      now.length === files.length &&
      before?.parts.length === after?.parts.length &&
      before?.throughSeq === after?.throughSeq &&
      before?.completed === after?.completed
    );
  }

  /** The report rows of the chunks after `afterSeq` through `throughSeq`, read from the store in order. */
  private rows(status: TaskStatus, afterSeq: number, throughSeq: number): AsyncIterable<string> {
    return this.store.rowsBetween(this.target.jobId, status, afterSeq, throughSeq);
  }

  /**
   * The next part of `status`'s rows after `afterSeq`, measured without holding it: its bytes, and the MD5
   * state of its file after it (`open`'s, or a new file's from the empty state). The part is read again from
   * the store as it goes up (`writePart`); the rows of done chunks never change, and rows that left meanwhile
   * (another flusher recorded them) make the upload end short, which fails it.
   */
  private async measure(
    status: TaskStatus,
    afterSeq: number,
    run: Run,
    open: ReportFile | undefined,
  ): Promise<MeasuredPart> {
    const start = open?.md5State ?? (await emptyMd5State());
    const { state, bytes } = await md5StateAfterTexts(start, this.rows(status, afterSeq, run.throughSeq));
    return { status, afterSeq, throughSeq: run.throughSeq, bytes, md5State: state };
  }

  // ---- files ------------------------------------------------------------------------------------------------

  /** Starts file `index` with a new multipart upload; undefined when another flusher started it first. */
  private async openFile(status: TaskStatus, index: number, through: number): Promise<ReportFile | undefined> {
    const { storage, bucket, jobId, prefix } = this.target;
    const key = resultFileKey(jobId, status, prefix, index);
    const uploadId = await this.request(() =>
      storage.createMultipartUpload(bucket, key, { metadata: { contentType: "text/csv" } }),
    );
    const file: ReportFile = {
      status,
      index,
      key,
      uploadId,
      parts: [],
      bytes: 0,
      throughSeq: through,
      md5State: await emptyMd5State(),
      md5: null,
      completed: false,
    };
    if (await this.store.startReportFile(jobId, file)) return file;
    await storage.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
    return undefined;
  }

  /**
   * Uploads the measured part as the next part of `file`, streamed from the store (each attempt reads it
   * again), and records it; false when the file moved on meanwhile.
   */
  private async writePart(file: ReportFile, part: MeasuredPart): Promise<boolean> {
    const { storage, bucket, jobId } = this.target;
    const { throughSeq } = part;
    const partNumber = file.parts.length + 1;
    const body = () => ({
      length: part.bytes,
      stream: Readable.from(utf8(this.rows(part.status, part.afterSeq, throughSeq))),
    });
    const uploaded = await this.request(() => storage.uploadPart(bucket, file.key, file.uploadId!, partNumber, body()));
    this.target.written?.(part.bytes);
    const next = {
      parts: [...file.parts, { partNumber, etag: uploaded.etag }],
      bytes: file.bytes + part.bytes,
      throughSeq,
      md5State: part.md5State,
    };
    if (!(await this.store.recordReportPart(jobId, file, next))) return false;
    await this.completeIfFull({ ...file, ...next });
    return true;
  }

  /** Completes an open file that has all the parts it may have; true if it did. */
  private async completeIfFull(file: ReportFile): Promise<boolean> {
    if (file.completed || file.parts.length < this.limits.maxPartsPerFile) return false;
    await this.completeFile(file);
    return true;
  }

  /** A file small enough for one PUT when the job ends, and nothing of it was written before. */
  private async putWholeFile(status: TaskStatus, index: number, throughSeq: number, body: Buffer) {
    const { storage, bucket, jobId, prefix } = this.target;
    const key = resultFileKey(jobId, status, prefix, index);
    await this.request(() => storage.put(bucket, key, body, { metadata: { contentType: "text/csv" } }));
    this.target.written?.(body.length);
    const md5State = await md5StateAfter(await emptyMd5State(), body);
    await this.store.startReportFile(jobId, {
      status,
      index,
      key,
      uploadId: null,
      parts: [],
      bytes: body.length,
      throughSeq,
      md5State,
      md5: await md5Hex(md5State),
      completed: true,
    });
  }

  private async completeFile(file: ReportFile): Promise<void> {
    const { storage, bucket, jobId } = this.target;
    if (file.parts.length === 0) {
      // Started, then the job ended before its first part: nothing to keep.
      await storage.abortMultipartUpload(bucket, file.key, file.uploadId!).catch(() => undefined);
      await this.store.dropEmptyReportFile(jobId, file);
      return;
    }
    try {
      await this.request(() => storage.completeMultipartUpload(bucket, file.key, file.uploadId!, file.parts));
    } catch (e) {
      if (!(await this.completedBefore(file, e))) throw e;
    }
    await this.store.completeReportFile(jobId, file, await md5Hex(file.md5State));
  }

  /**
   * A completion refused because the upload is gone may mean a flusher completed it and died before recording
   * that: then the object is there with exactly the recorded bytes (only a completion of the recorded parts
   * makes this key appear). Stores say "gone" differently: AWS 404 NoSuchUpload, s3rver 500, Ceph 500
   * "completion already in progress".
   */
  private async completedBefore(file: ReportFile, e: unknown): Promise<boolean> {
    if (!isStorageError(e)) return false;
    const info = await this.target.storage.head(this.target.bucket, file.key).catch(() => undefined);
    return info !== undefined && info.size === file.bytes;
  }

  /** Best effort: a store that cannot list uploads (s3rver) keeps any orphan until its own cleanup. */
  private async abortStrayUploads(status: TaskStatus, files: readonly ReportFile[]): Promise<void> {
    const { storage, bucket, jobId, prefix } = this.target;
    const known = new Set(files.map((f) => f.uploadId));
    const ours = new Set<string>();
    for (let i = 0; i <= files.length; i++) ours.add(resultFileKey(jobId, status, prefix, i));
    try {
      for await (const upload of storage.listMultipartUploads(bucket, `${reportBase(jobId, prefix)}/results/`)) {
        if (ours.has(upload.key) && !known.has(upload.uploadId)) {
          await storage.abortMultipartUpload(bucket, upload.key, upload.uploadId).catch(() => undefined);
        }
      }
    } catch (e) {
      if (!isStorageError(e)) throw e;
    }
  }
}

/** Each row as UTF-8 bytes, in order. */
async function* utf8(rows: AsyncIterable<string>): AsyncGenerator<Buffer> {
  for await (const text of rows) yield Buffer.from(text, "utf8");
}
