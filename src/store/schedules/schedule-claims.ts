/**
 * The scheduler's statements (D43). A tick reads the due schedules (one range of schedules_due: next_due_at at
 * or before now; paused ones have none), claims each it will run with a conditional UPDATE (the row must still
 * be due at the time it read, and unclaimed or its claim expired), creates the job, then records the run: the
 * run's row and the schedule's next due time in one transaction that succeeds only for the claim's holder. A
 * claim names its due time (claim_due_at) and keeps it when released or expired, so whoever claims the schedule
 * next makes the job for that same due time first (creating it is idempotent: its token, D5).
 */
import { type Kysely, sql } from "kysely";
import type { CatchUp, ScheduleRun, ScheduleRunOutcome } from "../../domain/schedule.js";
import type { Database } from "../schema.js";

/** A due schedule as the scheduler needs it. */
export interface DueSchedule {
  readonly scheduleId: string;
  readonly accountId: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly catchUp: CatchUp;
  readonly template: Readonly<Record<string, unknown>>;
  readonly nextDueAt: number;
  /** The due time of an unfinished claim (released, or its holder died): the next run must be this one. */
  readonly claimDueAt?: number;
  /** Someone holds a live claim until then. */
  readonly claimedUntil?: number;
  readonly claimOwner?: string;
}

/** Up to `limit` schedules due at `now`, earliest first: one range of the schedules_due index. */
export async function dueSchedules(db: Kysely<Database>, now: number, limit: number): Promise<DueSchedule[]> {
  const rows = await db
    .selectFrom("schedules")
    .select([
      "schedule_id",
      "account_id",
      "cron",
      "time_zone",
      "catch_up",
      "template",
      "next_due_at",
      "claim_due_at",
      "claim_expires",
      "claim_owner",
    ])
    .where("next_due_at", "<=", now)
    .orderBy("next_due_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    scheduleId: r.schedule_id,
    accountId: r.account_id,
    cron: r.cron,
    timeZone: r.time_zone,
    catchUp: r.catch_up as CatchUp,
    template: JSON.parse(r.template) as Record<string, unknown>,
    nextDueAt: Number(r.next_due_at),
    ...(r.claim_due_at !== null ? { claimDueAt: Number(r.claim_due_at) } : {}),
    ...(r.claim_owner !== null && r.claim_expires !== null && Number(r.claim_expires) > now
      ? { claimedUntil: Number(r.claim_expires), claimOwner: r.claim_owner }
      : {}),
  }));
}

/**
 * Claims the schedule for the run of `dueAt` until `now + ttlMs`: true only if it is still due at the time the
 * caller read (`seen`), and unclaimed or its claim has expired, and its unfinished claim's due time (if any) is
 * the one the caller read (or the caller holds the claim already: its record failed). Two schedulers that read the same row: one claims it.
 */
export async function claimSchedule(
  db: Kysely<Database>,
  seen: Pick<DueSchedule, "scheduleId" | "nextDueAt" | "claimDueAt">,
  owner: string,
  dueAt: number,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable("schedules")
    .set({ claim_owner: owner, claim_expires: now + ttlMs, claim_due_at: dueAt })
    .where("schedule_id", "=", seen.scheduleId)
    .where("next_due_at", "=", seen.nextDueAt)
    .where((eb) =>
      seen.claimDueAt === undefined ? eb("claim_due_at", "is", null) : eb("claim_due_at", "=", seen.claimDueAt),
    )
    .where((eb) =>
      eb.or([eb("claim_owner", "is", null), eb("claim_owner", "=", owner), eb("claim_expires", "<=", now)]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface RunRecord {
  readonly dueAt: number;
  readonly jobId?: string;
  readonly outcome: ScheduleRunOutcome;
  readonly detail?: string;
}

/**
 * Records the claimed run and moves the schedule on to `nextDueAt` (never backwards, and not while paused), in
 * one transaction; false (nothing written) when the caller no longer holds the claim or the schedule is gone.
 */
export async function recordScheduleRun(
  db: Kysely<Database>,
  scheduleId: string,
  owner: string,
  run: RunRecord,
  nextDueAt: number | undefined,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const next = nextDueAt ?? null;
    const result = await tx
      .updateTable("schedules")
      .set({
        next_due_at: sql<
          number | null
        >`case when paused = 1 then null when next_due_at > ${next} then next_due_at else ${next} end`,
        claim_owner: null,
        claim_expires: null,
        claim_due_at: null,
        last_due_at: run.dueAt,
        last_job_id: run.jobId ?? null,
        last_outcome: run.outcome,
        updated_at: now,
      })
      .where("schedule_id", "=", scheduleId)
      .where("claim_owner", "=", owner)
      .where("claim_due_at", "=", run.dueAt)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await tx
      .insertInto("schedule_runs")
      .values({
        schedule_id: scheduleId,
        due_at: run.dueAt,
        job_id: run.jobId ?? null,
        outcome: run.outcome,
        detail: run.detail ?? null,
        recorded_at: now,
      })
      .onConflict((oc) => oc.columns(["schedule_id", "due_at"]).doNothing())
      .execute();
    return true;
  });
}

/** Gives the claim back after a failure worth retrying (the store, a timeout); its due time stays claimed next. */
export async function releaseScheduleClaim(db: Kysely<Database>, scheduleId: string, owner: string): Promise<void> {
  await db
    .updateTable("schedules")
    .set({ claim_owner: null, claim_expires: null })
    .where("schedule_id", "=", scheduleId)
    .where("claim_owner", "=", owner)
    .execute();
}

/** A run and the status of its job now (undefined: no job, or the job was deleted since). */
export interface ScheduleRunWithJob extends ScheduleRun {
  readonly jobStatus?: string;
}

/** The schedule's runs, latest due time first, before `beforeDueAt` if given: one range of the primary key. */
export async function listScheduleRuns(
  db: Kysely<Database>,
  scheduleId: string,
  limit: number,
  beforeDueAt?: number,
): Promise<ScheduleRunWithJob[]> {
  let query = db
    .selectFrom("schedule_runs as r")
    .leftJoin("jobs as j", "j.job_id", "r.job_id")
    .select(["r.schedule_id", "r.due_at", "r.job_id", "r.outcome", "r.detail", "r.recorded_at", "j.status"])
    .where("r.schedule_id", "=", scheduleId);
  if (beforeDueAt !== undefined) query = query.where("r.due_at", "<", beforeDueAt);
  const rows = await query.orderBy("r.due_at", "desc").limit(limit).execute();
  return rows.map((r) => ({
    scheduleId: r.schedule_id,
    dueAt: Number(r.due_at),
    ...(r.job_id !== null ? { jobId: r.job_id } : {}),
    outcome: r.outcome as ScheduleRunOutcome,
    ...(r.detail !== null ? { detail: r.detail } : {}),
    recordedAt: Number(r.recorded_at),
    ...(r.status !== null ? { jobStatus: r.status } : {}),
  }));
}
