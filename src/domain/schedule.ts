/**
 * A schedule (D43): a job template run on a cron expression in a time zone, for one account. The template is the
 * JSON API's CreateJobRequest as the client sent it, with relative dates (`createdBeforeRelative`, ...) that each
 * run resolves against its due time; it is kept as given and turned into a job only when a due time comes.
 */

/** What a scheduler does when it finds more than one due time passed (it was down, or the store was). */
export type CatchUp = "latest" | "all";
export const CATCH_UP_POLICIES: readonly CatchUp[] = ["latest", "all"];

/** How a due time was handled: its job created, its job found created before (a retry), or no job (why: detail). */
export type ScheduleRunOutcome = "created" | "already_created" | "failed";
export const SCHEDULE_RUN_OUTCOMES: readonly ScheduleRunOutcome[] = ["created", "already_created", "failed"];

export interface ScheduleSpec {
  readonly accountId: string;
  readonly description?: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly catchUp: CatchUp;
  /** The job template (a JSON CreateJobRequest with relative dates), as given. */
  readonly template: Readonly<Record<string, unknown>>;
}

export interface Schedule extends ScheduleSpec {
  readonly scheduleId: string;
  readonly paused: boolean;
  /** The earliest due time not handled yet (ms since the epoch); undefined while paused. */
  readonly nextDueAt?: number;
  readonly lastRun?: { readonly dueAt: number; readonly jobId?: string; readonly outcome: ScheduleRunOutcome };
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A handled due time: the job it made (which may since have been deleted), or why none. */
export interface ScheduleRun {
  readonly scheduleId: string;
  readonly dueAt: number;
  readonly jobId?: string;
  readonly outcome: ScheduleRunOutcome;
  readonly detail?: string;
  readonly recordedAt: number;
}

/** The clientRequestToken of the job a schedule makes for a due time (D5): one job per due time, whoever asks. */
export function scheduleJobToken(scheduleId: string, dueAt: number): string {
  return `schedule:${scheduleId}:${dueAt}`;
}
