/**
 * The request and response of the AWS S3 Batch Operations -> Lambda contract (the S3 Batch Operations user guide, "Invoke AWS Lambda function"), which
 * objbatch speaks to an HTTP endpoint. One task per invocation, as AWS does in practice.
 *
 * Request, schema 1.0:
 *   {"invocationSchemaVersion":"1.0","invocationId":"…","job":{"id":"<jobId>"},
 *    "tasks":[{"taskId":"…","s3Key":"<URL-encoded key>","s3VersionId":"…"|null,"s3BucketArn":"arn:aws:s3:::bucket"}]}
 * Request, schema 2.0: `job` also carries `userArguments` ({} when the job has none) and each task names its
 * bucket as `s3Bucket` (the bucket name) instead of `s3BucketArn`.
 * Response:
 *   {"invocationSchemaVersion":"…","treatMissingKeysAs":"PermanentFailure","invocationId":"…",
 *    "results":[{"taskId":"…","resultCode":"Succeeded"|"TemporaryFailure"|"PermanentFailure","resultString":"…"}]}
 * A response without a result for the task counts as `treatMissingKeysAs` (default PermanentFailure).
 */
import { createHash } from "node:crypto";
import type { Tag } from "../domain/job.js";
import type { Task } from "../domain/task.js";
import { encodeReportKey } from "../report/report-row.js";

export type ResultCode = "Succeeded" | "TemporaryFailure" | "PermanentFailure";

const RESULT_CODES: ReadonlySet<string> = new Set(["Succeeded", "TemporaryFailure", "PermanentFailure"]);

export interface BatchRequest {
  readonly invocationSchemaVersion: string;
  readonly invocationId: string;
  readonly job: { readonly id: string; readonly userArguments?: Readonly<Record<string, string>> };
  readonly tasks: readonly Readonly<Record<string, string | null>>[];
}

export interface BatchRequestInput {
  readonly schemaVersion: "1.0" | "2.0";
  readonly invocationId: string;
  readonly jobId: string;
  readonly task: Task;
  readonly userArguments?: readonly Tag[];
}

export function buildBatchRequest(input: BatchRequestInput): BatchRequest {
  const { task } = input;
  const s3VersionId = task.versionId ?? null;
  const s3Key = encodeReportKey(task.key);
  const taskId = taskIdOf(input.jobId, task);
  if (input.schemaVersion === "1.0") {
    return {
      invocationSchemaVersion: "1.0",
      invocationId: input.invocationId,
      job: { id: input.jobId },
      tasks: [{ taskId, s3Key, s3VersionId, s3BucketArn: `arn:aws:s3:::${task.bucket}` }],
    };
  }
  return {
    invocationSchemaVersion: "2.0",
    invocationId: input.invocationId,
    job: {
      id: input.jobId,
      userArguments: Object.fromEntries((input.userArguments ?? []).map((t) => [t.key, t.value])),
    },
    tasks: [{ taskId, s3Key, s3VersionId, s3Bucket: task.bucket }],
  };
}

/**
 * A task's id: the same for every attempt at the same object of the same job (a function can use it to
 * make its work idempotent), different for different objects.
 */
export function taskIdOf(jobId: string, task: Task): string {
  return createHash("sha256")
    .update(`${jobId}\u0000${task.bucket}\u0000${task.key}\u0000${task.versionId ?? ""}`)
    .digest("base64url")
    .slice(0, 32);
}

export type TaskOutcome =
  | { readonly kind: "result"; readonly code: ResultCode; readonly resultString: string }
  /** The payload is not the contract's JSON: the task fails with "Invalid JSON returned in Lambda payload". */
  | { readonly kind: "invalid"; readonly why: string };

/** The outcome for `taskId` in a response body. */
export function parseBatchResponse(body: string, taskId: string): TaskOutcome {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch (e) {
    return { kind: "invalid", why: (e as Error).message };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { kind: "invalid", why: "the payload is not a JSON object" };
  }
  const { results, treatMissingKeysAs } = payload as { results?: unknown; treatMissingKeysAs?: unknown };
  if (
    treatMissingKeysAs !== undefined &&
    !(typeof treatMissingKeysAs === "string" && RESULT_CODES.has(treatMissingKeysAs))
  ) {
    return { kind: "invalid", why: `treatMissingKeysAs ${JSON.stringify(treatMissingKeysAs)} is not a result code` };
  }
  if (!Array.isArray(results)) return { kind: "invalid", why: 'the payload has no "results" array' };
  const result = results.find(
    (r): r is Record<string, unknown> =>
      typeof r === "object" && r !== null && (r as { taskId?: unknown }).taskId === taskId,
  );
  if (result === undefined) {
    return {
      kind: "result",
      code: (treatMissingKeysAs as ResultCode | undefined) ?? "PermanentFailure",
      resultString: `The function returned no result for task ${taskId}`,
    };
  }
  const { resultCode, resultString } = result;
  if (typeof resultCode !== "string" || !RESULT_CODES.has(resultCode)) {
    return {
      kind: "invalid",
      why: `resultCode ${JSON.stringify(resultCode)} is not Succeeded, TemporaryFailure or PermanentFailure`,
    };
  }
  return { kind: "result", code: resultCode as ResultCode, resultString: stringOf(resultString) };
}

/** resultString as the report shows it: a string as is, anything else as JSON, nothing as "". */
function stringOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
