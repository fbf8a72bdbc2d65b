/**
 * How an operation turns what happened into a task result. A StorageError the store answered for good (4xx)
 * becomes a failed row with its status, code and message; a retryable one is re-thrown for the runner's retry
 * policy; anything else is a bug in objbatch and becomes 500 InternalError instead of crashing the runner.
 */
import { failed, type TaskResult } from "../domain/task.js";
import { isStorageError } from "../storage/errors.js";
import type { OperationContext } from "./types.js";

export async function settle(context: OperationContext, run: () => Promise<TaskResult>): Promise<TaskResult> {
  try {
    return await run();
  } catch (e) {
    if (isStorageError(e)) {
      if (e.retryable) throw e;
      return failed(e.httpStatus, e.code, e.message);
    }
    // A task stopped by shutdown or cancellation is not a result: the runner decides what happens to it.
    if (context.signal?.aborted) throw e;
    return failed(500, "InternalError", e instanceof Error ? e.message : String(e));
  }
}
