/**
 * The engine's chunk slots: while a slot is free, lease the next chunk of the highest-priority Active job, run
 * it on the executor, and record what came of it. Exactly-once accounting happens here: only the current lease
 * holder's results are recorded (store/chunks/complete-chunk.ts), so a chunk that ran twice counts once. A
 * store that is down never loses results: recording waits and retries with backoff (store-outage.ts).
 */
import { randomUUID } from "node:crypto";
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import { isStorageError } from "../storage/errors.js";
import type { LeasedChunk } from "../store/chunks/lease-chunk.js";
import { type ChunkExecution, withoutRows } from "./chunk-runner.js";
import type { EngineDeps } from "./deps.js";
import { clipFailure } from "./errors.js";
import type { ChunkExecutor } from "./executor.js";
import type { StoreOutage } from "./store-outage.js";
import { within } from "./within.js";

interface RunningChunk {
  readonly jobId: string;
  readonly seq: number;
  readonly leaseToken: string;
  readonly done: Promise<void>;
  /** The chunk's finished tasks as its executor last told them, and as last written to the store (D30). */
  readonly live: LiveCounts;
}

interface LiveCounts {
  succeeded: number;
  failed: number;
  written: number;
}

export class ChunkSlots {
  private readonly running = new Set<RunningChunk>();
  /** The Active jobs as of the last tick, highest priority first. */
  private activeJobs: readonly Job[] = [];
  /** Jobs that had no chunk to lease since the last tick. */
  private exhausted = new Set<string>();
  private filling: Promise<unknown> | undefined;
  private stopping = false;
  /** Aborted by stop(): cuts short the waits between store retries. */
  private readonly stopped = new AbortController();
  /** Chunks whose results this engine recorded since it started. */
  recorded = 0;
  private writingProgress = false;

  /**
   * `statuses` is the engine's view of each job's status, shared: a chunk whose manifest cannot be read moves
   * its job to Failing in it. `wake` asks the engine for a tick soon.
   */
  constructor(
    private readonly deps: EngineDeps,
    private readonly executor: ChunkExecutor,
    private readonly outage: StoreOutage,
    private readonly statuses: Map<string, JobStatus>,
    private readonly wake: () => void,
  ) {}

  /** Chunks running now. */
  get size(): number {
    return this.running.size;
  }

  /** The jobs whose chunks run here now. */
  jobIds(): string[] {
    return [...new Set([...this.running].map((r) => r.jobId))];
  }

  holdsChunksOf(jobId: string): boolean {
    for (const r of this.running) if (r.jobId === jobId) return true;
    return false;
  }

  /**
   * Brings the executor up to date with the statuses, then leases chunks of `activeJobs` while slots are free.
   * Never rejects: a store call that fails stops the filling until next time, and its error is returned.
   */
  fill(activeJobs: readonly Job[]): Promise<unknown> {
    this.activeJobs = activeJobs;
    this.exhausted = new Set();
    this.executor.updateStatuses(this.statuses);
    return this.fillSlots();
  }

  /** Lease nothing new, and stop retrying store calls; running chunks go on. */
  stop(): void {
    this.stopping = true;
    this.stopped.abort();
  }

  /**
   * Lets the running chunks finish within `graceMs`, then has the executor cut the rest short: those are given
   * back, and the next worker runs them again (at-least-once, counted once).
   */
  async drain(graceMs: number): Promise<void> {
    const all = () => Promise.all([...this.running].map((r) => r.done));
    if (!(await within(all(), graceMs))) {
      this.executor.abort();
      await all();
    }
  }

  /** Resolves once no chunk runs or is being leased, including chunks leased meanwhile. */
  async settled(): Promise<void> {
    for (;;) {
      const pending: Promise<unknown>[] = [...this.running].map((r) => r.done);
      if (this.filling) pending.push(this.filling);
      if (pending.length === 0) return;
      await Promise.all(pending);
    }
  }

  /** Heartbeat: pushes back the expiry of the leases of the chunks running now. */
  async renewLeases(): Promise<void> {
    const tokens = [...this.running].map((r) => r.leaseToken);
    try {
      await this.deps.store.renewLeases(tokens, this.deps.now() + this.deps.options.leaseMs);
    } catch (e) {
      // While the store is down the leases may run out; a chunk taken over meanwhile is recorded by its new holder.
      if (!this.outage.failed(e, "renewing chunk leases")) {
        this.deps.log.error({ err: e }, "renewing chunk leases failed");
      }
    }
  }

  /**
   * Writes what the running chunks have done since the last call, for their jobs' live progress (D30); the engine
   * calls it every second. Never rejects: a store that is down only delays the progress shown.
   */
  async writeLiveProgress(): Promise<void> {
    if (this.writingProgress) return;
    const changed = [...this.running].filter((r) => r.live.succeeded + r.live.failed > r.live.written);
    if (changed.length === 0) return;
    this.writingProgress = true;
    const sent = changed.map((r) => ({ entry: r, done: r.live.succeeded + r.live.failed }));
    try {
      await this.deps.store.recordLiveProgress(
        changed.map((r) => ({
          jobId: r.jobId,
          seq: r.seq,
          leaseToken: r.leaseToken,
          succeeded: r.live.succeeded,
          failed: r.live.failed,
        })),
      );
      for (const { entry, done } of sent) entry.live.written = done;
    } catch (e) {
      if (!this.outage.failed(e, "writing live progress")) {
        this.deps.log.warn({ err: e }, "writing live progress failed");
      }
    } finally {
      this.writingProgress = false;
    }
  }

  private fillSlots(): Promise<unknown> {
    if (this.filling) return Promise.resolve(undefined);
    this.filling = this.leaseWhileFree().finally(() => {
      this.filling = undefined;
    });
    return this.filling;
  }

  private async leaseWhileFree(): Promise<unknown> {
    try {
      const { store, options } = this.deps;
      while (!this.stopping && this.running.size < options.chunkSlots) {
        const job = this.activeJobs.find(
          (j) => !this.exhausted.has(j.jobId) && this.statuses.get(j.jobId) === "Active",
        );
        if (!job) return undefined;
        const asked = performance.now();
        const chunk = await store.leaseChunk(job.jobId, randomUUID(), this.deps.now(), options.leaseMs);
        this.deps.metrics?.engine.leased(secondsSince(asked), chunk !== undefined);
        if (!chunk) {
          // No chunk left to run, or the job left Active since the tick read it (the store refuses, D32): either
          // way it is asked no more until the next tick, which reads its status anew.
          this.exhausted.add(job.jobId);
          continue;
        }
        this.start(job, chunk);
      }
      return undefined;
    } catch (e) {
      return e;
    }
  }

  private start(job: Job, chunk: LeasedChunk) {
    const live: LiveCounts = { succeeded: 0, failed: 0, written: 0 };
    const entry: RunningChunk = {
      jobId: job.jobId,
      seq: chunk.seq,
      leaseToken: chunk.leaseToken,
      live,
      done: this.run(job, chunk, live).finally(() => {
        this.running.delete(entry);
        void this.fillSlots().then((e) => {
          if (e !== undefined && !this.outage.failed(e, "leasing a chunk")) {
            this.deps.log.error({ err: e }, "leasing a chunk failed");
          }
          // A slot left free means a job ran out of chunks (it may be done) or leasing failed: the engine looks
          // now. While the slots stay full the regular ticks suffice, so a busy job costs no tick per chunk.
          if (this.running.size < this.deps.options.chunkSlots) this.wake();
        });
      }),
    };
    this.running.add(entry);
  }

  /** Runs a leased chunk and records what came of it. Never rejects (stop() awaits it). */
  private async run(job: Job, chunk: LeasedChunk, live: LiveCounts): Promise<void> {
    const metrics = this.deps.metrics?.engine;
    const started = performance.now();
    let execution: ChunkExecution;
    try {
      execution = await this.executor.execute(job, chunk, (succeeded, failed) => {
        live.succeeded = succeeded;
        live.failed = failed;
      });
    } catch (e) {
      metrics?.ran(secondsSince(started), "failed");
      await this.failed(job, chunk, e);
      return;
    }
    metrics?.ran(secondsSince(started), execution.kind);
    try {
      await this.record(chunk, execution);
    } catch (e) {
      // Only when stopping, or for an error that is not the store's being unavailable: the chunk keeps its
      // lease until it expires, then runs again, and whoever holds it then records it once.
      this.deps.log.warn(
        { jobId: chunk.jobId, seq: chunk.seq, err: e },
        "a chunk's results could not be recorded; the chunk runs again once its lease expires",
      );
    }
  }

  /**
   * Records the chunk's results, only if this engine still holds its lease. While the store is unavailable the
   * results wait here and recording is retried with backoff; the lease check makes a late record safe (a chunk
   * taken over meanwhile is recorded by its new holder, never twice).
   */
  private async record(chunk: LeasedChunk, execution: ChunkExecution) {
    const { store, log } = this.deps;
    const { jobId, seq, leaseToken } = chunk;
    if (execution.kind === "aborted") {
      await this.storeRetry("giving back a chunk", () => store.releaseChunk(jobId, seq, leaseToken));
      return;
    }
    const started = performance.now();
    let recorded: boolean;
    try {
      recorded = await this.storeRetry("recording a chunk", () =>
        store.completeChunk(jobId, seq, leaseToken, execution.results, this.deps.now()),
      );
    } finally {
      // Recorded (or given up): the rows' last use. The execution itself is still referenced by objects that lived
      // as long as the chunk ran, the executor's promise for it and this chunk's async frames, which the collector
      // has moved to the old generation by then. Objects those point at survive every young-generation collection
      // until the next full one, so the rows would be promoted and fill the old generation: about a megabyte a
      // second on the main thread of a 1,000,000-task copy, which grew its heap by 10 MB (docs/decisions.md D23).
      execution.results = withoutRows(execution.results);
    }
    this.deps.metrics?.engine.recorded(secondsSince(started));
    if (recorded) this.recorded++;
    else {
      log.warn(
        { jobId, seq },
        "chunk lease was taken over (or an earlier attempt recorded it); these results are discarded",
      );
    }
  }

  /** A chunk whose manifest range can no longer be read (deleted, changed) fails the job. Never rejects. */
  private async failed(job: Job, chunk: LeasedChunk, e: unknown) {
    const { store, log } = this.deps;
    const { jobId, seq, leaseToken } = chunk;
    try {
      await this.storeRetry("giving back a failed chunk", () => store.releaseChunk(jobId, seq, leaseToken));
      if (isStorageError(e) && !e.retryable) {
        log.warn({ jobId, seq, err: e }, "manifest chunk unreadable; failing the job");
        await this.storeRetry("failing a job", () =>
          store.transition(jobId, "Active", "Failing", this.deps.now(), {
            failure: clipFailure({ code: e.code, reason: `Reading the manifest failed: ${e.message}` }),
          }),
        );
        this.statuses.set(jobId, "Failing");
        this.executor.updateStatuses(this.statuses);
      } else {
        log.error({ jobId, seq, err: e }, "chunk failed; it will be retried");
        this.exhausted.add(job.jobId);
      }
    } catch (err) {
      log.warn({ jobId, seq, err }, "a failed chunk could not be given back; it runs again once its lease expires");
    }
  }

  /** Runs a store call again while the store is unavailable, until it succeeds or the engine stops. */
  private storeRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.outage.retry(what, call, () => this.stopping, this.stopped.signal);
  }
}

const secondsSince = (start: number) => (performance.now() - start) / 1000;
