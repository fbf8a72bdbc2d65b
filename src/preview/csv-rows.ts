/**
 * Streams a CSV manifest (S3BatchOperations_CSV_20180820, COSBatchOperations_CSV_V1, OSS_BatchOperations_CSV_20250611)
 * into TaskRows exactly as the engine decodes them, with the line each record starts on, for a preview.
 *
 * The engine cuts a manifest into byte ranges with RecordScanner (manifest/record-scanner.ts) and a runner turns
 * each range into rows with parseChunk (manifest/csv-manifest.ts). This does the same on the fly: the stream goes
 * through a RecordScanner, and after each buffer the complete records seen so far, as one contiguous byte range
 * that starts where the previous one ended, go through parseChunk with the number of records before them, so a
 * row's task, and its failure when it cannot become one, are the ones the runner would produce. Only the bytes of
 * a record not yet complete are held from one buffer to the next (at most the scanner's record cap, 1 MiB):
 * memory does not grow with the manifest.
 */
import type { Readable } from "node:stream";
import type { ManifestField } from "../domain/job.js";
import type { TaskRow } from "../domain/task.js";
import { csvLayoutOf } from "../manifest/csv-layout.js";
import { parseChunk } from "../manifest/csv-manifest.js";
import { withoutHeaderRow } from "../manifest/header-row.js";
import { RecordScanner } from "../manifest/record-scanner.js";

const LF = 0x0a;

/** Called for each row in order with the 1-based line its record starts on. */
export type RowSink = (row: TaskRow, line: number) => void;

export interface CsvRowsOutcome {
  /** Non-blank records read: the manifest's task count when `complete`. */
  readonly records: number;
  /** False when `shouldStop` stopped the reading before the end of the manifest. */
  readonly complete: boolean;
}

/**
 * Reads `stream` to its end, or until `shouldStop`, asked after each buffer's records have been handed on, says
 * true (the stream is then destroyed). Throws the scanner's ManifestError for a record over the cap
 * and whatever the stream throws.
 */
export async function readCsvRows(
  stream: Readable,
  fields: readonly ManifestField[],
  onRow: RowSink,
  shouldStop: () => boolean,
  format?: string,
): Promise<CsvRowsOutcome> {
  // A header row (Google's manifest) is no task: it is cut off, and the lines and records after it count from 2.
  const header = format !== undefined && csvLayoutOf(format).headerRow;
  const source: AsyncIterable<Buffer | Uint8Array | string> = header ? withoutHeaderRow(stream, () => {}) : stream;
  const recordShift = header ? 1 : 0;
  const starts: number[] = [];
  let lastNext = 0;
  const scanner = new RecordScanner(
    (start, _end, next) => {
      starts.push(start);
      lastNext = next;
    },
    { skipBom: true },
  );
  /** Bytes from absolute offset `heldBase` to what has been read. */
  let held: Buffer = Buffer.alloc(0);
  let heldBase = 0;
  let records = 0;
  /** Line feeds before absolute offset `lineCursor`. */
  let linesBefore = recordShift;
  let lineCursor = 0;
  let stopped = false;

  /** Parses the complete records in held bytes [heldBase, upTo) and hands them on. */
  const emit = (upTo: number): void => {
    if (starts.length === 0) return;
    const bytes = held.subarray(0, upTo - heldBase);
    const rows = parseChunk(bytes, fields, records + recordShift, format);
    for (let i = 0; i < rows.length; i++) {
      const start = starts[i] ?? lineCursor;
      let at = lineCursor - heldBase;
      const to = start - heldBase;
      for (;;) {
        const nl = bytes.indexOf(LF, at);
        if (nl === -1 || nl >= to) break;
        linesBefore++;
        at = nl + 1;
      }
      lineCursor = start;
      onRow(rows[i] as TaskRow, linesBefore + 1);
    }
    records += rows.length;
    // The rest of the batch: its line feeds come before the next record.
    let at = lineCursor - heldBase;
    for (;;) {
      const nl = bytes.indexOf(LF, at);
      if (nl === -1) break;
      linesBefore++;
      at = nl + 1;
    }
    lineCursor = upTo;
    held = held.subarray(upTo - heldBase);
    heldBase = upTo;
    starts.length = 0;
  };

  try {
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      held = held.length === 0 ? buf : Buffer.concat([held, buf]);
      scanner.push(buf);
      emit(lastNext);
      if (shouldStop()) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      scanner.end();
      emit(heldBase + held.length);
    }
  } finally {
    if (stopped) stream.destroy();
  }
  return { records, complete: !stopped };
}
