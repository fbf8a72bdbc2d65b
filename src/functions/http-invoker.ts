/**
 * POSTs one batch request to a configured function endpoint with Node's fetch (undici) and reads the answer.
 *
 * - The call ends after the endpoint's timeoutMs, or at once when the caller's signal (the chunk's shutdown)
 *   aborts; an abort by the caller is rethrown as it is (shutdown is not a task result).
 * - Failures worth another attempt throw a retryable StorageError, which the runner retries with its backoff
 *   and, after the last attempt, reports with that status and code: a timeout (504 RequestTimeout), an
 *   endpoint that cannot be reached (503 ServiceUnavailable), HTTP 408, 429 (TooManyRequestsException) and 5xx
 *   (ServiceException).
 * - Other HTTP failures (3xx: redirects are never followed, since only the configured URL may be called; 4xx)
 *   come back as `httpError` for a failed report row.
 * - Like the AWS Lambda Invoke API, an `X-Amz-Function-Error` header marks a payload that is the function's
 *   error rather than its result.
 * - A body over 6 MiB (Lambda's limit on a synchronous response) is not read further.
 */
import { StorageError } from "../storage/errors.js";
import type { FunctionEndpoint } from "./endpoints.js";

export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export type InvokeAnswer =
  | { readonly kind: "payload"; readonly body: string; readonly functionError?: string }
  | { readonly kind: "tooLarge" }
  | { readonly kind: "httpError"; readonly status: number; readonly message: string };

export async function postBatchRequest(
  endpoint: FunctionEndpoint,
  request: unknown,
  signal?: AbortSignal,
): Promise<InvokeAnswer> {
  const timeout = AbortSignal.timeout(endpoint.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(request),
      redirect: "manual",
      signal: combined,
    });
    const body = await readBody(response);
    if (response.status >= 200 && response.status < 300) {
      if (body === undefined) return { kind: "tooLarge" };
      const functionError = response.headers.get("x-amz-function-error") ?? undefined;
      return { kind: "payload", body, ...(functionError !== undefined ? { functionError } : {}) };
    }
    const answered = `Function endpoint ${endpoint.url} answered HTTP ${response.status}${excerpt(body)}`;
    if (response.status === 408) throw new StorageError("RequestTimeout", 408, answered, true);
    if (response.status === 429) throw new StorageError("TooManyRequestsException", 429, answered, true);
    if (response.status >= 500) throw new StorageError("ServiceException", response.status, answered, true);
    const why = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
    return { kind: "httpError", status: response.status, message: answered + why };
  } catch (e) {
    if (signal?.aborted) throw e;
    if (e instanceof StorageError) throw e;
    if (timeout.aborted) {
      throw new StorageError(
        "RequestTimeout",
        504,
        `Function endpoint ${endpoint.url} did not answer within ${endpoint.timeoutMs} ms`,
        true,
      );
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new StorageError(
      "ServiceUnavailable",
      503,
      `Function endpoint ${endpoint.url} could not be reached: ${detail}`,
      true,
    );
  }
}

/** The body as text, or undefined once it passes MAX_PAYLOAD_BYTES (the rest is not read). */
async function readBody(response: Response): Promise<string | undefined> {
  if (response.body === null) return "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_PAYLOAD_BYTES) {
      await response.body.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function excerpt(body: string | undefined): string {
  if (!body) return "";
  const text = body.replace(/\s+/g, " ").trim();
  return text === "" ? "" : `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
