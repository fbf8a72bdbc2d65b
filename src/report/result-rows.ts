/**
 * Reads a results file of a completion report (report-row.ts writes them) back into rows, as a stream: each row
 * with the byte offset just after its record, so a reader can stop anywhere and start again there (the task
 * pages of D35 carry that offset in their cursor; a rerun reads every failed row once).
 *
 * Record boundaries come from the manifests' RecordScanner (a ResultMessage may hold a quoted newline); a record
 * without quotes is split on commas, one with quotes goes through csv-parse, as the manifest reader does. Keys
 * are decoded from the report's encoding (encodeReportKey: percent-encoded UTF-8, `/` kept). Only the bytes of a
 * record not yet complete are held between buffers, so memory does not grow with the file. A row that is not
 * one objbatch writes (wrong number of fields, a key that does not decode) throws MalformedResultRow.
 */
import type { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import type { Task, TaskResult } from "../domain/task.js";
import { RecordScanner } from "../manifest/record-scanner.js";

const CR = 0x0d;
const FIELDS = 7;

export interface ResultRow {
  readonly task: Task;
  readonly result: TaskResult;
}

export interface PositionedResultRow extends ResultRow {
  /** The offset in the file just after this row's record: where the next row starts. */
  readonly next: number;
}

export class MalformedResultRow extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResultRow";
  }
}

/**
 * The rows of `stream`, which holds a results file from byte `from` (a ranged read, or the whole file with 0).
 * Stops when the consumer stops asking (the stream is then destroyed).
 */
export async function* readResultRows(stream: Readable, from = 0): AsyncGenerator<PositionedResultRow> {
  const records: { start: number; end: number; next: number; quoted: boolean }[] = [];
  const scanner = new RecordScanner(
    (start, end, next, hasQuote) => {
      records.push({ start, end, next, quoted: hasQuote });
    },
    { skipBom: false },
  );
  /** Bytes from relative offset `heldBase` to what has been read. */
  let held: Buffer = Buffer.alloc(0);
  let heldBase = 0;

  function* drain(): Generator<PositionedResultRow> {
    let keepFrom = heldBase;
    for (const r of records) {
      let end = r.end;
      if (end > r.start && held[end - 1 - heldBase] === CR) end--;
      const text = held.toString("utf8", r.start - heldBase, end - heldBase);
      yield { ...rowOf(text, r.quoted, from + r.start), next: from + r.next };
      keepFrom = r.next;
    }
    records.length = 0;
    held = held.subarray(keepFrom - heldBase);
    heldBase = keepFrom;
  }

  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      held = held.length === 0 ? buf : Buffer.concat([held, buf]);
      scanner.push(buf);
      yield* drain();
    }
    scanner.end();
    yield* drain();
  } finally {
    stream.destroy();
  }
}

/** One record's row; `at` (its offset) names it in an error. */
function rowOf(text: string, quoted: boolean, at: number): ResultRow {
  let cells: string[];
  if (!quoted) cells = text.split(",");
  else {
    try {
      const parsed = parse(text, { relax_column_count: true, record_delimiter: "\n" }) as string[][];
      if (parsed.length !== 1) throw new Error(`${parsed.length} records`);
      cells = parsed[0];
    } catch (e) {
      throw new MalformedResultRow(`The results row at byte ${at} is not CSV: ${(e as Error).message}`);
    }
  }
  if (cells.length !== FIELDS) {
    throw new MalformedResultRow(`The results row at byte ${at} has ${cells.length} fields, not ${FIELDS}.`);
  }
  const [bucket, encodedKey, versionId, status, httpStatus, errorCode, message] = cells as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  let key: string;
  try {
    key = decodeURIComponent(encodedKey);
  } catch {
    throw new MalformedResultRow(`The results row at byte ${at} has a key that does not decode.`);
  }
  if (status !== "succeeded" && status !== "failed") {
    throw new MalformedResultRow(`The results row at byte ${at} has the task status ${JSON.stringify(status)}.`);
  }
  return {
    task: versionId === "" ? { bucket, key } : { bucket, key, versionId },
    result: { status, httpStatus: Number(httpStatus), errorCode, message },
  };
}
