/**
 * Bucket names and object keys as the local backend accepts them. Pure string checks: they run before any
 * filesystem call, so a hostile key never reaches `path.join` (symlinks are checked later, against the disk).
 */
import { accessDenied, invalidKey, keyTooLong, noSuchVersion, StorageError } from "../errors.js";

/** S3's limit on the whole key. */
export const MAX_KEY_BYTES = 1024;
/** NAME_MAX of every common filesystem. */
export const MAX_SEGMENT_BYTES = 255;

/** Letters, digits, `.`, `_`, `-`; starts with a letter or digit; no `..`; at most 255 bytes (one directory). */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const LONE_SURROGATE = /\p{Cs}/u;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

export function checkBucketName(bucket: string): void {
  if (typeof bucket !== "string" || !BUCKET_NAME.test(bucket) || bucket.includes("..")) {
    throw new StorageError(
      "InvalidBucketName",
      400,
      `The specified bucket is not valid: ${JSON.stringify(bucket)} (use 1-255 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..')`,
    );
  }
}

export interface ParsedKey {
  readonly bucket: string;
  readonly key: string;
  /** The key's folder ("" at the bucket root), e.g. "a/b" for "a/b/c.txt". */
  readonly dir: string;
  /** "<bucket>/<dir>": the folder as the folder caches name it (bucket-folders.ts, folder-listings.ts). */
  readonly folder: string;
}

/** The parsed form of a key already checked. */
export function parsedKey(bucket: string, key: string): ParsedKey {
  const slash = key.lastIndexOf("/");
  const dir = slash < 0 ? "" : key.slice(0, slash);
  return { bucket, key, dir, folder: `${bucket}/${dir}` };
}

/** Validates `key` for use inside `bucket` (whose name must already be valid). */
export function parseKey(bucket: string, key: string): ParsedKey {
  if (typeof key !== "string" || key.length === 0) throw invalidKey(bucket, String(key ?? ""), "the key is empty");
  if (key.includes("\0")) throw invalidKey(bucket, key, "the key contains a NUL character");
  if (ANY_SURROGATE.test(key) && LONE_SURROGATE.test(key)) {
    throw invalidKey(bucket, key, "the key is not valid Unicode (lone surrogate)");
  }
  if (key.charCodeAt(0) === 47 /* "/" */) {
    throw accessDenied(bucket, key, "a key may not start with '/' (it would name an absolute path)");
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short keys need no byte count.
  if (key.length * 3 > MAX_KEY_BYTES) {
    const bytes = Buffer.byteLength(key, "utf8");
    if (bytes > MAX_KEY_BYTES) throw keyTooLong(bucket, key, `${bytes} bytes, the limit is ${MAX_KEY_BYTES}`);
  }
  if (segmentsNeedChecking(key)) checkSegments(bucket, key);
  else if (key.charCodeAt(key.length - 1) === 47) throw trailingSlash(bucket, key);
  return parsedKey(bucket, key);
}

/**
 * Whether a segment of `key` may be "..", "." or empty, or long enough to pass NAME_MAX. A dot-only segment
 * either starts the key or follows a "/"; an empty one is "//" (a leading "/" is refused before, a trailing one
 * after); a segment of more than 255 bytes needs a key of more than 85 UTF-16 units. Most keys are none of
 * these, and are checked without splitting them into an array of segments.
 */
function segmentsNeedChecking(key: string): boolean {
  return key.length > 85 || key.charCodeAt(0) === 46 /* "." */ || key.includes("/.") || key.includes("//");
}

const trailingSlash = (bucket: string, key: string): StorageError =>
  invalidKey(bucket, key, "a key ending in '/' (a folder marker) cannot be held by local storage");

/** Every segment of `key`: no "..", then no trailing "/", then no empty or "." segment and none too long. */
function checkSegments(bucket: string, key: string): void {
  const segments = key.split("/");
  for (const seg of segments) {
    if (seg === "..") throw accessDenied(bucket, key, "a '..' segment would step outside the bucket");
  }
  if (key.charCodeAt(key.length - 1) === 47) throw trailingSlash(bucket, key);
  for (const seg of segments) {
    if (seg === "") throw invalidKey(bucket, key, "empty path segment ('//') cannot be held by local storage");
    if (seg === ".") throw invalidKey(bucket, key, "a '.' path segment cannot be held by local storage");
    // Only multi-byte text can reach the limit with fewer than 256 UTF-16 units.
    if (seg.length > 85 && Buffer.byteLength(seg, "utf8") > MAX_SEGMENT_BYTES) {
      throw keyTooLong(
        bucket,
        key,
        `path segment ${JSON.stringify(seg.slice(0, 32))}... is ${Buffer.byteLength(seg, "utf8")} bytes, a filesystem holds at most ${MAX_SEGMENT_BYTES}`,
      );
    }
  }
}

/** Versions: the local backend is unversioned; `undefined` and "null" both name the one object. */
export function isNullVersion(versionId: string | undefined): boolean {
  return versionId === undefined || versionId === "null";
}

/** A request's bucket, key and version checked together: 404 NoSuchVersion for any version but "null". */
export function parseObjectRef(bucket: string, key: string, versionId: string | undefined): ParsedKey {
  checkBucketName(bucket);
  const k = parseKey(bucket, key);
  if (!isNullVersion(versionId)) {
    throw noSuchVersion(bucket, key, String(versionId), 'the local backend is unversioned; only "null" exists');
  }
  return k;
}
