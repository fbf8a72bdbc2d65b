/**
 * Streams the tasks of an inventory report: each data file listed in its manifest.json, in order, through
 * gunzip (zlib) and csv-parse, one record at a time, never a whole file in memory. The MD5 of each data
 * file's stored bytes is computed on the way and checked against the manifest's, when it gives one.
 *
 * A record becomes a task: Bucket (or the manifest's sourceBucket), Key (URL-decoded, as every vendor's CSV
 * inventory encodes keys) and VersionId when the inventory has that column. An empty VersionId cell means
 * the current version, unless the row says IsLatest false: then it is the null version of an object
 * uploaded before versioning, named "null". Delete markers (IsDeleteMarker true) are not objects an
 * operation can act on and are skipped, as they are not tasks. A record whose key is not valid URL
 * encoding, or that lacks columns, becomes a task that fails in the report (InvalidManifestRecord), like a
 * bad row of a CSV manifest. Data that is not gzip or not CSV fails the job (InvalidInventoryManifest).
 */
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";
import type { ObjectStorage } from "../storage/types.js";
import { decodeManifestKey, INVALID_MANIFEST_RECORD } from "./csv-manifest.js";
import { ManifestError } from "./errors.js";
import { type InlineTask, inlineTask, invalidInlineTask } from "./inline-tasks.js";
import type { InventoryColumns, InventoryDataFile, InventoryManifest } from "./inventory-manifest.js";

const MAX_RECORD_BYTES = 1024 * 1024;

export type TaskSink = (task: InlineTask) => void | Promise<void>;

/** Reads every data file of `manifest` (stored in `bucket`) and hands each task to `onTask`, in order. */
export async function readInventoryTasks(
  storage: ObjectStorage,
  bucket: string,
  manifest: InventoryManifest,
  onTask: TaskSink,
): Promise<void> {
  for (const file of manifest.files) await readDataFile(storage, bucket, file, manifest, onTask);
}

function isTrue(cell: string | undefined): boolean {
  return cell !== undefined && cell.trim().toLowerCase() === "true";
}

function recordToTask(cells: readonly string[], columns: InventoryColumns, sourceBucket: string | undefined) {
  const bucket = columns.bucket >= 0 ? (cells[columns.bucket] ?? "") : (sourceBucket ?? "");
  const rawKey = cells[columns.key];
  if (rawKey === undefined || rawKey === "" || bucket === "") {
    return invalidInlineTask(
      bucket,
      rawKey ?? "",
      INVALID_MANIFEST_RECORD,
      `Inventory record has ${cells.length} fields, expected ${columns.count} with a Bucket and a Key`,
    );
  }
  const key = decodeManifestKey(rawKey);
  if (key === undefined) {
    return invalidInlineTask(
      bucket,
      rawKey,
      INVALID_MANIFEST_RECORD,
      `Inventory record: the Key field ${JSON.stringify(rawKey)} is not valid URL encoding of UTF-8`,
    );
  }
  if (columns.versionId < 0) return inlineTask(bucket, key);
  const versionId = cells[columns.versionId] ?? "";
  if (versionId !== "") return inlineTask(bucket, key, versionId);
  const notLatest = columns.isLatest >= 0 && cells[columns.isLatest]?.trim().toLowerCase() === "false";
  return notLatest ? inlineTask(bucket, key, "null") : inlineTask(bucket, key);
}

async function readDataFile(
  storage: ObjectStorage,
  bucket: string,
  file: InventoryDataFile,
  manifest: InventoryManifest,
  onTask: TaskSink,
): Promise<void> {
  const { columns, sourceBucket } = manifest;
  const md5 = createHash("md5");
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      callback(null, chunk);
    },
  });
  const source = await storage.get(bucket, file.key);
  const gzipped = /\.gz$/i.test(file.key);
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES });
  let records = 0;
  const consume = async (rows: AsyncIterable<string[]>) => {
    for await (const cells of rows) {
      records++;
      if (columns.isDeleteMarker >= 0 && isTrue(cells[columns.isDeleteMarker])) continue;
      await onTask(recordToTask(cells, columns, sourceBucket));
    }
  };
  try {
    if (gzipped) await pipeline(source, tap, createGunzip(), parser, consume);
    else await pipeline(source, tap, parser, consume);
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    if (code.startsWith("Z_") || code.startsWith("CSV_")) {
      throw new ManifestError(
        "InvalidInventoryManifest",
        `The inventory data file ${file.key} cannot be read${code.startsWith("Z_") ? " as gzip" : ` as CSV after record ${records}`}: ${(e as Error).message}`,
      );
    }
    throw e;
  }
  const actual = md5.digest("hex");
  if (file.md5 !== undefined && file.md5 !== actual) {
    throw new ManifestError(
      "InventoryChecksumMismatch",
      `The inventory data file ${file.key} has MD5 ${actual}, but its manifest.json says ${file.md5}.`,
    );
  }
}
