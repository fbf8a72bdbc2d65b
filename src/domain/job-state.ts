/**
 * The few facts about a job the engine decides by on every tick: who it is, where it stands, how far its tasks
 * got and who holds its preparing or finishing phase. The store reads them without the job's spec, so a tick
 * over every unfinished job parses no JSON; the whole Job (job.ts) is read when a job is prepared, run or
 * finished.
 */
import type { JobStatus } from "./status.js";

/** Who prepares or finishes a job (or writes its report while it runs), and until when (ms since the epoch). */
export interface PhaseClaim {
  readonly owner: string;
  readonly expires: number;
}

export interface JobState {
  readonly jobId: string;
  readonly status: JobStatus;
  readonly priority: number;
  /** Milliseconds since the epoch. */
  readonly creationTime: number;
  /** When the job became Suspended (ms since the epoch); set while it is. */
  readonly suspendedTime?: number;
  /** -1 until the manifest has been counted. */
  readonly totalTasks: number;
  readonly succeeded: number;
  readonly failed: number;
  /** The user confirmed the job (or it never needed confirming): preparing ends in Ready, not Suspended. */
  readonly confirmed: boolean;
  /**
   * A user paused the job (D31): it is Pausing or Paused and the scheduler leaves it out (it takes no execution
   * slot and is never resumed) until the user resumes it.
   */
  readonly held: boolean;
  /** Undefined when nobody holds the job's phase. */
  readonly phaseClaim?: PhaseClaim;
}
