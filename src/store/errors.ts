/**
 * The job store's errors, in one place. StoreUnavailableError is the one every caller must expect: the store
 * cannot be reached or cannot write (store-unavailable.ts tells it from a driver's error, at the edge of the
 * store, guarded-dialect.ts), so the engine backs off and retries and the API answers each dialect's "service
 * unavailable" (it is a DomainError of kind StoreUnavailable; why: docs/decisions.md D14). The other two say a
 * write was refused for a reason of the caller's: a token used twice, a status move the table forbids.
 */
import { DomainError } from "../domain/errors.js";
import type { JobStatus } from "../domain/status.js";

/**
 * How the store is failing: `unreachable` clears as soon as any statement succeeds again; `unwritable` (disk
 * full, I/O error, read-only) only once a write succeeds, since reads may work throughout.
 */
export type StoreFailure = "unreachable" | "unwritable";

export class StoreUnavailableError extends DomainError {
  readonly failure: StoreFailure;

  constructor(failure: StoreFailure, cause: unknown) {
    super("StoreUnavailable", "The job store is unavailable; please try again later.");
    this.name = "StoreUnavailableError";
    this.failure = failure;
    this.cause = cause;
  }
}

export function isStoreUnavailable(e: unknown): e is StoreUnavailableError {
  return e instanceof StoreUnavailableError;
}

/** The same ClientRequestToken was already used in the account (the unique constraint said so). */
export class DuplicateTokenError extends Error {
  constructor(token: string) {
    super(`the ClientRequestToken ${token} was already used in the account`);
    this.name = "DuplicateTokenError";
  }
}

/** A status move the transition table (domain/status.ts) does not allow: a bug in the caller. */
export class IllegalTransitionError extends Error {
  constructor(from: JobStatus, to: JobStatus) {
    super(`illegal job status change ${from} -> ${to}`);
    this.name = "IllegalTransitionError";
  }
}
