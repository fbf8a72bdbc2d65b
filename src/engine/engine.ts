/**
 * The engine: a loop that moves jobs through their lifecycle. Each tick it prepares new jobs, gives the
 * execution slots to the highest-priority jobs (pausing the ones that lose them), notices jobs that are
 * done or failing, finalises them, and keeps its chunk slots busy with leased chunks. Several engines may
 * share one PostgreSQL store: every move is a compare-and-set, chunks and phases are leased. A store that is
 * down or cannot write never ends the process: every store call is retried with backoff (store-outage.ts).
 *
 * A tick costs the same however many jobs wait: it reads only what it can act on, through indexes
 * (store/jobs/queue-reads.ts): the jobs holding execution slots and the few that could win one, a few jobs to
 * finish, and the jobs whose chunks run here; the engine keeps state only for those. Preparing is not paced by
 * ticks: up to `prepareConcurrency` jobs are prepared at once, claimed in queue order and in batches as room
 * frees, until none is left (startPreparing; preparer.ts).
 */
import { randomUUID } from "node:crypto";
import type { Job } from "../domain/job.js";
import type { JobState } from "../domain/job-state.js";
import type { JobStatus } from "../domain/status.js";
import { ChunkSlots } from "./chunk-slots.js";
import type { EngineDeps } from "./deps.js";
import type { ChunkExecutor } from "./executor.js";
import { exceedsFailureThreshold, failureThresholdReason } from "./failure-threshold.js";
import { finalizeJob } from "./finalizer.js";
import { claimNext, prepareClaimed } from "./preparer.js";
import { flushRunningReport, type JobReport, reportFlusherFor } from "./report-flush.js";
import { planSchedule } from "./scheduler.js";
import { StoreOutage } from "./store-outage.js";
import { within } from "./within.js";

/** Jobs finalised at once by one engine. */
const FINALIZING_AT_ONCE = 4;

/** Suspended jobs failed for their confirmation timeout, and finished jobs purged, per tick at most (D4, D8). */
const HOUSEKEEPING_BATCH = 100;
/** Job events past retention deleted per housekeeping round (D34): small rows, one range of ids. */
const EVENT_PURGE_BATCH = 1_000;

/**
 * The shortest gap between two ticks that wakes asked for: a burst of wakes (a CreateJob each, a prepared job
 * each) costs a tick every MIN_WAKE_GAP_MS at most, not one per wake.
 */
const MIN_WAKE_GAP_MS = 50;
/** The phase that claims jobs to prepare (startPreparing). */
const CLAIMER = "prepare:claimer";
/** How often running chunks' counts so far are written for their jobs' live progress (D30). */
const LIVE_PROGRESS_EVERY_MS = 1000;

/**
 * How long the loop waits for its next look when nothing wakes it: pollMs while there is work here, and after
 * `idleTicks` looks in a row that found none, twice as long each time up to idlePollMs (never below pollMs). An
 * idle `objbatch worker` on a shared store thus asks it a few questions every idlePollMs instead of every pollMs.
 */
export function idleWait(idleTicks: number, options: { readonly pollMs: number; readonly idlePollMs: number }): number {
  if (idleTicks <= 0) return options.pollMs;
  const cap = Math.max(options.pollMs, options.idlePollMs);
  return Math.min(cap, options.pollMs * 2 ** Math.min(idleTicks, 30));
}

export class Engine {
  private readonly deps: EngineDeps;
  private readonly executor: ChunkExecutor;
  /*
   * The engine's per-job state is bounded by what it acts on, never by the number of unfinished jobs:
   * - statuses: rebuilt every tick from the Active jobs (the scheduler keeps them to maxActiveJobs), the Pausing
   *   ones (each waits only for chunks in flight, so no more than the chunk slots running them), at most
   *   FINALIZING_AT_ONCE + finalising + chunkSlots finishing jobs, and the jobs of the chunks running here (at
   *   most chunkSlots);
   * - phases: the preparing claimer and at most prepareConcurrency preparations, FINALIZING_AT_ONCE finalisations, and a report flush
   *   per Active job;
   * - reports: one per Active job with a report, dropped once the job is no longer Active.
   */
  private readonly statuses = new Map<string, JobStatus>();
  private readonly slots: ChunkSlots;
  private readonly phases = new Map<string, Promise<unknown>>();
  /** Per Active job with a report: its flusher (which remembers how far it looked) and when it last ran. */
  private readonly reports = new Map<string, { report: JobReport | undefined; lastFlush: number }>();
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Writes running chunks' counts so far, so a job's progress moves every second (D30). */
  private progressTimer: NodeJS.Timeout | undefined;
  private lastHousekeeping = 0;
  private readonly outage: StoreOutage;
  /** Ticks in a row that failed for an unavailable store: the loop backs off by them. */
  private tickFailures = 0;
  /** wake() was called since the last tick began: the loop ticks again without waiting for pollMs. */
  private wakeRequested = false;
  /** Ticks in a row, since the last wake, that found nothing to do here: the loop waits longer (idleWait). */
  private idleTicks = 0;
  /** The last tick found nothing to do here. */
  private lastTickIdle = false;
  /** Preparations running, and the last time the claimer looked for a Preparing job whose preparer died. */
  private preparing = 0;
  private lastRestartLook = Number.NEGATIVE_INFINITY;
  /** The preparing queue may hold jobs this engine has not claimed (a wake, a tick, or a full claim said so). */
  private prepareWanted = false;
  /** Housekeeping found more to do than one batch: it runs again next tick. */
  private housekeepingLeft = false;

  /** `deps.now` is the engine's clock: a test injects one and calls tick() itself instead of start(). */
  constructor(deps: Omit<EngineDeps, "owner"> & { owner?: string; executor: ChunkExecutor }) {
    const { executor, ...rest } = deps;
    this.deps = { ...rest, owner: deps.owner ?? `engine-${randomUUID()}` };
    this.executor = executor;
    this.outage = new StoreOutage(this.deps.log, this.deps.options.storeRetryMaxDelayMs);
    this.slots = new ChunkSlots(this.deps, executor, this.outage, this.statuses, () => this.requestTick());
  }

  start(): void {
    if (this.loopDone) return;
    this.heartbeat = setInterval(() => void this.slots.renewLeases(), Math.max(100, this.deps.options.leaseMs / 3));
    this.heartbeat.unref();
    this.progressTimer = setInterval(() => void this.slots.writeLiveProgress(), LIVE_PROGRESS_EVERY_MS);
    this.progressTimer.unref();
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

  /**
   * A job changed: ask for a tick soon (a job was confirmed, cancelled, re-prioritised, paused, resumed). A
   * created job needs no tick, only preparing: while the loop runs, the claimer takes it at once if there is
   * room to prepare it, and the preparation wakes the engine if the job became Ready.
   */
  wake(change: "created" | "changed" = "changed"): void {
    if (this.loopDone) this.startPreparing();
    if (change === "changed" || !this.loopDone) this.requestTick();
  }

  /** A tick soon: after the shortest gap (MIN_WAKE_GAP_MS) since the last one began. */
  private requestTick(): void {
    this.wakeRequested = true;
    this.idleTicks = 0;
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
    clearInterval(this.progressTimer);
    await this.executor.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let backingOff = false;
      // Real, monotonic time, not deps.now(): it paces real timers, and an injected clock must not stall them.
      const started = performance.now();
      this.wakeRequested = false;
      let wait = this.deps.options.pollMs;
      try {
        await this.tick();
        this.tickFailures = 0;
        this.outage.recovered();
        this.idleTicks = this.lastTickIdle && !this.wakeRequested ? this.idleTicks + 1 : 0;
        wait = idleWait(this.idleTicks, this.deps.options);
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
      // A wake that came during the tick is not lost: the next tick follows after the shortest gap.
      const gap = () => Math.max(0, MIN_WAKE_GAP_MS - (performance.now() - started));
      if (this.wakeRequested && !backingOff) wait = Math.min(wait, gap());
      await new Promise<void>((resolve) => {
        let timer = setTimeout(resolve, wait);
        this.wakeUp = () => {
          if (backingOff && !this.stopping) return;
          clearTimeout(timer);
          timer = setTimeout(resolve, backingOff ? 0 : gap());
        };
      });
      this.wakeUp = undefined;
    }
  }

  /**
   * One look at the jobs the engine can act on: prepare new ones, bring the execution slots in line with
   * priorities, move Active jobs that are done or failing on, finish the finishing ones, and lease chunks for free
   * slots. Every read is bounded (store/jobs/queue-reads.ts), whatever the backlog. The work it starts (phases,
   * chunks) runs on after it returns; settled() waits for it.
   */
  async tick(): Promise<void> {
    const { store, options } = this.deps;
    const now = this.deps.now();
    if (this.housekeepingLeft || now - this.lastHousekeeping >= options.housekeepingMs) {
      this.lastHousekeeping = now;
      this.housekeepingLeft = await this.housekeeping(now);
    }

    let jobs = await store.schedulableJobStates(options.maxActiveJobs);
    const moves = planSchedule(jobs, options.maxActiveJobs);
    for (const move of moves) await store.transition(move.jobId, move.from, move.to, this.deps.now());
    if (moves.length > 0) jobs = await store.schedulableJobStates(options.maxActiveJobs);
    const running = jobs.filter((j) => j.status === "Active" || j.status === "Pausing");
    const finishing = await store.finishingJobStates(
      this.deps.owner,
      this.deps.now(),
      FINALIZING_AT_ONCE + this.countPhases("finalize") + this.slots.size,
    );
    // Jobs whose chunks run here, whatever their status now: their running chunks must learn it (executor.ts).
    const known = new Set([...running, ...finishing].map((j) => j.jobId));
    const held = await store.jobStatesOf(this.slots.jobIds().filter((id) => !known.has(id)));
    this.refreshStatuses([...running, ...finishing, ...held]);

    for (const job of running) {
      if (job.status === "Active") await this.checkActive(job);
      else await this.checkPausing(job);
    }
    for (const job of finishing) this.maybeFinalize(job.jobId);

    const active = running.some((j) => this.statuses.get(j.jobId) === "Active")
      ? await store.jobsIn(["Active"], this.deps.now())
      : [];
    for (const job of active) this.maybeFlushReport(job);
    for (const jobId of this.reports.keys()) {
      if (this.statuses.get(jobId) !== "Active" && !this.phases.has(`flush:${jobId}`)) this.reports.delete(jobId);
    }
    // Nothing here to watch over: no job running, pausing or finishing, no chunk, no phase (a preparation, a
    // finalisation, a flush). A job the claimer below prepares wakes the loop when it becomes Ready.
    this.lastTickIdle =
      running.length === 0 &&
      finishing.length === 0 &&
      held.length === 0 &&
      this.slots.size === 0 &&
      this.phases.size === 0 &&
      !this.housekeepingLeft;
    // Preparing starts once this tick has decided: a job it prepares is scheduled by the next tick, never halfway
    // through this one.
    this.startPreparing();
    const leaseFailure = await this.slots.fill(active);
    if (leaseFailure !== undefined) throw leaseFailure; // the loop logs it, and backs off if the store is down
  }

  /**
   * Asks for jobs to be prepared: the claimer (one phase) takes as many New jobs as there is room for (up to
   * `prepareConcurrency` preparations at once) in one statement, and starts a preparation for each; each that
   * ends makes room, and the claimer takes more while the queue may hold some: its last claim was full, or a
   * wake or tick asked since. So a backlog is claimed in batches without waiting for ticks, the preparations
   * that end together are finished in one commit (store group commit, D49), and an empty queue costs one query a
   * tick. Now and then (a third of a lease) the claimer first looks for a Preparing job whose preparer died.
   */
  private startPreparing() {
    this.prepareWanted = true;
    if (this.stopping || this.phases.has(CLAIMER)) return;
    this.runPhase(CLAIMER, () => this.claimPreparations(), { wake: false });
  }

  private async claimPreparations() {
    const { options } = this.deps;
    // One turn of the event loop first: the preparations that ended in one commit all make room, and share a claim.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!this.stopping && this.prepareWanted) {
      const room = options.prepareConcurrency - this.preparing;
      // Full: the next preparation to end calls startPreparing again, and prepareWanted stays for it.
      if (room <= 0) return;
      this.prepareWanted = false;
      const now = this.deps.now();
      if (now - this.lastRestartLook >= options.leaseMs / 3) {
        this.lastRestartLook = now;
        for (const job of await claimNext(this.deps, "Preparing", 1)) this.startPreparation(job, true);
        if (this.preparing >= options.prepareConcurrency) {
          this.prepareWanted = true;
          return;
        }
      }
      const free = options.prepareConcurrency - this.preparing;
      const jobs = await claimNext(this.deps, "New", free);
      for (const job of jobs) this.startPreparation(job, false);
      // A full claim may have left more behind.
      if (jobs.length === free) this.prepareWanted = true;
    }
  }

  /**
   * Prepares one claimed job as a phase of its own. A job that became Ready wakes the engine, so that the next
   * tick schedules it; one that waits for confirmation (Suspended) has nothing for a tick to do.
   */
  private startPreparation(job: Job, restarted: boolean) {
    const key = `prepare:${job.jobId}`;
    // Taken over from this engine itself (its claim ran out while the store was away): the preparation under
    // way goes on, under the renewed claim.
    if (this.phases.has(key)) return;
    this.preparing++;
    this.runPhase(
      key,
      async () => {
        try {
          const to = await prepareClaimed(this.deps, job.jobId, job, restarted);
          if (to === "Ready") this.requestTick();
        } finally {
          this.preparing--;
          if (this.prepareWanted) this.startPreparing();
        }
      },
      { wake: false },
    );
  }

  /**
   * The statuses the chunk slots and the executor go by: the jobs holding or giving up execution slots, the ones
   * being finished, and any whose chunks run here. Bounded like the reads; the executor forgets the rest.
   */
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
    if (!(await store.hasUnfinishedChunks(job.jobId))) {
      if (await store.transition(job.jobId, "Active", "Completing", this.deps.now())) {
        this.statuses.set(job.jobId, "Completing");
        this.requestTick();
      }
    }
  }

  private async checkPausing(job: JobState) {
    if (this.slots.holdsChunksOf(job.jobId)) return;
    if (!(await this.deps.store.hasRunningChunks(job.jobId, this.deps.now()))) {
      await this.deps.store.transition(job.jobId, "Pausing", "Paused", this.deps.now());
    }
  }

  /**
   * Finishes a Completing, Cancelling or Failing job once none of its chunks or report parts is in flight here,
   * FINALIZING_AT_ONCE at a time.
   */
  private maybeFinalize(jobId: string) {
    const busy = this.phases.has(`finalize:${jobId}`) || this.phases.has(`flush:${jobId}`);
    if (!busy && !this.slots.holdsChunksOf(jobId) && this.countPhases("finalize") < FINALIZING_AT_ONCE) {
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

  /**
   * Fails the Suspended jobs past their confirmation timeout (D4), purges finished jobs past retention (D8) and
   * job events past theirs (D34), a batch of each, oldest first, through indexes. Returns true when a batch was full: more is left for next tick.
   */
  private async housekeeping(now: number): Promise<boolean> {
    const { store, options, log } = this.deps;
    const expired = await store.suspendedBefore(now - options.suspendedTimeoutMs, HOUSEKEEPING_BATCH);
    for (const job of expired) {
      await store.transition(job.jobId, "Suspended", "Failing", now, {
        failure: {
          code: "ConfirmationTimeout",
          reason: `The job was not confirmed within ${Math.round(options.suspendedTimeoutMs / 86_400_000)} days.`,
        },
      });
    }
    const purged = await store.purgeTerminatedBefore(now - options.retentionMs, HOUSEKEEPING_BATCH, now);
    if (purged > 0) log.info({ purged }, "purged finished jobs past retention");
    const events = await store.purgeEventsBefore(now - options.eventRetentionMs, EVENT_PURGE_BATCH);
    if (events > 0) log.info({ events }, "purged job events past retention");
    return expired.length === HOUSEKEEPING_BATCH || purged === HOUSEKEEPING_BATCH || events === EVENT_PURGE_BATCH;
  }

  // ---- phases -----------------------------------------------------------------------------------------------

  private countPhases(kind: string): number {
    let n = 0;
    for (const key of this.phases.keys()) if (key.startsWith(`${kind}:`)) n++;
    return n;
  }

  /** Runs `work` as the phase `key` (once at a time); when it ends the engine is woken, unless `wake` is false. */
  private runPhase(key: string, work: () => Promise<unknown>, options: { wake?: boolean } = {}) {
    if (this.phases.has(key)) return;
    const done = work()
      .catch((e) => {
        // A phase cut short by the store is taken up again on a later tick (each one is safe to repeat).
        if (!this.outage.failed(e, `job phase ${key}`)) this.deps.log.error({ err: e, phase: key }, "job phase failed");
      })
      .finally(() => {
        this.phases.delete(key);
        if (options.wake !== false) this.requestTick();
      });
    this.phases.set(key, done);
  }
}
