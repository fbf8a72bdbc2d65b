/**
 * Assertions shared by the storage tests of every backend (local, s3rver, radosgw).
 */
import { StorageError } from "../../src/storage/errors.js";

/**
 * Asserts that `promise` rejects with a StorageError of this code and status (and, when given, retryability);
 * returns it for more checks.
 */
export async function rejectsWith(
  promise: Promise<unknown> | (() => Promise<unknown>),
  code: string,
  httpStatus: number,
  retryable?: boolean,
): Promise<StorageError> {
  let error: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    error = e;
  }
  if (!(error instanceof StorageError)) {
    throw new Error(
      `expected StorageError ${code} ${httpStatus}, got ${error === undefined ? "success" : String(error)}`,
    );
  }
  if (error.code !== code || error.httpStatus !== httpStatus) {
    throw new Error(`expected ${code} ${httpStatus}, got ${error.code} ${error.httpStatus}: ${error.message}`);
  }
  if (retryable !== undefined && error.retryable !== retryable) {
    throw new Error(`expected ${code} to be ${retryable ? "" : "not "}retryable: ${error.message}`);
  }
  return error;
}

/** rejectsWith for the S3 backend, whose errors carry S3's retryability: checked always, false unless said. */
export function rejectsWithS3(promise: Promise<unknown>, code: string, httpStatus: number, retryable = false) {
  return rejectsWith(promise, code, httpStatus, retryable);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
