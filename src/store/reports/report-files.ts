/**
 * The store's side of completion reports written as a job runs (report/report-flusher.ts): which results files
 * exist and how far each got, and the report rows of done chunks not yet written to one.
 *
 * Exactly once: a part's rows leave the chunks only in the transaction that records the part, and that
 * transaction is a compare-and-set on the file's part count and `through_seq`. A flusher that crashed after
 * uploading a part but before recording it left the store as it was, so the next one uploads the same rows
 * under the same part number, which replaces the orphan.
 */
import { type Kysely, sql } from "kysely";
import type { TaskStatus } from "../../domain/task.js";
import type { Database, ReportFilesTable } from "../schema.js";

export interface ReportFilePart {
  readonly partNumber: number;
  readonly etag: string;
}

export interface ReportFile {
  readonly status: TaskStatus;
  readonly index: number;
  readonly key: string;
  /** Null for a file written with one PUT. */
  readonly uploadId: string | null;
  readonly parts: readonly ReportFilePart[];
  readonly bytes: number;
  /** The last chunk whose rows are in this file or an earlier one of its status. */
  readonly throughSeq: number;
  readonly md5State: string;
  readonly md5: string | null;
  readonly completed: boolean;
}

/** A pending chunk-rows segment, without its text: the flusher decides how far a part reaches from these. */
export interface RowsExtent {
  readonly seq: number;
  readonly state: string;
  /** Characters of this status's rows (a lower bound of their UTF-8 bytes); 0 when none. */
  readonly chars: number;
}

const column = (status: TaskStatus) => (status === "succeeded" ? "succeeded_rows" : "failed_rows");

function fromRow(row: ReportFilesTable): ReportFile {
  return {
    status: row.status as TaskStatus,
    index: Number(row.file_index),
    key: row.object_key,
    uploadId: row.upload_id,
    parts: JSON.parse(row.parts) as ReportFilePart[],
    bytes: Number(row.bytes),
    throughSeq: Number(row.through_seq),
    md5State: row.md5_state,
    md5: row.md5,
    completed: Number(row.completed) === 1,
  };
}

/** A status's results files in the order they were started. */
export async function reportFiles(db: Kysely<Database>, jobId: string, status: TaskStatus): Promise<ReportFile[]> {
  const rows = await db
    .selectFrom("report_files")
    .selectAll()
    .where("job_id", "=", jobId)
    .where("status", "=", status)
    .orderBy("file_index")
    .execute();
  return rows.map((r) => fromRow(r as ReportFilesTable));
}

/** Starts a results file. False when the file already exists (another flusher started it first). */
export async function startReportFile(db: Kysely<Database>, jobId: string, file: ReportFile): Promise<boolean> {
  const r = await db
    .insertInto("report_files")
    .values({
      job_id: jobId,
      status: file.status,
      file_index: file.index,
      object_key: file.key,
      upload_id: file.uploadId,
      parts: JSON.stringify(file.parts),
      part_count: file.parts.length,
      bytes: file.bytes,
      through_seq: file.throughSeq,
      md5_state: file.md5State,
      md5: file.md5,
      completed: file.completed ? 1 : 0,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/**
 * Records a part written to `file` (as it was read) holding the rows of chunks file.throughSeq+1..throughSeq,
 * and clears those rows from the chunks, in one transaction. False when the file moved on meanwhile.
 */
export async function recordReportPart(
  db: Kysely<Database>,
  jobId: string,
  file: ReportFile,
  next: Pick<ReportFile, "parts" | "bytes" | "throughSeq" | "md5State">,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable("report_files")
      .set({
        parts: JSON.stringify(next.parts),
        part_count: next.parts.length,
        bytes: next.bytes,
        through_seq: next.throughSeq,
        md5_state: next.md5State,
      })
      .where("job_id", "=", jobId)
      .where("status", "=", file.status)
      .where("file_index", "=", file.index)
      .where("part_count", "=", file.parts.length)
      .where("through_seq", "=", file.throughSeq)
      .where("completed", "=", 0)
      .executeTakeFirst();
    if (r.numUpdatedRows !== 1n) return false;
    await trx
      .updateTable("chunks")
      .set({ [column(file.status)]: null })
      .where("job_id", "=", jobId)
      .where("seq", ">", file.throughSeq)
      .where("seq", "<=", next.throughSeq)
      .execute();
    return true;
  });
}

/** Marks a file complete with the MD5 of its whole content. False when it was not open. */
export async function completeReportFile(
  db: Kysely<Database>,
  jobId: string,
  file: ReportFile,
  md5: string,
): Promise<boolean> {
  const r = await db
    .updateTable("report_files")
    .set({ completed: 1, md5 })
    .where("job_id", "=", jobId)
    .where("status", "=", file.status)
    .where("file_index", "=", file.index)
    .where("completed", "=", 0)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** Forgets a file that never got a part (its upload was aborted). */
export async function dropEmptyReportFile(db: Kysely<Database>, jobId: string, file: ReportFile): Promise<void> {
  await db
    .deleteFrom("report_files")
    .where("job_id", "=", jobId)
    .where("status", "=", file.status)
    .where("file_index", "=", file.index)
    .where("part_count", "=", 0)
    .where("completed", "=", 0)
    .execute();
}

/** Up to `limit` chunks after `afterSeq`, in order, with the size of their rows for `status`. */
export async function rowsExtents(
  db: Kysely<Database>,
  jobId: string,
  status: TaskStatus,
  afterSeq: number,
  limit: number,
): Promise<RowsExtent[]> {
  const col = sql.ref(column(status));
  const rows = await db
    .selectFrom("chunks")
    .select(["seq", "state", sql<number>`coalesce(length(${col}), 0)`.as("chars")])
    .where("job_id", "=", jobId)
    .where("seq", ">", afterSeq)
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), state: r.state, chars: Number(r.chars) }));
}

/**
 * The report rows for `status` of the chunks afterSeq+1..throughSeq, in chunk order, a page at a time. A page is
 * a few chunks: a chunk of 1,000 tasks holds about 100 KB of rows, and on SQLite a page is read synchronously,
 * so a page of 10 keeps each read near a millisecond, however large the part being built.
 */
export async function* rowsBetween(
  db: Kysely<Database>,
  jobId: string,
  status: TaskStatus,
  afterSeq: number,
  throughSeq: number,
  pageSize = 10,
): AsyncGenerator<string> {
  const name = column(status);
  let after = afterSeq;
  // The page and the row last yielded are let go of before each read and before the end: a generator that runs
  // through a part lives long enough to be in the old generation, and what it still points at, even once it is
  // done, survives young-generation collections until the next full one (docs/decisions.md D23).
  let page: Record<string, unknown>[] | undefined;
  let text: string | null | undefined;
  for (;;) {
    page = await db
      .selectFrom("chunks")
      .select(["seq", name])
      .where("job_id", "=", jobId)
      .where("seq", ">", after)
      .where("seq", "<=", throughSeq)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    const count = page.length;
    for (let i = 0; i < count; i++) {
      text = page[i][name] as string | null;
      after = Number(page[i].seq);
      if (text) yield text;
    }
    page = undefined;
    text = undefined;
    if (count < pageSize) return;
  }
}
