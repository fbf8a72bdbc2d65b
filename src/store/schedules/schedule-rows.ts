/**
 * Schedules' rows (D43): create, read one of an account's, list an account's oldest first, pause, resume and
 * delete. Each is one statement; a schedule of another account is never found (every statement names the
 * account). Times are ms since the epoch.
 */
import type { Kysely, Selectable } from "kysely";
import type { CatchUp, Schedule, ScheduleRunOutcome } from "../../domain/schedule.js";
import type { Database, SchedulesTable } from "../schema.js";

export interface NewSchedule {
  readonly scheduleId: string;
  readonly accountId: string;
  readonly description?: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly catchUp: CatchUp;
  readonly template: Readonly<Record<string, unknown>>;
  readonly paused: boolean;
  /** The first due time; undefined while paused. */
  readonly nextDueAt: number | undefined;
  readonly createdAt: number;
}

export async function insertSchedule(db: Kysely<Database>, s: NewSchedule): Promise<void> {
  await db
    .insertInto("schedules")
    .values({
      schedule_id: s.scheduleId,
      account_id: s.accountId,
      description: s.description ?? null,
      cron: s.cron,
      time_zone: s.timeZone,
      catch_up: s.catchUp,
      template: JSON.stringify(s.template),
      paused: s.paused ? 1 : 0,
      next_due_at: s.paused ? null : (s.nextDueAt ?? null),
      created_at: s.createdAt,
      updated_at: s.createdAt,
    })
    .execute();
}

export async function getAccountSchedule(
  db: Kysely<Database>,
  accountId: string,
  scheduleId: string,
): Promise<Schedule | undefined> {
  const row = await db
    .selectFrom("schedules")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row && scheduleOf(row);
}

/** Where a page of an account's schedules starts: after this one (oldest first). */
export interface ScheduleCursor {
  readonly createdAt: number;
  readonly scheduleId: string;
}

export async function listAccountSchedules(
  db: Kysely<Database>,
  accountId: string,
  limit: number,
  after?: ScheduleCursor,
): Promise<Schedule[]> {
  let query = db.selectFrom("schedules").selectAll().where("account_id", "=", accountId);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb("created_at", ">", after.createdAt),
        eb.and([eb("created_at", "=", after.createdAt), eb("schedule_id", ">", after.scheduleId)]),
      ]),
    );
  }
  const rows = await query.orderBy("created_at").orderBy("schedule_id").limit(limit).execute();
  return rows.map(scheduleOf);
}

export async function countAccountSchedules(db: Kysely<Database>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom("schedules")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Pauses (nextDueAt undefined) or resumes (nextDueAt: the first due time from now on) the schedule; false when
 * the account has no such schedule. A claim under way is left alone: its run is recorded, but it moves
 * next_due_at on only while the schedule is still the one it claimed (claims.ts).
 */
export async function setSchedulePaused(
  db: Kysely<Database>,
  accountId: string,
  scheduleId: string,
  paused: boolean,
  nextDueAt: number | undefined,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("schedules")
    .set({ paused: paused ? 1 : 0, next_due_at: nextDueAt ?? null, updated_at: now })
    .where("schedule_id", "=", scheduleId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes the schedule and its runs (the jobs it made stay); false when the account has no such schedule. */
export async function deleteSchedule(db: Kysely<Database>, accountId: string, scheduleId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const found = await tx
      .selectFrom("schedules")
      .select("schedule_id")
      .where("schedule_id", "=", scheduleId)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!found) return false;
    await tx.deleteFrom("schedule_runs").where("schedule_id", "=", scheduleId).execute();
    await tx.deleteFrom("schedules").where("schedule_id", "=", scheduleId).execute();
    return true;
  });
}

export function scheduleOf(row: Selectable<SchedulesTable>): Schedule {
  const nullable = (v: number | string | null) => (v === null ? undefined : Number(v));
  const lastDueAt = nullable(row.last_due_at);
  return {
    scheduleId: row.schedule_id,
    accountId: row.account_id,
    ...(row.description !== null ? { description: row.description } : {}),
    cron: row.cron,
    timeZone: row.time_zone,
    catchUp: row.catch_up as CatchUp,
    template: JSON.parse(row.template) as Record<string, unknown>,
    paused: row.paused === 1 || (row.paused as unknown) === "1",
    ...(row.next_due_at !== null ? { nextDueAt: Number(row.next_due_at) } : {}),
    ...(lastDueAt !== undefined && row.last_outcome !== null
      ? {
          lastRun: {
            dueAt: lastDueAt,
            ...(row.last_job_id !== null ? { jobId: row.last_job_id } : {}),
            outcome: row.last_outcome as ScheduleRunOutcome,
          },
        }
      : {}),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
