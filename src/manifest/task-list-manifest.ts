/**
 * A list of tasks written as a CSV manifest the engine reads (S3BatchOperations_CSV_20180820, D35): one record per
 * task, `Bucket,Key` or `Bucket,Key,VersionId`, the key percent-encoded as the results files have it
 * (report-row.ts: UTF-8, `/` kept, a space as `%20`, `+` as `%2B`), which decodeManifestKey reads back to the
 * same key. A results file itself is not a manifest (it has seven fields, a manifest two or three): a rerun
 * writes this instead.
 */
import type { ManifestField } from "../domain/job.js";
import type { Task } from "../domain/task.js";
import { csvField, encodeReportKey } from "../report/report-row.js";

export const TASK_LIST_FORMAT = "S3BatchOperations_CSV_20180820" as const;

export function taskListFields(withVersionId: boolean): ManifestField[] {
  return withVersionId ? ["Bucket", "Key", "VersionId"] : ["Bucket", "Key"];
}

/** One manifest record with its newline. */
export function taskListRecord(task: Task, withVersionId: boolean): string {
  const head = `${csvField(task.bucket)},${encodeReportKey(task.key)}`;
  return withVersionId ? `${head},${csvField(task.versionId ?? "")}\n` : `${head}\n`;
}
