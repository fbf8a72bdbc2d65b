/**
 * How each CSV manifest format writes its records. S3's, COS's and OSS's batch manifests have no header and
 * URL-encode keys (form style), and a VersionId column, when the Fields name one, must be filled. Google's
 * storage batch operations manifest (GCS_BatchOperations_CSV, D45) starts with a header row, writes object names
 * as they are (CSV quoting only), and its generation column is optional: a row may leave it empty or out, and
 * then names the live object. A generation becomes the task's versionId: a store without versions refuses it
 * per task (the local backend answers 404 NoSuchVersion) rather than act on the live object instead.
 */
import type { ManifestField } from "../domain/job.js";

export interface CsvLayout {
  /** The manifest's first record is a header row, not a task. */
  readonly headerRow: boolean;
  /** Keys are URL-encoded (form style) and decoded; otherwise taken as they are. */
  readonly encodedKeys: boolean;
  /** An empty or missing last VersionId column names the current object instead of failing the row. */
  readonly optionalVersionId: boolean;
}

const BATCH_CSV: CsvLayout = { headerRow: false, encodedKeys: true, optionalVersionId: false };
const GOOGLE_CSV: CsvLayout = { headerRow: true, encodedKeys: false, optionalVersionId: true };

export const GCS_MANIFEST_FORMAT = "GCS_BatchOperations_CSV";

/** Google's manifest columns as objbatch's Fields: project (ignored), bucket, object name, generation. */
export const GCS_MANIFEST_FIELDS: readonly ManifestField[] = ["Ignore", "Bucket", "Key", "VersionId"];

export function csvLayoutOf(format: string): CsvLayout {
  return format === GCS_MANIFEST_FORMAT ? GOOGLE_CSV : BATCH_CSV;
}
