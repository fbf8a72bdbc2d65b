/**
 * The engine: a loop that moves jobs through their lifecycle. Each tick it prepares new jobs, gives the
 * execution slots to the highest-priority jobs (pausing the ones that lose them), notices jobs that are
 * done or failing, finalises them, and keeps its chunk slots busy with leased chunks. Several engines may
 * share one PostgreSQL store: every move is a compare-and-set, chunks and phases are leased. A store that is
 * down or cannot write never ends the process: every store call is retried with backoff (store-outage.ts).
 */
import { randomUUID } from "node:crypto";
import type { Job } from "../domain/job.js";
import type { JobState } from "../domain/job-state.js";
import { isTerminal, JOB_STATUSES, type JobStatus } from "../domain/status.js";
import { ChunkSlots } from "./chunk-slots.js";
import type { EngineDeps } from "./deps.js";
import type { ChunkExecutor } from "./executor.js";
import { exceedsFailureThreshold, failureThresholdReason } from "./failure-threshold.js";
import { finalizeJob } from "./finalizer.js";
import { prepareJob } from "./preparer.js";
import { flushRunningReport, type JobReport, reportFlusherFor } from "./report-flush.js";
import { planSchedule } from "./scheduler.js";
import { StoreOutage } from "./store-outage.js";
import { within } from "./within.js";

/** The engine looks after every job that has not finished. */
const WATCHED: readonly JobStatus[] = JOB_STATUSES.filter((s) => !isTerminal(s));

const FINISHING: ReadonlySet<JobStatus> = new Set(["Completing", "Cancelling", "Failing"]);

/** A New job, or a Preparing one whose preparer let its claim run out (it died). */
function preparable(job: JobState, now: number): boolean {
  if (job.status === "New") return true;
  return job.status === "Preparing" && (job.phaseClaim === undefined || job.phaseClaim.expires < now);
}

export class Engine {
  private readonly deps: EngineDeps;
  private readonly executor: ChunkExecutor;
  private readonly statuses = new Map<string, JobStatus>();
  private readonly slots: ChunkSlots;
  private readonly phases = new Map<string, Promise<unknown>>();
  /** Per Active job with a report: its flusher (which remembers how far it looked) and when it last ran. */
  private readonly reports = new Map<string, { report: JobReport | undefined; lastFlush: number }>();
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastHousekeeping = 0;
  private readonly outage: StoreOutage;
  /** Ticks in a row that failed for an unavailable store: the loop backs off by them. */
  private tickFailures = 0;

  /** `deps.now` is the engine's clock: a test injects one and calls tick() itself instead of start(). */
  constructor(deps: Omit<EngineDeps, "owner"> & { owner?: string; executor: ChunkExecutor }) {
    const { executor, ...rest } = deps;
    this.deps = { ...rest, owner: deps.owner ?? `engine-${randomUUID()}` };
    this.executor = executor;
    this.outage = new StoreOutage(this.deps.log, this.deps.options.storeRetryMaxDelayMs);
    this.slots = new ChunkSlots(this.deps, executor, this.outage, this.statuses, () => this.wake());
  }

  start(): void {
    if (this.loopDone) return;
    this.heartbeat = setInterval(() => void this.slots.renewLeases(), Math.max(100, this.deps.options.leaseMs / 3));
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  /** What this engine has done since it started, and each job's pacing (adaptive concurrency, throttles). */
  get stats() {
    return {
      chunksRecorded: this.slots.recorded,
      chunksRunning: this.slots.size,
      jobs: this.executor.throttleStats?.() ?? new Map(),
    };
  }

  /** Ask for a tick soon (a job was created, confirmed, cancelled, re-prioritised). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Resolves once every phase (preparing, finishing, a report flush) and every chunk started so far has ended,
   * with whatever they started in turn. For driving ticks by hand: tick(), settled(), look at the store.
   */
  async settled(): Promise<void> {
    while (this.phases.size > 0 || this.slots.size > 0) {
      await Promise.all([...this.phases.values(), this.slots.settled()]);
    }
    await this.slots.settled();
  }

  /**
   * Graceful stop: lease nothing new, let running chunks finish within the grace period, then give back
   * the ones still running (their tasks are re-run by the next worker: at-least-once, counted once).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.slots.stop();
    this.wake();
    await this.loopDone;
    await this.slots.drain(this.deps.options.shutdownGraceMs);
    await within(Promise.all(this.phases.values()), this.deps.options.shutdownGraceMs);
    clearInterval(this.heartbeat);
    await this.executor.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let wait = this.deps.options.pollMs;
      let backingOff = false;
      try {
        await this.tick();
        this.tickFailures = 0;
        this.outage.recovered();
      } catch (e) {
        if (this.outage.failed(e, "engine tick")) {
          // Back off while the store is unavailable; only stop() cuts the wait short.
          wait = Math.max(wait, this.outage.delay(this.tickFailures++));
          backingOff = true;
        } else {
          this.deps.log.error({ err: e }, "engine tick failed");
        }
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        const cut = () => {
          clearTimeout(timer);
          resolve();
        };
        this.wakeUp = backingOff ? () => this.stopping && cut() : cut;
      });
      this.wakeUp = undefined;
    }
  }

  /**
   * One look at every unfinished job: prepare new ones, bring the execution slots in line with priorities,
   * move Active jobs that are done or failing on, finish the finishing ones, and lease chunks for free slots.
   * The work it starts (phases, chunks) runs on after it returns; settled() waits for it.
   */
  async tick(): Promise<void> {
    const { store, options } = this.deps;
    const now = this.deps.now();
    if (now - this.lastHousekeeping >= options.housekeepingMs) {
      this.lastHousekeeping = now;
      await this.housekeeping(now);
    }

    let jobs = await store.jobStatesIn(WATCHED);
    this.refreshStatuses(jobs);

    for (const job of jobs) {
      if (preparable(job, now) && this.countPhases("prepare") < options.prepareConcurrency) {
        this.runPhase(`prepare:${job.jobId}`, () => prepareJob(this.deps, job.jobId));
      }
    }

    const moves = planSchedule(jobs, options.maxActiveJobs);
    for (const move of moves) await store.transition(move.jobId, move.from, move.to, this.deps.now());
    if (moves.length > 0) {
      jobs = await store.jobStatesIn(WATCHED);
      this.refreshStatuses(jobs);
    }

    for (const job of jobs) {
      if (job.status === "Active") await this.checkActive(job);
      else if (job.status === "Pausing") await this.checkPausing(job);
      else if (FINISHING.has(job.status)) this.maybeFinalize(job.jobId);
    }

    const active = jobs.some((j) => j.status === "Active") ? await store.jobsIn(["Active"], this.deps.now()) : [];
    for (const job of active) this.maybeFlushReport(job);
    for (const jobId of this.reports.keys()) {
      if (this.statuses.get(jobId) !== "Active" && !this.phases.has(`flush:${jobId}`)) this.reports.delete(jobId);
    }
    const leaseFailure = await this.slots.fill(active);
    if (leaseFailure !== undefined) throw leaseFailure; // the loop logs it, and backs off if the store is down
  }

  private refreshStatuses(jobs: readonly JobState[]) {
    this.statuses.clear();
    for (const job of jobs) this.statuses.set(job.jobId, job.status);
  }

  /** Active -> Completing when every chunk is done; Active -> Failing past the failure threshold (D7). */
  private async checkActive(job: JobState) {
    const { store, options } = this.deps;
    if (exceedsFailureThreshold(job, options)) {
      // Chunks still in flight add their tasks before the job is Failed; the finaliser restates this entry
      // from the final counts (failure-threshold.ts).
      await store.transition(job.jobId, "Active", "Failing", this.deps.now(), {
        statusUpdateReason: "Job failed: too many tasks failed",
        failure: failureThresholdReason(job, options),
      });
      this.statuses.set(job.jobId, "Failing");
      return;
    }
    if (job.totalTasks < 0) return;
    const counts = await store.countChunks(job.jobId, this.deps.now());
    if (counts.pending + counts.running + counts.stale === 0) {
      if (await store.transition(job.jobId, "Active", "Completing", this.deps.now())) {
        this.statuses.set(job.jobId, "Completing");
        this.wake();
      }
    }
  }

  private async checkPausing(job: JobState) {
    if (this.slots.holdsChunksOf(job.jobId)) return;
    const counts = await this.deps.store.countChunks(job.jobId, this.deps.now());
    if (counts.running === 0) await this.deps.store.transition(job.jobId, "Pausing", "Paused", this.deps.now());
  }

  /** Finishes a Completing, Cancelling or Failing job once none of its chunks or report parts is in flight here. */
  private maybeFinalize(jobId: string) {
    const busy = this.phases.has(`finalize:${jobId}`) || this.phases.has(`flush:${jobId}`);
    if (!busy && !this.slots.holdsChunksOf(jobId)) {
      this.runPhase(`finalize:${jobId}`, () => finalizeJob(this.deps, jobId));
    }
  }

  /** Writes the ready parts of an Active job's report, at most every `reportFlushIntervalMs`. */
  private maybeFlushReport(job: Job) {
    const now = this.deps.now();
    let entry = this.reports.get(job.jobId);
    if (!entry) {
      entry = { report: reportFlusherFor(this.deps, job), lastFlush: now };
      this.reports.set(job.jobId, entry);
    }
    const { report } = entry;
    if (!report || now - entry.lastFlush < this.deps.options.reportFlushIntervalMs) return;
    entry.lastFlush = now;
    this.runPhase(`flush:${job.jobId}`, () => flushRunningReport(this.deps, job.jobId, report));
  }

  private async housekeeping(now: number) {
    const { store, options, log } = this.deps;
    for (const job of await store.jobStatesIn(["Suspended"])) {
      if (job.suspendedTime !== undefined && now - job.suspendedTime > options.suspendedTimeoutMs) {
        await store.transition(job.jobId, "Suspended", "Failing", now, {
          failure: {
            code: "ConfirmationTimeout",
            reason: `The job was not confirmed within ${Math.round(options.suspendedTimeoutMs / 86_400_000)} days.`,
          },
        });
      }
    }
    const purged = await store.purgeTerminatedBefore(now - options.retentionMs);
    if (purged > 0) log.info({ purged }, "purged finished jobs past retention");
  }

  // ---- phases -----------------------------------------------------------------------------------------------

  private countPhases(kind: string): number {
    let n = 0;
    for (const key of this.phases.keys()) if (key.startsWith(`${kind}:`)) n++;
    return n;
  }

  private runPhase(key: string, work: () => Promise<unknown>) {
    if (this.phases.has(key)) return;
    const done = work()
      .catch((e) => {
        // A phase cut short by the store is taken up again on a later tick (each one is safe to repeat).
        if (!this.outage.failed(e, `job phase ${key}`)) this.deps.log.error({ err: e, phase: key }, "job phase failed");
      })
      .finally(() => {
        this.phases.delete(key);
        this.wake();
      });
    this.phases.set(key, done);
  }
}
