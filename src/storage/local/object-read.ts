/**
 * GetObject in a local directory: the object's file is opened with O_NOFOLLOW (a symlink is never read
 * through), then checked on the open handle: a regular file, not archived, the If-Match condition, the range.
 * The stream reads from that handle, so a file replaced meanwhile by a write (a rename) is read whole as it
 * was opened; it can also be read through one buffer of the reader's (file-chunks.ts).
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import type { Readable } from "node:stream";
import { accessDenied, invalidRange, noSuchKey, preconditionFailed } from "../errors.js";
import { ifMatchAccepts } from "../etag.js";
import type { GetOptions } from "../types.js";
import { fromFsError, isErrno } from "./errors.js";
import { fileBody } from "./file-chunks.js";
import { cachedEtag } from "./file-etag.js";
import type { ParsedKey } from "./keys.js";
import type { ObjectFiles } from "./object-files.js";

/** A stream of the object `k` (parsed and checked by the caller), or of the byte range asked for. */
export async function readObject(files: ObjectFiles, k: ParsedKey, options: GetOptions): Promise<Readable> {
  const { bucket, key } = k;
  await files.withOrphanCleanup(k, () => files.folders.ensure(k, false));
  const abs = files.folders.objectPath(k);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) throw files.missing(k);
    if (isErrno(e, "ELOOP")) throw accessDenied(bucket, key, "the key names a symbolic link");
    throw fromFsError(e, bucket, key);
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) throw noSuchKey(bucket, key);
    const row = files.db.get(bucket, key);
    files.checkReadable(k, row);
    if (options.ifMatch !== undefined) {
      const etag = cachedEtag(row, st) ?? (await files.computeEtag(k, abs));
      if (!ifMatchAccepts(options.ifMatch, etag)) throw preconditionFailed(bucket, key, `If-Match ${options.ifMatch}`);
    }
    const range = options.range ? checkRange(k, options.range, Number(st.size)) : undefined;
    return fileBody(fh, range);
  } catch (e) {
    await fh.close();
    throw fromFsError(e, bucket, key);
  }
}

/** S3 range semantics: the end is clamped to the object; a start beyond it answers 416 InvalidRange. */
export function checkRange(
  k: ParsedKey,
  range: { start: number; end: number },
  size: number,
): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || start >= size) {
    throw invalidRange(range, `${k.bucket}/${k.key} of ${size} bytes`);
  }
  return { start, end: Math.min(end, size - 1) };
}
