/**
 * The source preconditions of a copy (x-amz-copy-source-if-*), checked against the source as its HEAD shows
 * it. Checked by objbatch itself wherever the store cannot be trusted to: copies inside a local directory,
 * copies between two stores, and S3-compatible servers that ignore the headers (s3rver; Ceph RGW 16 reads
 * older header names). If-Match follows HTTP's rules (etag.ts: `*`, or a list of ETags, quotes optional).
 */
import { preconditionFailed } from "./errors.js";
import { ifMatchAccepts } from "./etag.js";
import type { CopyOptions } from "./types.js";

export const hasCopyPreconditions = (o: CopyOptions): boolean =>
  o.ifMatch !== undefined || o.ifModifiedSince !== undefined || o.ifUnmodifiedSince !== undefined;

/** The source as the preconditions see it. */
export interface PreconditionSource {
  readonly bucket: string;
  readonly key: string;
  readonly lastModified: Date;
}

/** Throws 412 PreconditionFailed when a precondition of `options` does not hold for the source `info`. */
export function checkCopyPreconditions(
  info: PreconditionSource & { readonly etag: string },
  options: CopyOptions,
): void {
  checkModifiedSince(info, options);
  checkIfMatch(info, info.etag, options);
}

/** The If-Modified-Since and If-Unmodified-Since halves (412 PreconditionFailed). */
export function checkModifiedSince(source: PreconditionSource, options: CopyOptions): void {
  const modified = source.lastModified.getTime();
  if (options.ifModifiedSince !== undefined && !(modified > options.ifModifiedSince.getTime())) {
    throw preconditionFailed(source.bucket, source.key, `not modified since ${options.ifModifiedSince.toISOString()}`);
  }
  if (options.ifUnmodifiedSince !== undefined && modified > options.ifUnmodifiedSince.getTime()) {
    throw preconditionFailed(source.bucket, source.key, `modified since ${options.ifUnmodifiedSince.toISOString()}`);
  }
}

/**
 * The If-Match half (412 PreconditionFailed), for a source whose ETag is `etag`. A backend that computes ETags
 * (the local one) asks for it only when `options.ifMatch` is set.
 */
export function checkIfMatch(source: PreconditionSource, etag: string, options: CopyOptions): void {
  if (options.ifMatch !== undefined && !ifMatchAccepts(options.ifMatch, etag)) {
    throw preconditionFailed(source.bucket, source.key, `If-Match ${options.ifMatch} (the source's ETag is ${etag})`);
  }
}
