/**
 * The engine: a loop that moves jobs through their lifecycle. Each tick it prepares new jobs, gives the
 * execution slots to the highest-priority jobs (pausing the ones that lose them), notices jobs that are
 * done or failing, finalises them, and keeps its chunk slots busy with leased chunks. Several engines may
 * share one PostgreSQL store: every move is a compare-and-set, chunks and phases are leased. A store that is
 * down or cannot write never ends the process: every store call is retried with backoff (store-outage.ts).
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { isTerminal, JOB_STATUSES, type JobStatus } from "../domain/status.js";
import { isStorageError } from "../storage/types.js";
import type { LeasedChunk } from "../store/chunks/lease-chunk.js";
import { type JobRow, rowToJob } from "../store/job-row.js";
import type { ChunkExecution } from "./chunk-runner.js";
import type { EngineDeps } from "./deps.js";
import type { ChunkExecutor } from "./executor.js";
import { exceedsFailureThreshold, failureThresholdReason } from "./failure-threshold.js";
import { finalizeJob } from "./finalizer.js";
import { clipFailure, prepareJob } from "./preparer.js";
import { flushRunningReport, type JobReport, reportFlusherFor } from "./report-flush.js";
import { planSchedule } from "./scheduler.js";
import { StoreOutage } from "./store-outage.js";

/** The engine looks after every job that has not finished. */
const WATCHED: readonly JobStatus[] = JOB_STATUSES.filter((s) => !isTerminal(s));

interface RunningChunk {
  readonly jobId: string;
  readonly leaseToken: string;
  readonly done: Promise<void>;
}

export class Engine {
  private readonly deps: EngineDeps;
  private readonly executor: ChunkExecutor;
  private readonly statuses = new Map<string, JobStatus>();
  private readonly running = new Set<RunningChunk>();
  private readonly phases = new Map<string, Promise<unknown>>();
  /** Per Active job with a report: its flusher (which remembers how far it looked) and when it last ran. */
  private readonly reports = new Map<string, { report: JobReport | undefined; lastFlush: number }>();
  private activeJobs: JobRow[] = [];
  private exhausted = new Set<string>();
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastHousekeeping = 0;
  private filling = false;
  private chunksRecorded = 0;
  private readonly outage: StoreOutage;
  /** Ticks in a row that failed for an unavailable store: the loop backs off by them. */
  private tickFailures = 0;
  /** Aborted by stop(): cuts short the waits between store retries. */
  private readonly stopped = new AbortController();

  constructor(deps: Omit<EngineDeps, "owner"> & { owner?: string; executor: ChunkExecutor }) {
    const { executor, ...rest } = deps;
    this.deps = { ...rest, owner: deps.owner ?? `engine-${randomUUID()}` };
    this.executor = executor;
    this.outage = new StoreOutage(this.deps.log, this.deps.options.storeRetryMaxDelayMs);
  }

  start(): void {
    if (this.loopDone) return;
    this.heartbeat = setInterval(() => void this.renewLeases(), Math.max(100, this.deps.options.leaseMs / 3));
    this.heartbeat.unref();
    this.loopDone = this.loop();
  }

  /** What this engine has done since it started, and each job's pacing (adaptive concurrency, throttles). */
  get stats() {
    return {
      chunksRecorded: this.chunksRecorded,
      chunksRunning: this.running.size,
      jobs: this.executor.throttleStats?.() ?? new Map(),
    };
  }

  /** Ask for a tick soon (a job was created, confirmed, cancelled, re-prioritised). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Graceful stop: lease nothing new, let running chunks finish within the grace period, then give back
   * the ones still running (their tasks are re-run by the next worker: at-least-once, counted once).
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopped.abort();
    this.wake();
    await this.loopDone;
    const all = () => Promise.all([...this.running].map((r) => r.done));
    const inTime = await Promise.race([
      all().then(() => true),
      sleep(this.deps.options.shutdownGraceMs).then(() => false),
    ]);
    if (!inTime) {
      this.executor.abort();
      await all();
    }
    await Promise.race([Promise.all(this.phases.values()), sleep(this.deps.options.shutdownGraceMs)]);
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

  async tick(): Promise<void> {
    const { store, options } = this.deps;
    const now = this.deps.now();
    if (now - this.lastHousekeeping >= options.housekeepingMs) {
      this.lastHousekeeping = now;
      await this.housekeeping(now);
    }

    let rows = await store.jobsInStatuses(WATCHED);
    this.refreshStatuses(rows);

    for (const row of rows) {
      const preparable =
        row.status === "New" ||
        (row.status === "Preparing" && (row.phase_owner === null || (row.phase_expires ?? 0) < now));
      if (preparable && this.countPhases("prepare") < options.prepareConcurrency) {
        this.runPhase(`prepare:${row.job_id}`, () => prepareJob(this.deps, row.job_id));
      }
    }

    const moves = planSchedule(
      rows.map((r) => ({
        jobId: r.job_id,
        status: r.status as JobStatus,
        priority: r.priority,
        creationTime: r.creation_time,
      })),
      options.maxActiveJobs,
    );
    for (const move of moves) await store.transition(move.jobId, move.from, move.to, this.deps.now());
    if (moves.length > 0) {
      rows = await store.jobsInStatuses(WATCHED);
      this.refreshStatuses(rows);
    }

    for (const row of rows) {
      if (row.status === "Active") {
        await this.checkActive(row);
        this.maybeFlushReport(row);
      } else if (row.status === "Pausing") await this.checkPausing(row);
      else if (row.status === "Completing" || row.status === "Cancelling" || row.status === "Failing") {
        const busy = this.phases.has(`finalize:${row.job_id}`) || this.phases.has(`flush:${row.job_id}`);
        if (!busy && !this.holdsChunksOf(row.job_id)) {
          this.runPhase(`finalize:${row.job_id}`, () => finalizeJob(this.deps, row.job_id));
        }
      }
    }

    this.activeJobs = rows.filter((r) => r.status === "Active");
    for (const jobId of this.reports.keys()) {
      if (this.statuses.get(jobId) !== "Active" && !this.phases.has(`flush:${jobId}`)) this.reports.delete(jobId);
    }
    this.exhausted = new Set();
    this.executor.updateStatuses(this.statuses);
    const leaseFailure = await this.fillSlots();
    if (leaseFailure !== undefined) throw leaseFailure; // the loop logs it, and backs off if the store is down
  }

  private refreshStatuses(rows: readonly JobRow[]) {
    this.statuses.clear();
    for (const r of rows) this.statuses.set(r.job_id, r.status as JobStatus);
  }

  /** Active -> Completing when every chunk is done; Active -> Failing past the failure threshold (D7). */
  private async checkActive(row: JobRow) {
    const { store, options } = this.deps;
    if (exceedsFailureThreshold(row, options)) {
      // Chunks still in flight add their tasks before the job is Failed; the finaliser restates this entry
      // from the final counts (failure-threshold.ts).
      await store.transition(row.job_id, "Active", "Failing", this.deps.now(), {
        statusUpdateReason: "Job failed: too many tasks failed",
        failure: failureThresholdReason(row, options),
      });
      this.statuses.set(row.job_id, "Failing");
      return;
    }
    if (row.total_tasks < 0) return;
    const counts = await store.countChunks(row.job_id, this.deps.now());
    if (counts.pending + counts.running + counts.stale === 0) {
      if (await store.transition(row.job_id, "Active", "Completing", this.deps.now())) {
        this.statuses.set(row.job_id, "Completing");
        this.wake();
      }
    }
  }

  /** Writes the ready parts of an Active job's report, at most every `reportFlushIntervalMs`. */
  private maybeFlushReport(row: JobRow) {
    const now = this.deps.now();
    let entry = this.reports.get(row.job_id);
    if (!entry) {
      entry = { report: reportFlusherFor(this.deps, rowToJob(row, now)), lastFlush: now };
      this.reports.set(row.job_id, entry);
    }
    const { report } = entry;
    if (!report || now - entry.lastFlush < this.deps.options.reportFlushIntervalMs) return;
    entry.lastFlush = now;
    this.runPhase(`flush:${row.job_id}`, () => flushRunningReport(this.deps, row.job_id, report));
  }

  private async checkPausing(row: JobRow) {
    if (this.holdsChunksOf(row.job_id)) return;
    const counts = await this.deps.store.countChunks(row.job_id, this.deps.now());
    if (counts.running === 0) await this.deps.store.transition(row.job_id, "Pausing", "Paused", this.deps.now());
  }

  private async housekeeping(now: number) {
    const { store, options, log } = this.deps;
    for (const row of await store.jobsInStatuses(["Suspended"])) {
      if (row.suspended_time !== null && now - row.suspended_time > options.suspendedTimeoutMs) {
        await store.transition(row.job_id, "Suspended", "Failing", now, {
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

  // ---- chunks -----------------------------------------------------------------------------------------------

  /**
   * Leases chunks while slots are free. Never rejects: a store call that fails stops the filling until next
   * time, and its error is returned.
   */
  private async fillSlots(): Promise<unknown> {
    if (this.filling) return undefined;
    this.filling = true;
    try {
      const { store, options } = this.deps;
      while (!this.stopping && this.running.size < options.chunkSlots) {
        const job = this.activeJobs.find(
          (j) => !this.exhausted.has(j.job_id) && this.statuses.get(j.job_id) === "Active",
        );
        if (!job) return undefined;
        const token = randomUUID();
        const chunk = await store.leaseChunk(job.job_id, token, this.deps.now(), options.leaseMs);
        if (!chunk) {
          this.exhausted.add(job.job_id);
          continue;
        }
        this.startChunk(job, chunk);
      }
      return undefined;
    } catch (e) {
      return e;
    } finally {
      this.filling = false;
    }
  }

  private startChunk(row: JobRow, chunk: LeasedChunk) {
    const entry: RunningChunk = {
      jobId: row.job_id,
      leaseToken: chunk.lease_token!,
      done: this.runChunk(row, chunk).finally(() => {
        this.running.delete(entry);
        void this.fillSlots().then((e) => {
          if (e !== undefined && !this.outage.failed(e, "leasing a chunk")) {
            this.deps.log.error({ err: e }, "leasing a chunk failed");
          }
        });
        this.wake();
      }),
    };
    this.running.add(entry);
  }

  /** Runs a leased chunk and records what came of it. Never rejects (stop() awaits it). */
  private async runChunk(row: JobRow, chunk: LeasedChunk): Promise<void> {
    let execution: ChunkExecution;
    try {
      execution = await this.executor.execute(row, chunk);
    } catch (e) {
      await this.chunkFailed(row, chunk, e);
      return;
    }
    try {
      await this.recordChunk(row, chunk, execution);
    } catch (e) {
      // Only when stopping, or for an error that is not the store's being unavailable: the chunk keeps its
      // lease until it expires, then runs again, and whoever holds it then records it once.
      this.deps.log.warn(
        { jobId: row.job_id, seq: chunk.seq, err: e },
        "a chunk's results could not be recorded; the chunk runs again once its lease expires",
      );
    }
  }

  /**
   * Exactly-once accounting happens here: only the current lease holder's results are recorded. While the store
   * is unavailable the results wait here and recording is retried with backoff; the lease check makes a late
   * record safe (a chunk taken over meanwhile is recorded by its new holder, never twice).
   */
  private async recordChunk(row: JobRow, chunk: LeasedChunk, execution: ChunkExecution) {
    const { store, log } = this.deps;
    if (execution.kind === "aborted") {
      await this.storeRetry("giving back a chunk", () => store.releaseChunk(row.job_id, chunk.seq, chunk.lease_token!));
      return;
    }
    const recorded = await this.storeRetry("recording a chunk", () =>
      store.completeChunk(row.job_id, chunk.seq, chunk.lease_token!, execution.results, this.deps.now()),
    );
    if (recorded) this.chunksRecorded++;
    else {
      log.warn(
        { jobId: row.job_id, seq: chunk.seq },
        "chunk lease was taken over (or an earlier attempt recorded it); these results are discarded",
      );
    }
  }

  /** A chunk whose manifest range can no longer be read (deleted, changed) fails the job. Never rejects. */
  private async chunkFailed(row: JobRow, chunk: LeasedChunk, e: unknown) {
    const { store, log } = this.deps;
    try {
      await this.storeRetry("giving back a failed chunk", () =>
        store.releaseChunk(row.job_id, chunk.seq, chunk.lease_token!),
      );
      if (isStorageError(e) && !e.retryable) {
        log.warn({ jobId: row.job_id, seq: chunk.seq, err: e }, "manifest chunk unreadable; failing the job");
        await this.storeRetry("failing a job", () =>
          store.transition(row.job_id, "Active", "Failing", this.deps.now(), {
            failure: clipFailure({ code: e.code, reason: `Reading the manifest failed: ${e.message}` }),
          }),
        );
        this.statuses.set(row.job_id, "Failing");
        this.executor.updateStatuses(this.statuses);
      } else {
        log.error({ jobId: row.job_id, seq: chunk.seq, err: e }, "chunk failed; it will be retried");
        this.exhausted.add(row.job_id);
      }
    } catch (err) {
      log.warn(
        { jobId: row.job_id, seq: chunk.seq, err },
        "a failed chunk could not be given back; it runs again once its lease expires",
      );
    }
  }

  /** Runs a store call again while the store is unavailable, until it succeeds or the engine stops. */
  private storeRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.outage.retry(what, call, () => this.stopping, this.stopped.signal);
  }

  private holdsChunksOf(jobId: string): boolean {
    for (const r of this.running) if (r.jobId === jobId) return true;
    return false;
  }

  private async renewLeases() {
    const tokens = [...this.running].map((r) => r.leaseToken);
    try {
      await this.deps.store.renewLeases(tokens, this.deps.now() + this.deps.options.leaseMs);
    } catch (e) {
      // While the store is down the leases may run out; a chunk taken over meanwhile is recorded by its new holder.
      if (!this.outage.failed(e, "renewing chunk leases"))
        this.deps.log.error({ err: e }, "renewing chunk leases failed");
    }
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
