/**
 * Runs chunks on a pool of worker threads, each with its own storage handle and its own bound on tasks in
 * flight. A chunk goes to the least busy worker. A worker that dies fails its chunks (the engine gives them
 * back to be run again) and is replaced. The metrics the workers' messages carry are folded into the process's
 * (metrics/worker-bridge.ts, D40).
 */
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { WorkerMetricsBridge } from "../metrics/worker-bridge.js";
import { StorageError } from "../storage/errors.js";
import type { ChunkExecution, ChunkProgressListener, ChunkRange } from "./chunk-runner.js";
import type { ChunkExecutor } from "./executor.js";
import { type JobThrottleStats, mergeThrottleStats } from "./job-throttle.js";
import { newRateState } from "./rate-limit.js";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-protocol.js";

interface PoolWorker {
  worker: Worker;
  readonly inFlight: Set<number>;
  /** Each job's pacing in this worker, as its last chunk there ended. */
  readonly throttles: Map<string, JobThrottleStats>;
}

interface Pending {
  resolve(execution: ChunkExecution): void;
  reject(error: Error): void;
  readonly progress?: ChunkProgressListener;
}

/** Built JavaScript loads the worker directly; TypeScript run through tsx needs the boot file to register it. */
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const ENTRY = new URL(FROM_SOURCE ? "./chunk-worker.ts" : "./chunk-worker.js", import.meta.url);
const BOOT = new URL("./worker-boot.mjs", import.meta.url);
/**
 * A runner thread's young generation. V8 sizes it for a whole process (up to 3 x 16 MiB semi-spaces per
 * isolate); a runner's garbage is short-lived task state, scavenged just as well in less (bench/memory-tasks.ts).
 */
const RUNNER_LIMITS = { maxYoungGenerationSizeMb: 8 };

export class WorkerPoolExecutor implements ChunkExecutor {
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private statuses: ReadonlyArray<readonly [string, JobStatus]> = [];
  private closing = false;
  private aborted = false;
  /** Each job's request-rate state, shared by every worker so the cap holds for the process. */
  private readonly rateStates = new Map<string, SharedArrayBuffer>();

  constructor(
    private readonly setup: WorkerSetup,
    threads: number,
    private readonly log: Logger,
    /** Where the workers' metrics go; without it they are dropped. */
    private readonly metrics?: WorkerMetricsBridge,
  ) {
    for (let i = 0; i < threads; i++) this.workers.push(this.spawn());
  }

  execute(job: Job, chunk: ChunkRange, progress?: ChunkProgressListener): Promise<ChunkExecution> {
    const target = this.workers.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.nextId++;
    target.inFlight.add(id);
    let rateState = this.rateStates.get(job.jobId);
    if (!rateState) {
      rateState = newRateState();
      this.rateStates.set(job.jobId, rateState);
    }
    return new Promise<ChunkExecution>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      this.post(target, { type: "chunk", id, job, chunk: pickRange(chunk), rateState });
    });
  }

  updateStatuses(statuses: ReadonlyMap<string, JobStatus>) {
    const next = [...statuses.entries()];
    if (sameEntries(next, this.statuses)) return;
    this.statuses = next;
    for (const id of this.rateStates.keys()) if (!statuses.has(id)) this.rateStates.delete(id);
    for (const w of this.workers) for (const id of w.throttles.keys()) if (!statuses.has(id)) w.throttles.delete(id);
    for (const w of this.workers) this.post(w, { type: "statuses", statuses: next });
  }

  abort() {
    this.aborted = true;
    for (const w of this.workers) this.post(w, { type: "abort" });
  }

  throttleStats(): ReadonlyMap<string, JobThrottleStats> {
    const merged = new Map<string, JobThrottleStats>();
    for (const w of this.workers) {
      for (const [id, stats] of w.throttles) {
        const seen = merged.get(id);
        merged.set(id, seen ? mergeThrottleStats(seen, stats) : stats);
      }
    }
    return merged;
  }

  async close() {
    this.closing = true;
    await Promise.all(
      this.workers.map(async (w) => {
        const closed = new Promise<void>((resolve) => {
          w.worker.on("message", (m: FromWorker) => m.type === "closed" && resolve());
          w.worker.once("exit", () => resolve());
        });
        this.post(w, { type: "close" });
        await closed;
        await w.worker.terminate();
      }),
    );
  }

  private spawn(): PoolWorker {
    const worker = FROM_SOURCE
      ? new Worker(BOOT, { workerData: { entry: ENTRY.href, setup: this.setup }, resourceLimits: RUNNER_LIMITS })
      : new Worker(ENTRY, { workerData: { setup: this.setup }, resourceLimits: RUNNER_LIMITS });
    const entry: PoolWorker = { worker, inFlight: new Set(), throttles: new Map() };
    worker.on("message", (message: FromWorker) => this.receive(entry, message));
    let failure: Error | undefined;
    worker.on("error", (e: Error) => {
      failure = e;
      this.log.error({ err: e }, "chunk worker failed");
    });
    worker.on("exit", (code) => {
      // Its tasks in flight will never end: the gauge forgets them (its counts stay).
      this.metrics?.forget(entry);
      const lost = [...entry.inFlight];
      entry.inFlight.clear();
      // What made it exit goes with the chunks it took along: the engine logs them, a test shows them.
      const why = failure === undefined ? "" : `: ${failure.message}`;
      for (const id of lost) this.settle(id)?.reject(new Error(`chunk worker exited (code ${code})${why}`));
      if (this.closing) return;
      this.log.warn({ code, lost: lost.length }, "chunk worker exited; starting a new one");
      const index = this.workers.indexOf(entry);
      if (index >= 0) {
        this.workers[index] = this.spawn();
        this.post(this.workers[index], { type: "statuses", statuses: this.statuses });
        if (this.aborted) this.post(this.workers[index], { type: "abort" });
      }
    });
    return entry;
  }

  private receive(from: PoolWorker, message: FromWorker) {
    if (message.type === "closed") return;
    if (message.metrics) this.metrics?.fold(from, message.metrics);
    if (message.type === "metrics") return;
    if (message.type === "progress") {
      this.pending.get(message.id)?.progress?.(message.succeeded, message.failed);
      return;
    }
    from.inFlight.delete(message.id);
    const pending = this.settle(message.id);
    if (!pending) return;
    if (message.type === "result") {
      if (message.throttle) from.throttles.set(message.throttle.jobId, message.throttle.stats);
      pending.resolve(message.execution);
    } else {
      const e = message.error;
      pending.reject(e.storage ? new StorageError(e.code, e.httpStatus, e.message, e.retryable) : new Error(e.message));
    }
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private post(w: PoolWorker, message: ToWorker) {
    w.worker.postMessage(message);
  }
}

function pickRange(chunk: ChunkRange): ChunkRange {
  return {
    seq: chunk.seq,
    startByte: chunk.startByte,
    endByte: chunk.endByte,
    firstRecord: chunk.firstRecord,
    tasks: chunk.tasks,
  };
}

function sameEntries(a: ReadonlyArray<readonly [string, string]>, b: ReadonlyArray<readonly [string, string]>) {
  return a.length === b.length && a.every(([k, v], i) => b[i][0] === k && b[i][1] === v);
}
