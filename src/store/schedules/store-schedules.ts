/**
 * Schedules in the job store (D43), so that every server sharing it sees the same ones and their schedulers
 * share the work: one handle over schedule-rows.ts (the API's reads and changes) and schedule-claims.ts (the
 * scheduler's). Built on the StoreConnection the JobStore uses (one pool, one place where store outages
 * surface); store errors propagate to the caller unchanged.
 */
import type { Schedule } from "../../domain/schedule.js";
import type { StoreConnection } from "../connect.js";
import {
  claimSchedule,
  type DueSchedule,
  dueSchedules,
  listScheduleRuns,
  type RunRecord,
  recordScheduleRun,
  releaseScheduleClaim,
  type ScheduleRunWithJob,
} from "./schedule-claims.js";
import {
  countAccountSchedules,
  deleteSchedule,
  getAccountSchedule,
  insertSchedule,
  listAccountSchedules,
  type NewSchedule,
  type ScheduleCursor,
  setSchedulePaused,
} from "./schedule-rows.js";

export type { DueSchedule, NewSchedule, RunRecord, ScheduleCursor, ScheduleRunWithJob };

export class StoreSchedules {
  constructor(private readonly conn: Pick<StoreConnection, "db">) {}

  private get db() {
    return this.conn.db;
  }

  insert(schedule: NewSchedule): Promise<void> {
    return insertSchedule(this.db, schedule);
  }

  get(accountId: string, scheduleId: string): Promise<Schedule | undefined> {
    return getAccountSchedule(this.db, accountId, scheduleId);
  }

  list(accountId: string, limit: number, after?: ScheduleCursor): Promise<Schedule[]> {
    return listAccountSchedules(this.db, accountId, limit, after);
  }

  count(accountId: string): Promise<number> {
    return countAccountSchedules(this.db, accountId);
  }

  setPaused(accountId: string, scheduleId: string, paused: boolean, nextDueAt: number | undefined, now: number) {
    return setSchedulePaused(this.db, accountId, scheduleId, paused, nextDueAt, now);
  }

  delete(accountId: string, scheduleId: string): Promise<boolean> {
    return deleteSchedule(this.db, accountId, scheduleId);
  }

  runs(scheduleId: string, limit: number, beforeDueAt?: number): Promise<ScheduleRunWithJob[]> {
    return listScheduleRuns(this.db, scheduleId, limit, beforeDueAt);
  }

  due(now: number, limit: number): Promise<DueSchedule[]> {
    return dueSchedules(this.db, now, limit);
  }

  claim(seen: DueSchedule, owner: string, dueAt: number, now: number, ttlMs: number): Promise<boolean> {
    return claimSchedule(this.db, seen, owner, dueAt, now, ttlMs);
  }

  record(scheduleId: string, owner: string, run: RunRecord, nextDueAt: number | undefined, now: number) {
    return recordScheduleRun(this.db, scheduleId, owner, run, nextDueAt, now);
  }

  release(scheduleId: string, owner: string): Promise<void> {
    return releaseScheduleClaim(this.db, scheduleId, owner);
  }
}
