/**
 * D7, the task-failure threshold: once `failureThresholdTasks` tasks were attempted, a failed share above
 * `failureRatio` fails the job. The FailureReasons entry states the counts, and it must agree with the
 * ProgressSummary the job finally shows: chunks that were in flight when the threshold was crossed still
 * record their tasks before the job is Failed, so the finaliser restates the entry from the final counts in
 * the transaction that moves the job to Failed (store/jobs/transition-job.ts).
 */

import { clipFailure } from "./errors.js";
import type { EngineOptions } from "./options.js";

export const FAILURE_THRESHOLD_CODE = "TaskFailureThresholdExceeded";

export interface TaskCounts {
  readonly succeeded: number;
  readonly failed: number;
}

type ThresholdOptions = Pick<EngineOptions, "failureThresholdTasks" | "failureRatio">;

export function exceedsFailureThreshold(counts: TaskCounts, options: ThresholdOptions): boolean {
  const attempted = counts.succeeded + counts.failed;
  return attempted >= options.failureThresholdTasks && counts.failed / attempted > options.failureRatio;
}

/** The FailureReasons entry for a job failed by the threshold, from its task counts. */
export function failureThresholdReason(counts: TaskCounts, options: ThresholdOptions) {
  const attempted = counts.succeeded + counts.failed;
  const pct = attempted === 0 ? 0 : Math.round((counts.failed / attempted) * 100);
  return clipFailure({
    code: FAILURE_THRESHOLD_CODE,
    reason:
      `${counts.failed} of ${attempted} tasks attempted (${pct}%) failed, ` +
      `above the ${Math.round(options.failureRatio * 100)}% threshold.`,
  });
}
