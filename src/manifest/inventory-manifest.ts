/**
 * Reads an inventory report's manifest.json (the S3, COS and OSS inventory documentation): S3InventoryReport_CSV_20161130 (and the
 * generated S3InventoryReport_CSV_20211130, which has the same shape), COSInventoryReport_CSV_V1 and
 * OSS_InventoryReport_CSV_20250611. The three share one idea: `fileSchema` names the CSV columns
 * ("Bucket, Key, VersionId, ..."), `files[]` lists gzip CSV data files with their key, size and MD5.
 *
 * Liberal on purpose, as vendors differ in details: columns are found by name (case, spaces, `_` and a
 * parenthesised suffix such as "Bucket(Appid)" ignored); the MD5 field may be called MD5checksum,
 * md5Checksum or MD5Checksum and be hex (any case) or base64; `fileFormat` may be absent but, when present,
 * must be CSV; a schema without a Bucket column takes the manifest's sourceBucket.
 */
import { ManifestError } from "./errors.js";

export interface InventoryColumns {
  /** -1: no Bucket column, every row is in `sourceBucket`. */
  readonly bucket: number;
  readonly key: number;
  /** -1 when the inventory lists current versions only. */
  readonly versionId: number;
  readonly isLatest: number;
  readonly isDeleteMarker: number;
  /** How many columns fileSchema names. */
  readonly count: number;
}

export interface InventoryDataFile {
  readonly key: string;
  readonly size?: number;
  /** Lower-case hex MD5 of the file's bytes as stored (compressed). */
  readonly md5?: string;
}

export interface InventoryManifest {
  readonly sourceBucket?: string;
  readonly columns: InventoryColumns;
  readonly files: readonly InventoryDataFile[];
}

/** manifest.json is small (one entry per data file); anything bigger than this is not one. */
export const MAX_INVENTORY_MANIFEST_BYTES = 16 * 1024 * 1024;

function invalid(message: string): ManifestError {
  return new ManifestError("InvalidInventoryManifest", `The inventory manifest ${message}`);
}

function columnName(name: string): string {
  return name
    .replace(/\(.*\)/, "")
    .replace(/[\s_-]/g, "")
    .toLowerCase();
}

/** A field of `obj` whose name equals `name` case-insensitively. */
function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Hex (any case) or base64 MD5 as lower-case hex; undefined for anything else. */
export function md5Hex(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const s = value.trim().replace(/^"|"$/g, "");
  if (/^[0-9a-fA-F]{32}$/.test(s)) return s.toLowerCase();
  if (/^[A-Za-z0-9+/]{22}==$/.test(s)) return Buffer.from(s, "base64").toString("hex");
  return undefined;
}

function bucketName(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  // An ARN (arn:aws:s3:::b, acs:oss:...:b, qcs::cos:...:b) ends with the bucket name.
  return value.includes(":") ? value.slice(value.lastIndexOf(":") + 1) : value;
}

export function parseInventoryManifest(text: string): InventoryManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid(`is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("is not a JSON object.");
  const obj = doc as Record<string, unknown>;

  const format = field(obj, "fileFormat");
  if (format !== undefined && String(format).toUpperCase() !== "CSV") {
    throw invalid(`has fileFormat ${String(format)}; only CSV inventories can be used.`);
  }
  const schema = field(obj, "fileSchema");
  if (typeof schema !== "string" || schema.trim() === "") throw invalid("has no fileSchema.");
  const names = schema.split(",").map(columnName);
  const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const columns: InventoryColumns = {
    bucket: find("bucket", "bucketname"),
    key: find("key", "objectkey", "objectname"),
    versionId: find("versionid"),
    isLatest: find("islatest"),
    isDeleteMarker: find("isdeletemarker"),
    count: names.length,
  };
  if (columns.key < 0) throw invalid(`fileSchema (${schema}) has no Key column.`);
  const sourceBucket = bucketName(field(obj, "sourceBucket"));
  if (columns.bucket < 0 && sourceBucket === undefined) {
    throw invalid(`fileSchema (${schema}) has no Bucket column and there is no sourceBucket.`);
  }

  const list = field(obj, "files");
  if (!Array.isArray(list)) throw invalid("has no files list.");
  const files = list.map((entry, i): InventoryDataFile => {
    if (typeof entry !== "object" || entry === null) throw invalid(`files[${i}] is not an object.`);
    const e = entry as Record<string, unknown>;
    const key = field(e, "key");
    if (typeof key !== "string" || key === "") throw invalid(`files[${i}] has no key.`);
    const rawMd5 = field(e, "MD5checksum") ?? field(e, "md5");
    const md5 = md5Hex(rawMd5);
    if (rawMd5 !== undefined && rawMd5 !== "" && md5 === undefined) {
      throw invalid(`files[${i}] has an MD5 checksum that is neither hex nor base64: ${String(rawMd5)}.`);
    }
    const size = Number(field(e, "size"));
    return { key, md5, size: Number.isFinite(size) ? size : undefined };
  });
  return { sourceBucket, columns, files };
}
