/**
 * The columns of a CSV manifest (Manifest/Spec/Fields), checked the same way in every dialect: each is one of
 * Ignore, Bucket, Key, VersionId; a CSV manifest names Bucket and Key exactly once, VersionId at most once,
 * and at most 16 columns. How the list is written differs (COS and S3 Control: `<member>` items, OSS: one
 * comma-separated string), so each dialect reads the items itself.
 */
import { invalidArgument } from "../../../domain/errors.js";
import type { ManifestField } from "../../../domain/job.js";
import type { XmlReader } from "../../xml/read.js";

export const MANIFEST_FIELDS = ["Ignore", "Bucket", "Key", "VersionId"] as const satisfies readonly ManifestField[];
export const MAX_MANIFEST_COLUMNS = 16;

export function isManifestField(value: string): value is ManifestField {
  return (MANIFEST_FIELDS as readonly string[]).includes(value);
}

/** One `<member>` of a Fields list. */
export function readManifestFieldItem(f: XmlReader): ManifestField {
  const v = f.value();
  if (!isManifestField(v)) {
    throw invalidArgument(`${f.path} must be one of ${MANIFEST_FIELDS.join(", ")}, not "${v.slice(0, 64)}".`);
  }
  return v;
}

/** A CSV manifest must say where the bucket and the key are; a version column is optional. */
export function checkCsvManifestFields(fields: readonly ManifestField[] | undefined, path: string): void {
  if (fields === undefined) throw invalidArgument(`Missing required element ${path} for a CSV manifest.`);
  const count = (f: ManifestField) => fields.filter((x) => x === f).length;
  if (count("Bucket") !== 1 || count("Key") !== 1 || count("VersionId") > 1) {
    throw invalidArgument(`${path} must name Bucket and Key exactly once each, and VersionId at most once.`);
  }
  if (fields.length > MAX_MANIFEST_COLUMNS) {
    throw invalidArgument(`${path} may name at most ${MAX_MANIFEST_COLUMNS} columns.`);
  }
}
