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
  let out = "";
  for (const { task, result } of rows) out += formatRow(task, result);
  return out;
}
