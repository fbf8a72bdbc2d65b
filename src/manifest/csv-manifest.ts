/**
 * Turns one chunk of a CSV manifest (S3BatchOperations_CSV_20180820, COSBatchOperations_CSV_V1,
 * OSS_BatchOperations_CSV_20250611, and Google's GCS_BatchOperations_CSV with its layout, csv-layout.ts) into
 * task rows. A header row never reaches this: the preparer cuts chunks after it.
 *
 * Record boundaries and blank records come from RecordScanner, the same code the chunk planner ran, so a
 * chunk always yields exactly `ChunkPlan.records` rows. A row that cannot become a task (bad quoting, wrong
 * column count, empty bucket or key, bad URL encoding, bytes that are not UTF-8) becomes a TaskRow whose
 * `invalid` result fails it in the report; nothing here throws on bad data.
 *
 * Fields of a record without any `"` are split on commas (exactly what csv-parse does with such a record);
 * records with quotes go through csv-parse (strict quoting), all of a chunk's in one call, falling back to
 * one call per record when that call fails, so one malformed record fails alone.
 */
import { isUtf8 } from "node:buffer";
import { parse } from "csv-parse/sync";
import type { ManifestField } from "../domain/job.js";
import { failed, type Task, type TaskResult, type TaskRow } from "../domain/task.js";
import { type CsvLayout, csvLayoutOf } from "./csv-layout.js";
import { RecordScanner } from "./record-scanner.js";

/** The error code of a manifest row that cannot become a task (400, like AWS's missing-VersionId failure). */
export const INVALID_MANIFEST_RECORD = "InvalidManifestRecord";

const CR = 0x0d;

const CSV_OPTIONS = { relax_column_count: true, record_delimiter: "\n" } as const;

interface FieldLayout {
  readonly count: number;
  readonly bucket: number;
  readonly key: number;
  /** -1 when the manifest has no VersionId column. */
  readonly versionId: number;
  /** Set when the Fields list itself is unusable: every row fails with it. */
  readonly problem?: string;
  readonly encodedKeys: boolean;
  /** A row may leave out its last column when that is the VersionId (Google's optional generation). */
  readonly optionalVersionId: boolean;
}

function layoutOf(fields: readonly ManifestField[], csv: CsvLayout): FieldLayout {
  const bucket = fields.indexOf("Bucket");
  const key = fields.indexOf("Key");
  const versionId = fields.indexOf("VersionId");
  let problem: string | undefined;
  if (bucket < 0 || key < 0) problem = `manifest Fields (${fields.join(", ")}) must name a Bucket and a Key column`;
  else if (fields.lastIndexOf("Bucket") !== bucket || fields.lastIndexOf("Key") !== key) {
    problem = `manifest Fields (${fields.join(", ")}) name a column twice`;
  } else if (versionId >= 0 && fields.lastIndexOf("VersionId") !== versionId) {
    problem = `manifest Fields (${fields.join(", ")}) name a column twice`;
  }
  return {
    count: fields.length,
    bucket,
    key,
    versionId,
    problem,
    encodedKeys: csv.encodedKeys,
    optionalVersionId: csv.optionalVersionId && versionId >= 0,
  };
}

/**
 * Decodes a key as S3 inventories and batch manifests encode it (form style): `+` is a space, `%XX` are
 * UTF-8 bytes. Returns undefined when the percent-encoding is malformed or the bytes are not UTF-8.
 */
export function decodeManifestKey(raw: string): string | undefined {
  const spaced = raw.indexOf("+") === -1 ? raw : raw.replaceAll("+", " ");
  if (spaced.indexOf("%") === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

function invalidRow(bucket: string, key: string, result: TaskResult): TaskRow {
  return { task: { bucket, key }, invalid: result };
}

function badRecord(recordNo: number, what: string): TaskResult {
  return failed(400, INVALID_MANIFEST_RECORD, `Manifest record ${recordNo}: ${what}`);
}

function rowFromCells(cells: readonly string[], layout: FieldLayout, recordNo: number): TaskRow {
  const bucket = cells[layout.bucket] ?? "";
  const rawKey = cells[layout.key] ?? "";
  if (layout.problem !== undefined) return invalidRow(bucket, rawKey, badRecord(recordNo, layout.problem));
  const versionLeftOut =
    layout.optionalVersionId && layout.versionId === layout.count - 1 && cells.length === layout.count - 1;
  if (cells.length !== layout.count && !versionLeftOut) {
    return invalidRow(
      bucket,
      rawKey,
      badRecord(recordNo, `has ${cells.length} field${cells.length === 1 ? "" : "s"}, expected ${layout.count}`),
    );
  }
  if (bucket === "") return invalidRow(bucket, rawKey, badRecord(recordNo, "the Bucket field is empty"));
  if (rawKey === "") return invalidRow(bucket, rawKey, badRecord(recordNo, "the Key field is empty"));
  const key = layout.encodedKeys ? decodeManifestKey(rawKey) : rawKey;
  if (key === undefined) {
    return invalidRow(
      bucket,
      rawKey,
      badRecord(recordNo, `the Key field ${JSON.stringify(rawKey)} is not valid URL encoding of UTF-8`),
    );
  }
  if (layout.versionId < 0) return { task: { bucket, key } };
  const versionId = cells[layout.versionId] ?? "";
  if (versionId === "" && layout.optionalVersionId) return { task: { bucket, key } };
  const task: Task = { bucket, key, versionId };
  if (versionId === "") return { task, invalid: failed(400, "InvalidRequest", "Task failed due to missing VersionId") };
  return { task };
}

/** Parses one record that contains quotes; returns its cells or what is wrong with it. */
function parseQuotedRecord(text: string): string[] | string {
  try {
    const records = parse(text, CSV_OPTIONS) as string[][];
    if (records.length !== 1) return `is not one CSV record (${records.length} found)`;
    return records[0];
  } catch (e) {
    return `is not valid CSV: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Parses the bytes of one chunk (exactly ChunkPlan's byte range) into one TaskRow per non-blank record.
 * `firstRecord` is ChunkPlan.firstRecord: it numbers the records in error messages (1-based there, blank
 * lines not counted), and 0 means the chunk starts the manifest, where a UTF-8 BOM is skipped. `format` is the
 * manifest's (csv-layout.ts); S3's layout when it is not given.
 */
export function parseChunk(
  bytes: Buffer,
  fields: readonly ManifestField[],
  firstRecord: number,
  format?: string,
): TaskRow[] {
  const layout = layoutOf(fields, csvLayoutOf(format ?? ""));
  const bounds: number[] = [];
  const scanner = new RecordScanner(
    (start, end, _next, hasQuote) => {
      bounds.push(start, end, hasQuote ? 1 : 0);
    },
    { maxRecordBytes: Number.POSITIVE_INFINITY, skipBom: firstRecord === 0 },
  );
  scanner.push(bytes);
  scanner.end();

  const count = bounds.length / 3;
  const rows = new Array<TaskRow>(count);
  const allUtf8 = isUtf8(bytes);
  const quotedIndex: number[] = [];
  const quotedText: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = bounds[3 * i];
    let end = bounds[3 * i + 1];
    if (end > start && bytes[end - 1] === CR) end--;
    const recordNo = firstRecord + i + 1;
    if (!allUtf8 && !isUtf8(bytes.subarray(start, end))) {
      rows[i] = invalidRow("", "", badRecord(recordNo, "is not valid UTF-8"));
      continue;
    }
    const text = bytes.toString("utf8", start, end);
    if (bounds[3 * i + 2] === 0) rows[i] = rowFromCells(text.split(","), layout, recordNo);
    else {
      quotedIndex.push(i);
      quotedText.push(text);
    }
  }

  if (quotedIndex.length > 0) {
    let all: string[][] | undefined;
    try {
      all = parse(quotedText.join("\n"), CSV_OPTIONS) as string[][];
      if (all.length !== quotedText.length) all = undefined;
    } catch {
      all = undefined;
    }
    for (let j = 0; j < quotedIndex.length; j++) {
      const i = quotedIndex[j];
      const recordNo = firstRecord + i + 1;
      const cells = all ? all[j] : parseQuotedRecord(quotedText[j]);
      rows[i] =
        typeof cells === "string"
          ? invalidRow("", "", badRecord(recordNo, cells))
          : rowFromCells(cells, layout, recordNo);
    }
  }
  return rows;
}
