/**
 * The engine's error model, in one place: how an error that stops a job's preparation, or a chunk's reading of
 * its manifest, becomes the FailureReasons entry that fails the job. The errors the engine meets come from the
 * layers below, each with its own model: the manifest's (manifest/errors.ts), the storage's
 * (storage/errors.ts StorageError) and the store's (store/errors.ts: an unavailable store is never a job
 * failure, it is waited out, D14). The engine adds one of its own, JobFailureError, for what it finds wrong
 * with a job itself (an unsupported manifest format, a missing bucket, a mismatched ETag).
 */
import type { JobFailure } from "../domain/job.js";
import { isManifestError } from "../manifest/errors.js";
import { isStorageError } from "../storage/errors.js";
import { isStoreUnavailable } from "../store/errors.js";

/** A job-level failure with the FailureReasons entry that explains it. */
export class JobFailureError extends Error {
  constructor(
    readonly code: string,
    reason: string,
  ) {
    super(reason);
    this.name = "JobFailureError";
  }
}

/** The FailureReasons entry an expected error stands for: a JobFailureError or a ManifestError; else undefined. */
export function jobFailureOf(e: unknown): JobFailure | undefined {
  if (e instanceof JobFailureError || isManifestError(e)) return { code: e.code, reason: e.message };
  return undefined;
}

/**
 * What an error met while working on a job's manifest (`what`: "Reading the manifest b/k failed") fails the
 * job with: an expected failure as it is, a storage error with its code, anything else as InternalError. A job
 * store that is down is no job failure: that error is rethrown, and the work is taken up again later.
 */
export function failureWhile(e: unknown, what: string): Error {
  if (isStoreUnavailable(e)) throw e;
  if (e instanceof JobFailureError || isManifestError(e)) return e;
  if (isStorageError(e)) return new JobFailureError(e.code, `${what}: ${e.message}`);
  return new JobFailureError("InternalError", `${what}: ${(e as Error).message}`);
}

/** FailureCode is at most 64 characters and FailureReason at most 256 (the S3 Control API reference, JobFailure). */
export function clipFailure(f: JobFailure): JobFailure {
  return { code: f.code.slice(0, 64), reason: f.reason.length > 256 ? `${f.reason.slice(0, 253)}...` : f.reason };
}
