/**
 * The engine: a loop that moves jobs through their lifecycle. Each tick it prepares new jobs, gives the
 * execution slots to the highest-priority jobs (pausing the ones that lose them), notices jobs that are
 * done or failing, finalises them, and keeps its chunk slots busy with leased chunks. Several engines may
 * share one PostgreSQL store: every move is a compare-and-set, chunks and phases are leased.
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
import { finalizeJob } from "./finalizer.js";
import { clipFailure, prepareJob } from "./preparer.js";
import { flushRunningReport, type JobReport, reportFlusherFor } from "./report-flush.js";
import { planSchedule } from "./scheduler.js";

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

  constructor(deps: Omit<EngineDeps, "owner"> & { owner?: string; executor: ChunkExecutor }) {
    const { executor, ...rest } = deps;
    this.deps = { ...rest, owner: deps.owner ?? `engine-${randomUUID()}` };
    this.executor = executor;
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
      try {
        await this.tick();
      } catch (e) {
        this.deps.log.error({ err: e }, "engine tick failed");
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.deps.options.pollMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
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
    await this.fillSlots();
  }

  private refreshStatuses(rows: readonly JobRow[]) {
    this.statuses.clear();
    for (const r of rows) this.statuses.set(r.job_id, r.status as JobStatus);
  }

  /** Active -> Completing when every chunk is done; Active -> Failing past the failure threshold (D7). */
  private async checkActive(row: JobRow) {
    const { store, options } = this.deps;
    const attempted = row.succeeded + row.failed;
    if (attempted >= options.failureThresholdTasks && row.failed / attempted > options.failureRatio) {
      const pct = Math.round((row.failed / attempted) * 100);
      await store.transition(row.job_id, "Active", "Failing", this.deps.now(), {
        statusUpdateReason: "Job failed: too many tasks failed",
        failure: clipFailure({
          code: "TaskFailureThresholdExceeded",
          reason: `${row.failed} of ${attempted} tasks attempted (${pct}%) failed, above the ${Math.round(options.failureRatio * 100)}% threshold.`,
        }),
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

  private async fillSlots(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      const { store, options } = this.deps;
      while (!this.stopping && this.running.size < options.chunkSlots) {
        const job = this.activeJobs.find(
          (j) => !this.exhausted.has(j.job_id) && this.statuses.get(j.job_id) === "Active",
        );
        if (!job) return;
        const token = randomUUID();
        const chunk = await store.leaseChunk(job.job_id, token, this.deps.now(), options.leaseMs);
        if (!chunk) {
          this.exhausted.add(job.job_id);
          continue;
        }
        this.startChunk(job, chunk);
      }
    } finally {
      this.filling = false;
    }
  }

  private startChunk(row: JobRow, chunk: LeasedChunk) {
    const entry: RunningChunk = {
      jobId: row.job_id,
      leaseToken: chunk.lease_token!,
      done: this.executor
        .execute(row, chunk)
        .then((execution) => this.recordChunk(row, chunk, execution))
        .catch((e) => this.chunkFailed(row, chunk, e))
        .finally(() => {
          this.running.delete(entry);
          void this.fillSlots();
          this.wake();
        }),
    };
    this.running.add(entry);
  }

  /** Exactly-once accounting happens here: only the current lease holder's results are recorded. */
  private async recordChunk(row: JobRow, chunk: LeasedChunk, execution: ChunkExecution) {
    const { store, log } = this.deps;
    if (execution.kind === "aborted") {
      await store.releaseChunk(row.job_id, chunk.seq, chunk.lease_token!);
      return;
    }
    const recorded = await store.completeChunk(
      row.job_id,
      chunk.seq,
      chunk.lease_token!,
      execution.results,
      this.deps.now(),
    );
    if (recorded) this.chunksRecorded++;
    else log.warn({ jobId: row.job_id, seq: chunk.seq }, "chunk lease was taken over; its results are discarded");
  }

  /** A chunk whose manifest range can no longer be read (deleted, changed) fails the job. */
  private async chunkFailed(row: JobRow, chunk: LeasedChunk, e: unknown) {
    const { store, log } = this.deps;
    await store.releaseChunk(row.job_id, chunk.seq, chunk.lease_token!);
    if (isStorageError(e) && !e.retryable) {
      log.warn({ jobId: row.job_id, seq: chunk.seq, err: e }, "manifest chunk unreadable; failing the job");
      await store.transition(row.job_id, "Active", "Failing", this.deps.now(), {
        failure: clipFailure({ code: e.code, reason: `Reading the manifest failed: ${e.message}` }),
      });
      this.statuses.set(row.job_id, "Failing");
      this.executor.updateStatuses(this.statuses);
    } else {
      log.error({ jobId: row.job_id, seq: chunk.seq, err: e }, "chunk failed; it will be retried");
      this.exhausted.add(row.job_id);
    }
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
      .catch((e) => this.deps.log.error({ err: e, phase: key }, "job phase failed"))
      .finally(() => {
        this.phases.delete(key);
        this.wake();
      });
    this.phases.set(key, done);
  }
}
