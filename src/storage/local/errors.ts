/**
 * The local backend's filesystem errors translated into the storage error model (../errors.ts), with the code
 * and status S3 would answer for a comparable failure.
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
import { accessDenied, invalidKey, keyTooLong, noSuchKey, StorageError, where } from "../errors.js";

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
