/**
 * A job's progress for the JSON API, from what the store records: the counters, the Active time to the
 * millisecond and the tasks of running chunks, and the rate over the last ten seconds the caller measured
 * (throughput-sampler.ts, D32). Pure: `activity` was read at the service's clock.
 */
import type { Job } from "../domain/job.js";
import { isTerminal } from "../domain/status.js";
import type { RecordedActivity } from "../store/job-store.js";
import type { JobProgress } from "./types.js";

/**
 * `recentTasksPerSecond`: finished tasks per second over the last ten seconds, or undefined when it could not be
 * measured (the whole run's average stands in for it).
 */
export function jobProgress(
  job: Pick<Job, "status" | "progress">,
  activity: RecordedActivity,
  recentTasksPerSecond?: number,
): JobProgress {
  const { succeeded, failed } = job.progress;
  const total = job.progress.total < 0 ? null : job.progress.total;
  const recorded = succeeded + failed;
  const remaining = total === null ? undefined : Math.max(0, total - recorded);
  const elapsedMs = Math.max(0, Math.round(activity.activeMs));
  const averageTasksPerSecond = elapsedMs > 0 ? round(recorded / (elapsedMs / 1000), 3) : 0;
  const finished = isTerminal(job.status);
  // A held job runs nothing: its rate is 0 now, not the last ten seconds' fading away while it waits.
  const held = job.status === "Paused" || job.status === "Suspended";
  let tasksPerSecond: number;
  if (finished || held) tasksPerSecond = 0;
  else if (recentTasksPerSecond !== undefined) tasksPerSecond = round(Math.max(0, recentTasksPerSecond), 3);
  else tasksPerSecond = averageTasksPerSecond;
  let etaSeconds: number | null = null;
  if (finished || remaining === 0) etaSeconds = 0;
  else if (remaining !== undefined && tasksPerSecond > 0) etaSeconds = round(remaining / tasksPerSecond, 1);
  return {
    total,
    succeeded,
    failed,
    // Never more than what is left to record (a chunk run again after a lost lease is counted once).
    inFlight: finished ? 0 : Math.min(activity.inFlight, remaining ?? activity.inFlight),
    tasksPerSecond,
    averageTasksPerSecond,
    etaSeconds,
    elapsedMs,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
