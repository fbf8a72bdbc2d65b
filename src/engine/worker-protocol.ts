/**
 * Messages between the engine and its chunk workers: plain data, structured-cloned. A chunk travels with its
 * job as the domain has it (domain/job.ts, data only: strings, numbers, arrays, Dates), never a table row.
 */
import type { Account } from "../accounts/types.js";
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { FunctionEndpoints } from "../functions/endpoints.js";
import type { TallyDelta } from "../metrics/cells.js";
import type { StorageConfig } from "../storage/open-storage.js";
import type { ChunkExecution, ChunkRange } from "./chunk-runner.js";
import type { JobThrottleStats } from "./job-throttle.js";
import type { EngineOptions } from "./options.js";

export interface WorkerSetup {
  readonly storage: StorageConfig;
  readonly accounts: readonly Account[];
  readonly options: EngineOptions;
  readonly logLevel: string;
  /** InvokeFunction's endpoints (config `functions`): plain data, cloned into every worker. */
  readonly functions?: FunctionEndpoints;
}

export type ToWorker =
  | {
      readonly type: "chunk";
      readonly id: number;
      readonly job: Job;
      readonly chunk: ChunkRange;
      /** The job's request-rate state, shared by every worker (rate-limit.ts). */
      readonly rateState?: SharedArrayBuffer;
    }
  | { readonly type: "statuses"; readonly statuses: ReadonlyArray<readonly [string, JobStatus]> }
  | { readonly type: "abort" }
  | { readonly type: "close" };

export type SerializedError =
  | { readonly storage: true; code: string; httpStatus: number; retryable: boolean; message: string }
  | { readonly storage: false; message: string };

/**
 * Every message but "closed" may carry the worker's metrics changed since its last message (D40,
 * metrics/worker-bridge.ts); "metrics" carries them alone, when nothing else went out for a second.
 */
export type FromWorker =
  | {
      readonly type: "result";
      readonly id: number;
      readonly execution: ChunkExecution;
      /** The job's pacing in this worker as the chunk ended. */
      readonly throttle?: { readonly jobId: string; readonly stats: JobThrottleStats };
      readonly metrics?: TallyDelta;
    }
  /** The chunk's finished tasks so far (live progress, D30). */
  | {
      readonly type: "progress";
      readonly id: number;
      readonly succeeded: number;
      readonly failed: number;
      readonly metrics?: TallyDelta;
    }
  | { readonly type: "error"; readonly id: number; readonly error: SerializedError; readonly metrics?: TallyDelta }
  | { readonly type: "metrics"; readonly metrics: TallyDelta }
  | { readonly type: "closed" };
