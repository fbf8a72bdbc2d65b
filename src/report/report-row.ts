/**
 * Rows of the completion report (docs/decisions.md D11, AWS Report_CSV_20180820): Bucket, Key, VersionId, TaskStatus,
 * HTTPStatusCode, ErrorCode, ResultMessage, the order every published example has (the manifest.json's
 * ReportSchema string lists ErrorCode first; it is kept verbatim for compatibility).
 *
 * CSV quoting follows csv-stringify's defaults (a field is quoted when it holds `,`, `"`, `\n` or `\r`; quotes
 * inside are doubled) and is hand-rolled because the writer formats every chunk's results. Rows end in `\n`.
 */
import type { Task, TaskResult } from "../domain/task.js";

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;

/** One CSV field, quoted only when it has to be. */
export function csvField(value: string): string {
  if (!NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(QUOTES, '""')}"`;
}

/** Replaces lone surrogates (which no UTF-8 encoding can carry) with U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * A key as report rows carry it: percent-encoded UTF-8 like encodeURIComponent (a space is `%20`, `+` is
 * `%2B`), but with `/` kept, so the result never needs CSV quoting.
 */
export function encodeReportKey(key: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(key);
  } catch {
    encoded = encodeURIComponent(wellFormed(key));
  }
  return encoded.indexOf("%2F") === -1 ? encoded : encoded.replaceAll("%2F", "/");
}

export interface ReportEntry {
  readonly task: Task;
  readonly result: TaskResult;
}

/** One report row, with its trailing newline. */
export function formatRow(task: Task, result: TaskResult): string {
  return (
    csvField(task.bucket) +
    "," +
    encodeReportKey(task.key) +
    "," +
    csvField(task.versionId ?? "") +
    "," +
    result.status +
    "," +
    String(result.httpStatus) +
    "," +
    csvField(result.errorCode) +
    "," +
    csvField(result.message) +
    "\n"
  );
}

/** The rows of one chunk's results, ready to append to a report part. */
export function formatRows(rows: readonly ReportEntry[]): string {
  const out = new ReportRows();
  for (const { task, result } of rows) out.add(task, result);
  return out.text;
}

/**
 * One chunk's report rows, built row by row as formatRow builds them. A chunk's tasks mostly share their bucket
 * and their result (every plain success is one frozen object, domain/task.ts), so the encoded bucket and the
 * row's tail after the version id are reused from the previous row when they are the same: a row is then five
 * pieces instead of fifteen, for the collector and for the copy that flattens the text when it is posted.
 */
export class ReportRows {
  text = "";
  count = 0;
  private bucket: string | undefined;
  private bucketField = "";
  private result: TaskResult | undefined;
  private tail = "";

  add(task: Task, result: TaskResult): void {
    if (task.bucket !== this.bucket) {
      this.bucket = task.bucket;
      this.bucketField = `${csvField(task.bucket)},`;
    }
    if (result !== this.result) {
      this.result = result;
      this.tail = `,${result.status},${result.httpStatus},${csvField(result.errorCode)},${csvField(result.message)}\n`;
    }
    const version = task.versionId === undefined ? "" : csvField(task.versionId);
    this.text += this.bucketField + encodeReportKey(task.key) + "," + version + this.tail;
    this.count++;
  }
}
