/**
 * Failures by cause (D27): a job's failed tasks grouped by what S3 (or COS, or OSS) would have answered, the
 * HTTP status and the error code of each failed task's result, with how many tasks failed that way and a few of
 * their objects as examples. A chunk tallies its own failures (`tallyFailures`); the store adds the chunk's tally
 * to the job's in the transaction that records the chunk, so the counts are exact (store/chunks/complete-chunk.ts);
 * the finaliser names the top causes in the job's FailureReasons (`failureCauseReasons`).
 */
import type { JobFailure } from "./job.js";
import type { Task, TaskResult } from "./task.js";

/** At most this many sample objects are kept per cause, per job. */
export const MAX_SAMPLE_KEYS = 5;
/** At most this many causes are named in FailureReasons. */
export const MAX_CAUSE_REASONS = 3;
/** The FailureCode of the entries that name the causes of failed tasks. */
export const TASK_FAILURES_CODE = "TasksFailed";
/** An error code longer than this is cut (S3's codes are short; this bounds the key of the store's table). */
export const MAX_ERROR_CODE_LENGTH = 128;

/** One example of an object whose task failed this way. */
export interface SampleKey {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

export interface FailureCause {
  readonly httpStatus: number;
  /** The S3 error code of the failed tasks ("" when the answer had none). */
  readonly errorCode: string;
  readonly count: number;
  /** At most MAX_SAMPLE_KEYS objects that failed this way. */
  readonly sampleKeys: readonly SampleKey[];
}

const sampleOf = (task: Task): SampleKey =>
  task.versionId === undefined
    ? { bucket: task.bucket, key: task.key }
    : { bucket: task.bucket, key: task.key, versionId: task.versionId };

/** The causes of a chunk's failed tasks: one per (httpStatus, errorCode), in the order first met. */
export function tallyFailures(entries: Iterable<{ task: Task; result: TaskResult }>): FailureCause[] {
  const causes = new Map<string, { httpStatus: number; errorCode: string; count: number; sampleKeys: SampleKey[] }>();
  for (const { task, result } of entries) {
    if (result.status !== "failed") continue;
    const errorCode = result.errorCode.slice(0, MAX_ERROR_CODE_LENGTH);
    const id = `${result.httpStatus} ${errorCode}`;
    let cause = causes.get(id);
    if (cause === undefined) {
      cause = { httpStatus: result.httpStatus, errorCode, count: 0, sampleKeys: [] };
      causes.set(id, cause);
    }
    cause.count++;
    if (cause.sampleKeys.length < MAX_SAMPLE_KEYS) cause.sampleKeys.push(sampleOf(task));
  }
  return [...causes.values()];
}

/** `kept` with as many of `more` (not already there) as fit under MAX_SAMPLE_KEYS. */
export function mergeSamples(kept: readonly SampleKey[], more: readonly SampleKey[]): SampleKey[] {
  const out = kept.slice(0, MAX_SAMPLE_KEYS);
  const same = (a: SampleKey, b: SampleKey) => a.bucket === b.bucket && a.key === b.key && a.versionId === b.versionId;
  for (const sample of more) {
    if (out.length >= MAX_SAMPLE_KEYS) break;
    if (!out.some((s) => same(s, sample))) out.push(sample);
  }
  return out;
}

/** Most tasks first; ties by status, then code, so the order is stable. */
export function byCount(a: FailureCause, b: FailureCause): number {
  return (
    b.count - a.count ||
    a.httpStatus - b.httpStatus ||
    (a.errorCode < b.errorCode ? -1 : a.errorCode > b.errorCode ? 1 : 0)
  );
}

/**
 * The FailureReasons entries that say why a job's tasks failed: one per cause, the top MAX_CAUSE_REASONS by
 * count (`causes` sorted by `byCount`), e.g. `2 tasks failed: 404 NoSuchBucket (e.g. bucket/key)`. Within the
 * S3 Control limits on FailureCode (64) and FailureReason (256 characters).
 */
export function failureCauseReasons(causes: readonly FailureCause[]): JobFailure[] {
  return causes.slice(0, MAX_CAUSE_REASONS).map((cause) => {
    const what =
      `${cause.count} ${cause.count === 1 ? "task" : "tasks"} failed: ${cause.httpStatus}` +
      (cause.errorCode === "" ? "" : ` ${cause.errorCode}`);
    const sample = cause.sampleKeys[0];
    const example = sample === undefined ? "" : ` (e.g. ${sample.bucket}/${sample.key})`;
    const reason = `${what}${example}`;
    return { code: TASK_FAILURES_CODE, reason: reason.length > 256 ? `${reason.slice(0, 253)}...` : reason };
  });
}
