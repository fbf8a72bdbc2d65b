/**
 * The source preconditions of a copy (x-amz-copy-source-if-*), checked against the source's HEAD. Used where
 * the store cannot be trusted to check them itself: copies between two stores, and S3-compatible servers that
 * ignore the headers (s3rver; Ceph RGW 16 reads older header names).
 */
import { type CopyOptions, type ObjectInfo, StorageError } from "./types.js";

const bareEtag = (etag: string): string => etag.replace(/^W\//, "").replace(/"/g, "");

export const hasCopyPreconditions = (o: CopyOptions): boolean =>
  o.ifMatch !== undefined || o.ifModifiedSince !== undefined || o.ifUnmodifiedSince !== undefined;

/** Throws 412 PreconditionFailed when a precondition of `options` does not hold for the source `info`. */
export function checkCopyPreconditions(info: ObjectInfo, options: CopyOptions): void {
  const modified = info.lastModified.getTime();
  if (options.ifModifiedSince !== undefined && !(modified > options.ifModifiedSince.getTime())) {
    throw preconditionFailed(info, `not modified since ${options.ifModifiedSince.toISOString()}`);
  }
  if (options.ifUnmodifiedSince !== undefined && modified > options.ifUnmodifiedSince.getTime()) {
    throw preconditionFailed(info, `modified since ${options.ifUnmodifiedSince.toISOString()}`);
  }
  if (options.ifMatch !== undefined && bareEtag(options.ifMatch) !== bareEtag(info.etag)) {
    throw preconditionFailed(info, `If-Match ${options.ifMatch} (the source's ETag is ${info.etag})`);
  }
}

const preconditionFailed = (info: ObjectInfo, why: string): StorageError =>
  new StorageError(
    "PreconditionFailed",
    412,
    `At least one of the preconditions you specified did not hold: ${info.bucket}/${info.key}: ${why}`,
  );
