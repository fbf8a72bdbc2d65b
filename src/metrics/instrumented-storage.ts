/**
 * An ObjectStorage that counts and times every request of the store it wraps: one wrapper per opened store
 * (storage/open-storage.ts), so the backend (local or s3) is known, in the main thread and in each runner
 * thread, with its own cells (cells.ts). Each method's cells are resolved when the wrapper is built: a request
 * costs two clock reads, a few float adds and the promise its `then` makes, never a label lookup.
 *
 * A request is one call of the interface. get() is timed until its body stream opens, not until it is read; a
 * listing (list, listMultipartUploads) is one request timed from the call to its last entry.
 */
import { isThrottling } from "../engine/retry.js";
import { isStorageError } from "../storage/errors.js";
import type { ObjectStorage } from "../storage/types.js";
import {
  BACKENDS,
  type Backend,
  cellOf,
  STORAGE_DURATION,
  STORAGE_METHODS,
  STORAGE_OUTCOMES,
  STORAGE_REQUESTS,
  type StorageMethod,
  type StorageOutcome,
} from "./catalog.js";
import type { Cells } from "./cells.js";
import { isNetworkFailure, observe } from "./meters.js";

const OUTCOME: Record<StorageOutcome, number> = Object.fromEntries(STORAGE_OUTCOMES.map((o, i) => [o, i])) as Record<
  StorageOutcome,
  number
>;

/** The outcome's index for a failed request (STORAGE_OUTCOMES). */
export function failureOutcome(e: unknown): number {
  if (isNetworkFailure(e)) return OUTCOME.network;
  if (!isStorageError(e)) return OUTCOME.other;
  if (isThrottling(e)) return OUTCOME.throttled;
  return e.httpStatus >= 500 ? OUTCOME["5xx"] : OUTCOME["4xx"];
}

/** `storage` with every request counted by outcome and timed, under `backend`, in `cells`. */
export function instrumentStorage(storage: ObjectStorage, backend: Backend, cells: Cells): ObjectStorage {
  const b = BACKENDS.indexOf(backend);
  const wrapped: Record<string, unknown> = {
    description: storage.description,
    // The wrapper owns nothing but passes close on: it stands for the store it wraps.
    close: () => storage.close(),
  };
  STORAGE_METHODS.forEach((method, op) => {
    const requests = cellOf(STORAGE_REQUESTS, b, op, 0);
    const duration = cellOf(STORAGE_DURATION, b, op);
    const done = (started: number, outcome: number) => {
      cells.add(requests + outcome, 1);
      observe(cells, STORAGE_DURATION, duration, (performance.now() - started) / 1000);
    };
    wrapped[method] = isListing(method)
      ? timedListing(storage, method, done)
      : timedRequest(storage, method as Exclude<StorageMethod, Listing>, done);
  });
  return wrapped as unknown as ObjectStorage;
}

type Listing = "list" | "listMultipartUploads" | "listKeyVersions";
const isListing = (method: StorageMethod): method is Listing =>
  method === "list" || method === "listMultipartUploads" || method === "listKeyVersions";

type Done = (started: number, outcome: number) => void;

function timedRequest(storage: ObjectStorage, method: Exclude<StorageMethod, Listing>, done: Done) {
  const call = storage[method] as (...args: unknown[]) => Promise<unknown>;
  return (...args: unknown[]): Promise<unknown> => {
    const started = performance.now();
    let pending: Promise<unknown>;
    try {
      pending = call.apply(storage, args);
    } catch (e) {
      done(started, failureOutcome(e));
      throw e;
    }
    return pending.then(
      (value) => {
        done(started, OUTCOME.ok);
        return value;
      },
      (e: unknown) => {
        done(started, failureOutcome(e));
        throw e;
      },
    );
  };
}

function timedListing(storage: ObjectStorage, method: Listing, done: Done) {
  const call = storage[method] as (...args: unknown[]) => AsyncIterable<unknown>;
  return async function* (...args: unknown[]): AsyncIterable<unknown> {
    const started = performance.now();
    let outcome = OUTCOME.ok;
    try {
      yield* call.apply(storage, args);
    } catch (e) {
      outcome = failureOutcome(e);
      throw e;
    } finally {
      // Also when the reader stops early: the listing went fine as far as it was read.
      done(started, outcome);
    }
  };
}
