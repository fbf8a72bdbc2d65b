/**
 * The StorageErrors the local backend throws, with the code and status S3 would answer for the same failure.
 *
 * Choices where S3 has no exact equivalent (a filesystem can refuse keys S3 would accept):
 * - 403 AccessDenied: anything that would step outside the bucket directory (`..` segments, a leading `/`, a
 *   symlink as a path component or as the object itself, a bucket directory that is a symlink).
 * - 400 InvalidArgument: keys the filesystem cannot hold (trailing `/`, empty or `.` segments, NUL, lone UTF-16
 *   surrogates, a prefix that is already an object, a key naming a directory on write).
 * - 400 KeyTooLongError: a key over 1024 UTF-8 bytes or one path segment over 255 bytes.
 * - 507 InsufficientStorage (not retried): the disk or quota is full.
 * - 503 ServiceUnavailable (retried): out of file descriptors and other transient local conditions.
 * Every message names the bucket and key and says why.
 */
import { StorageError } from "../types.js";

export const where = (bucket: string, key: string): string => `${bucket}/${JSON.stringify(key).slice(1, -1)}`;

export const noSuchBucket = (bucket: string): StorageError =>
  new StorageError("NoSuchBucket", 404, `The specified bucket does not exist: ${bucket}`);

export const noSuchKey = (bucket: string, key: string): StorageError =>
  new StorageError("NoSuchKey", 404, `The specified key does not exist: ${where(bucket, key)}`);

export const noSuchVersion = (bucket: string, key: string, versionId: string): StorageError =>
  new StorageError(
    "NoSuchVersion",
    404,
    `The specified version does not exist: ${where(bucket, key)} version ${versionId} (the local backend is unversioned; only "null" exists)`,
  );

export const accessDenied = (bucket: string, key: string, why: string): StorageError =>
  new StorageError("AccessDenied", 403, `Access Denied: ${where(bucket, key)}: ${why}`);

export const invalidArgument = (message: string): StorageError => new StorageError("InvalidArgument", 400, message);

export const invalidKey = (bucket: string, key: string, why: string): StorageError =>
  invalidArgument(`Invalid key ${where(bucket, key)}: ${why}`);

export const keyTooLong = (bucket: string, key: string, why: string): StorageError =>
  new StorageError("KeyTooLongError", 400, `Your key is too long: ${where(bucket, key)}: ${why}`);

export const invalidObjectState = (bucket: string, key: string, why: string): StorageError =>
  new StorageError(
    "InvalidObjectState",
    403,
    `The operation is not valid for the object's state: ${where(bucket, key)}: ${why}`,
  );

export const preconditionFailed = (bucket: string, key: string, why: string): StorageError =>
  new StorageError(
    "PreconditionFailed",
    412,
    `At least one of the preconditions you specified did not hold: ${where(bucket, key)}: ${why}`,
  );

/** Translates an unexpected filesystem error into the StorageError S3 would answer for a comparable failure. */
export function fromFsError(e: unknown, bucket: string, key: string): StorageError {
  if (e instanceof StorageError) return e;
  const err = e as NodeJS.ErrnoException;
  const at = where(bucket, key);
  switch (err?.code) {
    case "ENOENT":
      return noSuchKey(bucket, key);
    case "ELOOP":
      return accessDenied(bucket, key, "the key names or passes through a symbolic link");
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new StorageError("AccessDenied", 403, `Access Denied: ${at}: ${err.message}`);
    case "ENAMETOOLONG":
      return keyTooLong(bucket, key, "the filesystem refused the path as too long");
    case "ENOTDIR":
      return invalidKey(bucket, key, "a prefix of the key is an existing object (file), so it cannot be a folder");
    case "EISDIR":
      return invalidKey(bucket, key, "the key names an existing folder (directory), which cannot also be an object");
    case "ENOSPC":
    case "EDQUOT":
      return new StorageError("InsufficientStorage", 507, `No space left for ${at}: ${err.message}`, false);
    case "EMFILE":
    case "ENFILE":
    case "EAGAIN":
    case "EBUSY":
    case "EINTR":
      return new StorageError("ServiceUnavailable", 503, `Temporary local failure for ${at}: ${err.message}`, true);
    default:
      return new StorageError("InternalError", 500, `Local storage failure for ${at}: ${err?.message ?? String(e)}`);
  }
}

export const isErrno = (e: unknown, code: string): boolean => (e as NodeJS.ErrnoException | undefined)?.code === code;
