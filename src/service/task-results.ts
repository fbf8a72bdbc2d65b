/**
 * A page of a job's task results (D35), read from its report's completed results files of one status, from
 * where the previous page stopped (a file's number and a byte offset a row starts at), optionally only the
 * rows with one error code. A page holds at most `limit` rows and reads at most `maxScanBytes` of rows: a
 * filter that matches little ends a page early, with a position to go on from, so no page reads a whole
 * report. Only completed files are read: while the job runs, the rows of files still being written come later.
 */
import type { Job } from "../domain/job.js";
import type { TaskStatus } from "../domain/task.js";
import type { ResultRow } from "../report/result-rows.js";
import type { JobReports, ReportPosition } from "./job-report.js";

export interface TaskResultsQuery {
  readonly status: TaskStatus;
  readonly errorCode?: string;
  readonly limit: number;
  readonly from?: ReportPosition;
  /** Bytes of rows a page reads at most (default 4 MiB). */
  readonly maxScanBytes?: number;
}

export interface TaskResultsPage {
  readonly tasks: readonly ResultRow[];
  /** Where the next page starts; absent when the completed files have no more rows. */
  readonly next?: ReportPosition;
}

export const DEFAULT_MAX_SCAN_BYTES = 4 * 1024 * 1024;

export async function taskResults(reports: JobReports, job: Job, query: TaskResultsQuery): Promise<TaskResultsPage> {
  const from = query.from ?? { file: 0, offset: 0 };
  const maxScan = query.maxScanBytes ?? DEFAULT_MAX_SCAN_BYTES;
  const tasks: ResultRow[] = [];
  let scanned = 0;
  let at = from;
  let full = false;
  for await (const row of reports.rows(job, query.status, from)) {
    // A row beyond a full page: there is a next page, and it starts where this row does.
    if (full) return { tasks, next: at };
    // Bytes of this row: from where the last one ended (or the page began) in the same file.
    scanned += row.next - (row.file === at.file ? at.offset : 0);
    at = { file: row.file, offset: row.next };
    if (query.errorCode === undefined || row.result.errorCode === query.errorCode) {
      tasks.push({ task: row.task, result: row.result });
    }
    full = tasks.length >= query.limit || scanned >= maxScan;
  }
  return { tasks };
}
