/**
 * Which runnable jobs hold the execution slots. Higher priority wins, then the older job; a job that loses
 * its slot to a higher-priority one is paused (D13) and resumes when a slot frees up. A job a user paused (held,
 * D31) is no contender: it takes no slot and is never resumed until the user lets it go.
 */
import type { JobStatus } from "../domain/status.js";

export interface SchedulableJob {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly priority: number;
  readonly creationTime: number;
  /** A user holds the job paused (D31). */
  readonly held?: boolean;
}

export interface ScheduleMove {
  readonly jobId: string;
  readonly from: JobStatus;
  readonly to: JobStatus;
}

const CONTENDERS: ReadonlySet<JobStatus> = new Set(["Ready", "Active", "Pausing", "Paused"]);

/** The status moves that bring the jobs in line with the top `slots` by priority. */
export function planSchedule(jobs: readonly SchedulableJob[], slots: number): ScheduleMove[] {
  const ranked = jobs
    .filter((j) => CONTENDERS.has(j.status) && !j.held)
    .sort(
      (a, b) =>
        b.priority - a.priority ||
        a.creationTime - b.creationTime ||
        (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0),
    );
  const moves: ScheduleMove[] = [];
  ranked.forEach((job, rank) => {
    const deserves = rank < slots;
    if (deserves && job.status !== "Active") moves.push({ jobId: job.jobId, from: job.status, to: "Active" });
    if (!deserves && job.status === "Active") moves.push({ jobId: job.jobId, from: "Active", to: "Pausing" });
  });
  return moves;
}
