/**
 * An operation module runs one job operation on one task. It never knows which dialect created the job.
 * Operations must be safe to repeat: the engine executes at least once and counts exactly once.
 */
import type { Operation } from "../domain/job.js";
import type { Task, TaskResult } from "../domain/task.js";
import type { FunctionEndpoints } from "../functions/endpoints.js";
import type { ObjectStorage } from "../storage/types.js";

export interface OperationContext {
  /** Storage restricted to the buckets the job's account and role may touch (AccessDenied otherwise). */
  readonly storage: ObjectStorage;
  readonly jobId: string;
  readonly accountId: string;
  readonly signal?: AbortSignal;
  /** The function endpoints InvokeFunction may call (config file `functions`); none when absent. */
  readonly functions?: FunctionEndpoints;
}

/**
 * Runs `operation` on `task`. Returns the task's report row; throws only for failures worth retrying
 * (StorageError with retryable = true), which the runner retries and finally records as failed.
 */
export type OperationRunner<O extends Operation = Operation> = (
  task: Task,
  operation: O,
  context: OperationContext,
) => Promise<TaskResult>;
