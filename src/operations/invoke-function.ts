/**
 * InvokeFunction (AWS LambdaInvoke): calls the HTTP endpoint configured for the job's FunctionArn with the
 * S3 Batch Operations -> Lambda request for one task (functions/batch-contract.ts) and turns its answer into
 * the task's report row, as S3 does:
 *
 * - Succeeded -> succeeded, 200, the function's resultString as ResultMessage.
 * - PermanentFailure -> failed, 200, PermanentFailure, the resultString.
 * - TemporaryFailure -> thrown as a retryable error: the runner tries again with its backoff, and after the
 *   last attempt the row is failed, 200, TemporaryFailure, the last resultString.
 * - A payload that is not the contract's JSON -> failed, 200, PermanentFailure, "Invalid JSON returned in
 *   Lambda payload: ...". A payload marked X-Amz-Function-Error -> "Lambda returned function error: ...".
 * - Timeouts, unreachable endpoints, HTTP 408/429/5xx -> retried, then failed with that status and code
 *   (functions/http-invoker.ts). Other HTTP failures -> failed with the HTTP status, FunctionEndpointError.
 * - A FunctionArn without a configured endpoint -> failed, 400, InvalidRequest (a task failure rather than a
 *   CreateJob error: the config may change while a job waits). Only configured endpoints are ever called.
 *
 * Schema 1.0 (default) and 2.0 (UserArguments, bucket names instead of ARNs) are both sent as AWS sends them.
 * The task's bucket must be one the job may use (checked once per bucket through the restricted storage), so
 * a job cannot point a function at buckets its account or role may not touch. Functions run at least once
 * per task (retries, crash recovery) and should be idempotent; the taskId stays the same for every attempt.
 */
import { randomUUID } from "node:crypto";
import type { InvokeFunctionOperation } from "../domain/job.js";
import { failed, succeeded, type TaskResult } from "../domain/task.js";
import { buildBatchRequest, parseBatchResponse, taskIdOf } from "../functions/batch-contract.js";
import { endpointFor } from "../functions/endpoint-for.js";
import { postBatchRequest } from "../functions/http-invoker.js";
import { noSuchBucketError } from "./bucket-check.js";
import { settle } from "./outcome.js";
import { TemporaryFunctionFailure } from "./temporary-failure.js";
import type { OperationRunner } from "./types.js";

export const INVALID_JSON_MESSAGE = "Invalid JSON returned in Lambda payload";

export const invokeFunction: OperationRunner<InvokeFunctionOperation> = (task, operation, context) =>
  settle(context, async () => {
    const schemaVersion = operation.invocationSchemaVersion ?? "1.0";
    if (schemaVersion !== "1.0" && schemaVersion !== "2.0") {
      return failed(
        400,
        "InvalidRequest",
        `InvocationSchemaVersion must be 1.0 or 2.0, got ${JSON.stringify(schemaVersion)}`,
      );
    }
    if (schemaVersion === "1.0" && (operation.userArguments?.length ?? 0) > 0) {
      return failed(400, "InvalidRequest", "UserArguments need InvocationSchemaVersion 2.0");
    }
    const endpoint = endpointFor(context.functions ?? {}, operation.functionArn);
    if (endpoint === undefined) {
      return failed(
        400,
        "InvalidRequest",
        `No function endpoint is configured for FunctionArn ${operation.functionArn}: add it to the "functions" map of the objbatch config file`,
      );
    }
    const missing = await noSuchBucketError(context, task.bucket);
    if (missing) return missing;

    const request = buildBatchRequest({
      schemaVersion,
      invocationId: randomUUID(),
      jobId: context.jobId,
      task,
      ...(operation.userArguments !== undefined ? { userArguments: operation.userArguments } : {}),
    });
    const answer = await postBatchRequest(endpoint, request, context.signal);
    if (answer.kind === "httpError") return failed(answer.status, "FunctionEndpointError", answer.message);
    if (answer.kind === "tooLarge") {
      return failed(200, "PermanentFailure", `${INVALID_JSON_MESSAGE}: the payload is larger than 6 MiB`);
    }
    if (answer.functionError !== undefined) {
      return failed(200, "PermanentFailure", `Lambda returned function error: ${answer.body}`);
    }
    return resultOf(parseBatchResponse(answer.body, taskIdOf(context.jobId, task)));
  });

function resultOf(outcome: ReturnType<typeof parseBatchResponse>): TaskResult {
  if (outcome.kind === "invalid") return failed(200, "PermanentFailure", `${INVALID_JSON_MESSAGE}: ${outcome.why}`);
  switch (outcome.code) {
    case "Succeeded":
      return succeeded(outcome.resultString);
    case "PermanentFailure":
      return failed(200, "PermanentFailure", outcome.resultString || "The function reported a permanent failure");
    case "TemporaryFailure":
      throw new TemporaryFunctionFailure(outcome.resultString || "The function reported a temporary failure");
  }
}
