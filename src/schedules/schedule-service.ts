/**
 * The use cases of schedules (D43) behind the JSON API: create (the first due time from now on), read one, list
 * an account's, pause (no due time until resumed), resume (the first due time after now: times that passed while
 * paused are not run), delete (the jobs it made stay), and page through the runs it made. A schedule of another
 * account answers exactly like a missing one. The template was checked by the caller (the API's own rules).
 */
import { randomUUID } from "node:crypto";
import type { CatchUp, Schedule } from "../domain/schedule.js";
import type { ScheduleCursor, ScheduleRunWithJob, StoreSchedules } from "../store/schedules/store-schedules.js";
import { nextDueAfter } from "./cron.js";

export interface ScheduleServiceOptions {
  readonly schedules: StoreSchedules;
  readonly now?: () => number;
  /** The most schedules an account may have. */
  readonly maxSchedulesPerAccount: number;
}

export interface NewScheduleRequest {
  readonly description?: string;
  readonly cron: string;
  readonly timeZone: string;
  readonly catchUp: CatchUp;
  readonly paused: boolean;
  readonly template: Readonly<Record<string, unknown>>;
}

export type ScheduleRefusalKind = "no-such-schedule" | "too-many-schedules";

export class ScheduleRefusal extends Error {
  constructor(
    readonly kind: ScheduleRefusalKind,
    message: string,
  ) {
    super(message);
    this.name = "ScheduleRefusal";
  }
}

export function isScheduleRefusal(e: unknown): e is ScheduleRefusal {
  return e instanceof ScheduleRefusal;
}

const noSuchSchedule = (scheduleId: string) =>
  new ScheduleRefusal("no-such-schedule", `There is no schedule ${scheduleId.slice(0, 64)}.`);

export class ScheduleService {
  private readonly schedules: StoreSchedules;
  private readonly now: () => number;

  constructor(private readonly options: ScheduleServiceOptions) {
    this.schedules = options.schedules;
    this.now = options.now ?? Date.now;
  }

  async create(accountId: string, request: NewScheduleRequest): Promise<Schedule> {
    const max = this.options.maxSchedulesPerAccount;
    // A count then an insert: two concurrent creates may both pass at the cap, which is a soft limit on clutter.
    if ((await this.schedules.count(accountId)) >= max) {
      throw new ScheduleRefusal("too-many-schedules", `An account can have at most ${max} schedules.`);
    }
    const now = this.now();
    const scheduleId = randomUUID();
    await this.schedules.insert({
      scheduleId,
      accountId,
      ...(request.description !== undefined ? { description: request.description } : {}),
      cron: request.cron,
      timeZone: request.timeZone,
      catchUp: request.catchUp,
      template: request.template,
      paused: request.paused,
      nextDueAt: nextDueAfter(request, now),
      createdAt: now,
    });
    return this.get(accountId, scheduleId);
  }

  async get(accountId: string, scheduleId: string): Promise<Schedule> {
    const schedule = await this.schedules.get(accountId, scheduleId);
    if (!schedule) throw noSuchSchedule(scheduleId);
    return schedule;
  }

  /** A page of the account's schedules, oldest first, and where the next page starts (none on the last). */
  async list(
    accountId: string,
    limit: number,
    after?: ScheduleCursor,
  ): Promise<{ schedules: Schedule[]; next?: ScheduleCursor }> {
    const rows = await this.schedules.list(accountId, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      schedules: page,
      ...(rows.length > limit && last ? { next: { createdAt: last.createdAt, scheduleId: last.scheduleId } } : {}),
    };
  }

  async pause(accountId: string, scheduleId: string): Promise<Schedule> {
    if (!(await this.schedules.setPaused(accountId, scheduleId, true, undefined, this.now()))) {
      throw noSuchSchedule(scheduleId);
    }
    return this.get(accountId, scheduleId);
  }

  /** Resumes a paused schedule from its first due time after now; an active one is left as it is. */
  async resume(accountId: string, scheduleId: string): Promise<Schedule> {
    const schedule = await this.get(accountId, scheduleId);
    if (!schedule.paused) return schedule;
    const now = this.now();
    if (!(await this.schedules.setPaused(accountId, scheduleId, false, nextDueAfter(schedule, now), now))) {
      throw noSuchSchedule(scheduleId);
    }
    return this.get(accountId, scheduleId);
  }

  async delete(accountId: string, scheduleId: string): Promise<void> {
    if (!(await this.schedules.delete(accountId, scheduleId))) throw noSuchSchedule(scheduleId);
  }

  /** The schedule's runs, latest due time first, before `beforeDueAt` if given, and the next page's start. */
  async runs(
    accountId: string,
    scheduleId: string,
    limit: number,
    beforeDueAt?: number,
  ): Promise<{ runs: ScheduleRunWithJob[]; next?: number }> {
    await this.get(accountId, scheduleId);
    const rows = await this.schedules.runs(scheduleId, limit + 1, beforeDueAt);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { runs: page, ...(rows.length > limit && last ? { next: last.dueAt } : {}) };
  }
}
