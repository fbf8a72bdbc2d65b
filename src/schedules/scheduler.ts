/**
 * The scheduler (D43): a loop in every `objbatch serve` and `objbatch worker` that creates the jobs of due
 * schedules. Each tick reads the due schedules (one range of an index, at most `maxPerTick`: nothing else when
 * none is due), and for each it can claim (a conditional UPDATE, store/schedules/schedule-claims.ts) picks the
 * due time to run by the schedule's catch-up policy, creates the job through the JobService with the token
 * `schedule:<id>:<due time>` (D5: the same due time can never make two jobs, whichever server or restart asks),
 * and records the run with the schedule's next due time in one transaction. A claim whose holder died expires
 * and is taken over for the same due time; the create then finds the job made already (already_created).
 *
 * Catch-up: "latest" (the default) runs only the latest of several due times that passed (a scheduler that was
 * down, a store that was) and skips the older ones; "all" runs each passed due time, one per tick, oldest first.
 * A job that cannot be created (the account's cap of unfinished jobs, a template that no longer passes) is a
 * failed run: recorded with its reason, and the schedule moves on. A store outage is not: the claim is given
 * back and the loop backs off, so the same due time is tried again.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { isDomainError } from "../domain/errors.js";
import type { ScheduleRunOutcome } from "../domain/schedule.js";
import type { CreateJobOutcome } from "../service/types.js";
import { isStoreUnavailable } from "../store/errors.js";
import type { DueSchedule, RunRecord, StoreSchedules } from "../store/schedules/store-schedules.js";
import { latestDueAt, nextDueAfter } from "./cron.js";

export interface SchedulerOptions {
  readonly schedules: StoreSchedules;
  /** Creates the job of the schedule's run due at `dueAt`, idempotently (its token names both). */
  readonly createJob: (schedule: DueSchedule, dueAt: number) => Promise<CreateJobOutcome>;
  readonly now: () => number;
  readonly log: Logger;
  /** This scheduler's name in claims; default a fresh one. */
  readonly owner?: string;
  /** Time between ticks. Default 1 s. */
  readonly pollMs?: number;
  /** How long a claim holds. Default 60 s. */
  readonly claimTtlMs?: number;
  /** Due schedules read per tick. Default 32. */
  readonly maxPerTick?: number;
  /** Counts each run by outcome (metrics). */
  readonly onRun?: (outcome: ScheduleRunOutcome) => void;
}

/** The longest back-off while the store is unavailable. */
const MAX_BACKOFF_MS = 30_000;

export class Scheduler {
  readonly owner: string;
  private readonly pollMs: number;
  private readonly claimTtlMs: number;
  private readonly maxPerTick: number;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.owner = options.owner ?? `scheduler-${randomUUID()}`;
    this.pollMs = options.pollMs ?? 1_000;
    this.claimTtlMs = options.claimTtlMs ?? 60_000;
    this.maxPerTick = options.maxPerTick ?? 32;
  }

  start(): void {
    if (this.loopDone) return;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let wait = this.pollMs;
      try {
        // A full page may leave more due schedules: look again at once.
        if ((await this.tick()) >= this.maxPerTick) wait = 0;
        failures = 0;
      } catch (e) {
        failures++;
        wait = Math.min(MAX_BACKOFF_MS, this.pollMs * 2 ** Math.min(failures, 10));
        this.options.log.warn({ err: e, retryInMs: wait }, "scheduler tick failed");
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /**
   * One look at the due schedules, each run it could claim made and recorded. Returns how many due schedules it
   * read. A test drives it by hand with an injected clock.
   */
  async tick(): Promise<number> {
    const { schedules } = this.options;
    const now = this.options.now();
    const due = await schedules.due(now, this.maxPerTick);
    for (const schedule of due) {
      if (this.stopping) break;
      if (schedule.claimOwner !== undefined && schedule.claimOwner !== this.owner) continue;
      await this.run(schedule, now);
    }
    return due.length;
  }

  private async run(schedule: DueSchedule, now: number): Promise<void> {
    const { schedules, log } = this.options;
    let dueAt: number;
    try {
      dueAt =
        schedule.claimDueAt ??
        (schedule.catchUp === "all"
          ? schedule.nextDueAt
          : (latestDueAt(schedule, schedule.nextDueAt, now) ?? schedule.nextDueAt));
    } catch (e) {
      // A cron or zone that no longer parses (a newer croner, a zone gone from the system's database): the
      // schedule cannot run; it is left due and logged rather than failing the tick for every other schedule.
      log.error({ err: e, scheduleId: schedule.scheduleId }, "schedule's cron expression cannot be evaluated");
      return;
    }
    if (!(await schedules.claim(schedule, this.owner, dueAt, now, this.claimTtlMs))) return;

    let run: RunRecord;
    try {
      const outcome = await this.options.createJob(schedule, dueAt);
      run = { dueAt, jobId: outcome.jobId, outcome: outcome.created ? "created" : "already_created" };
    } catch (e) {
      if (isTransient(e)) {
        await schedules.release(schedule.scheduleId, this.owner).catch(() => undefined);
        throw e;
      }
      const detail = e instanceof Error ? e.message : String(e);
      log.warn({ scheduleId: schedule.scheduleId, dueAt, detail }, "schedule run created no job");
      run = { dueAt, outcome: "failed", detail: detail.slice(0, 1024) };
    }
    const recorded = await schedules.record(
      schedule.scheduleId,
      this.owner,
      run,
      nextDueAfter(schedule, dueAt),
      this.options.now(),
    );
    if (recorded) {
      this.options.onRun?.(run.outcome);
      log.info({ scheduleId: schedule.scheduleId, dueAt, jobId: run.jobId, outcome: run.outcome }, "schedule run");
    }
  }
}

function isTransient(e: unknown): boolean {
  return (
    isStoreUnavailable(e) || (isDomainError(e) && (e.kind === "StoreUnavailable" || e.kind === "ServiceUnavailable"))
  );
}
