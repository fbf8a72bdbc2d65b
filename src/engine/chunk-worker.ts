/**
 * A worker thread that executes chunks for the engine: it opens its own storage from the configuration it
 * was started with and answers each "chunk" message with the chunk's results. Its tasks' and storage requests'
 * metrics are recorded here and travel with its messages to the main thread (D40).
 */
import { parentPort, workerData } from "node:worker_threads";
import { pino } from "pino";
import { StaticAccountRegistry } from "../accounts/types.js";
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import { instrumentStorage } from "../metrics/instrumented-storage.js";
import { TaskMeter } from "../metrics/meters.js";
import { WorkerMetrics } from "../metrics/worker-bridge.js";
import { isStorageError } from "../storage/errors.js";
import { openStorage } from "../storage/open-storage.js";
import { executeChunk } from "./chunk-runner.js";
import { type JobContext, makeJobContext } from "./job-context.js";
import { JobThrottles } from "./job-throttle.js";
import { Semaphore } from "./semaphore.js";
import { lowerThisThreadPriority } from "./thread-priority.js";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-protocol.js";

const setup = (workerData as { setup: WorkerSetup }).setup;
const log = pino({ level: setup.logLevel }).child({ part: "chunk-worker" });
// Bulk task work yields the CPU to the main thread (the API, the engine's bookkeeping): D25.
const nice = lowerThisThreadPriority(setup.options.runnerNice);
log.debug({ nice }, "runner thread priority");
const metrics = new WorkerMetrics();
const meter = new TaskMeter(metrics.tally);
const storage = await openStorage(setup.storage, {
  instrument: (opened, kind) => instrumentStorage(opened, kind, metrics.tally),
});
const accounts = new StaticAccountRegistry(setup.accounts);
const tasks = new Semaphore(setup.options.taskConcurrency);
const throttles = new JobThrottles(setup.options, log);
const shutdown = new AbortController();
let statuses = new Map<string, JobStatus>();
const contexts = new Map<string, JobContext>();

/** Posts `message` with the metrics changed since the last one (metrics/worker-bridge.ts). */
function send(message: FromWorker) {
  const delta = message.type === "closed" ? undefined : metrics.take();
  parentPort!.postMessage(delta ? { ...message, metrics: delta } : message);
}
metrics.sendQuietChanges((delta) => parentPort!.postMessage({ type: "metrics", metrics: delta } satisfies FromWorker));

function contextFor(job: Job): JobContext {
  let context = contexts.get(job.jobId);
  if (!context) {
    context = makeJobContext(job, storage, accounts, setup.functions);
    contexts.set(job.jobId, context);
  }
  return context;
}

parentPort!.on("message", async (message: ToWorker) => {
  switch (message.type) {
    case "statuses":
      statuses = new Map(message.statuses);
      for (const id of contexts.keys()) if (!statuses.has(id)) contexts.delete(id);
      throttles.retain((id) => statuses.has(id));
      return;
    case "abort":
      shutdown.abort();
      return;
    case "close":
      await storage.close();
      send({ type: "closed" });
      return;
    case "chunk": {
      try {
        const { job } = message;
        const jobId = job.jobId;
        const throttle = throttles.forJob(jobId, job.tags ?? [], message.rateState);
        const execution = await executeChunk(
          { retry: setup.options.retry, log, tasks, metrics: meter },
          contextFor(job),
          message.chunk,
          {
            status: (id) => statuses.get(id),
            shutdown: shutdown.signal,
            throttle,
            progress: (succeeded, failed) => send({ type: "progress", id: message.id, succeeded, failed }),
          },
        );
        send({
          type: "result",
          id: message.id,
          execution,
          throttle: { jobId, stats: throttle.stats() },
        });
      } catch (e) {
        const err = e as Error;
        send({
          type: "error",
          id: message.id,
          error: isStorageError(e)
            ? { storage: true, code: e.code, httpStatus: e.httpStatus, retryable: e.retryable, message: e.message }
            : { storage: false, message: err.stack ?? err.message },
        });
      }
    }
  }
});
