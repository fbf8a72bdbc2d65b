/**
 * The 13 job statuses shared by AWS S3 Control, Tencent COS and Alibaba OSS, and the one table that says
 * which moves between them are legal. Every status change in the store is checked against this table.
 */
export const JOB_STATUSES = [
  "New",
  "Preparing",
  "Suspended",
  "Ready",
  "Active",
  "Pausing",
  "Paused",
  "Completing",
  "Complete",
  "Cancelling",
  "Cancelled",
  "Failing",
  "Failed",
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["Complete", "Cancelled", "Failed"]);

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * Legal moves. Reasons:
 * - New -> Preparing when the engine starts reading the manifest; a user may cancel at any early stage.
 * - Preparing -> Suspended when confirmation is required (D4), -> Ready otherwise, -> Failing on manifest errors.
 * - Suspended -> Ready by the user's confirmation; -> Failing when left unconfirmed too long (D4).
 * - Active -> Pausing -> Paused when a higher-priority job needs the execution slots (D13); Paused -> Active
 *   when they free up. Pausing may also be resumed straight to Active if the preemptor went away.
 * - A user may pause a job too (D31): Active -> Pausing -> Paused as above, and Ready -> Paused for a job that
 *   waits for a slot (it runs nothing, so there is nothing to wait for); the job is held until the user resumes
 *   it, and then waits in the Paused queue like a preempted job.
 * - Completing, Cancelling and Failing are the "writing the report" phases that end in their terminal status.
 * - Failing can be entered from Active (failure threshold, D7) and from the early phases (manifest errors).
 */
const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  New: ["Preparing", "Cancelling", "Failing"],
  Preparing: ["Suspended", "Ready", "Cancelling", "Failing"],
  Suspended: ["Ready", "Cancelling", "Failing"],
  Ready: ["Active", "Paused", "Cancelling", "Failing"],
  Active: ["Completing", "Pausing", "Cancelling", "Failing"],
  Pausing: ["Paused", "Active", "Cancelling", "Failing"],
  Paused: ["Active", "Cancelling", "Failing"],
  Completing: ["Complete"],
  Cancelling: ["Cancelled"],
  Failing: ["Failed"],
  Complete: [],
  Cancelled: [],
  Failed: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: JobStatus): readonly JobStatus[] {
  return TRANSITIONS[from];
}

/** Statuses from which a user may ask for `Cancelled` (S3 Batch Operations' job statuses and OSS's rules). */
export function canRequestCancel(from: JobStatus): boolean {
  return canTransition(from, "Cancelling");
}

/** A user may confirm (`Ready`) only a Suspended job; OSS also allows it while Preparing (recorded early). */
export function canRequestReady(from: JobStatus, allowWhilePreparing: boolean): boolean {
  return from === "Suspended" || (allowWhilePreparing && from === "Preparing");
}

/**
 * Statuses from which a user may pause a job (D31): it waits for or holds an execution slot. A job that is
 * already Pausing or Paused (preempted, D13) is held where it stands.
 */
export function canRequestPause(from: JobStatus): boolean {
  return from === "Ready" || from === "Active" || from === "Pausing" || from === "Paused";
}

/** Statuses in which the engine is still working on the job: the account's unfinished-jobs cap counts these. */
export function isUnfinished(status: JobStatus): boolean {
  return !isTerminal(status);
}
