/**
 * The options of a copy of an object onto itself that must change only what its caller asks (Google's
 * putMetadata and rewriteObject on S3, D45): everything else is kept as the object's HEAD shows it. S3's
 * CopyObject would otherwise reset the storage class to STANDARD, the encryption to the bucket's default and
 * the ACL to private, and give the new version no Object Lock. The copy is conditional on the HEAD's ETag, so a
 * write between the HEAD and the copy makes it fail (412) instead of being overwritten with older bytes.
 */
import type { CopyOptions, ObjectInfo } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function inPlaceCopyOptions(info: ObjectInfo, now: Date, sourceVersionId?: string): CopyOptions {
  const options: Mutable<CopyOptions> = {
    metadataDirective: "Copy",
    taggingDirective: "Copy",
    aclDirective: "Copy",
    ifMatch: info.etag,
  };
  if (sourceVersionId !== undefined) options.sourceVersionId = sourceVersionId;
  if (info.storageClass !== "STANDARD") options.storageClass = info.storageClass;
  const encryption = info.encryption;
  if (encryption !== undefined) {
    options.sseAlgorithm = encryption.algorithm;
    if (encryption.kmsKeyId !== undefined) options.sseKmsKeyId = encryption.kmsKeyId;
    if (encryption.bucketKeyEnabled !== undefined) options.bucketKeyEnabled = encryption.bucketKeyEnabled;
  }
  const lock = info.objectLock;
  if (lock?.legalHold === "ON") options.objectLockLegalHold = "ON";
  if (lock?.mode !== undefined && lock.retainUntilDate !== undefined && lock.retainUntilDate > now) {
    options.objectLockMode = lock.mode;
    options.objectLockRetainUntilDate = lock.retainUntilDate;
  }
  return options;
}
