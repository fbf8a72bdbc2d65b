/**
 * ListObjects of the local backend: objects in UTF-8 byte order of their keys, streamed folder by folder. Each
 * folder's entries are sorted (a folder as `name + "/"`, which is where its keys sort), and folders that cannot
 * hold a key in range are skipped unread, so a listing that starts after a key or under a prefix reads only
 * what it returns. Symlinks, special files, names that are not UTF-8 and keys over 1024 bytes cannot be
 * objects and are not listed.
 */
import type fs from "node:fs";
import type { ListedObject } from "../types.js";
import { storageClassFromRow } from "./attributes.js";
import { fromFsError, isErrno } from "./errors.js";
import { cachedEtag } from "./file-etag.js";
import { lstatBig, readdirBuffers } from "./fs-calls.js";
import { MAX_KEY_BYTES, parsedKey } from "./keys.js";
import { mtimeOf, type ObjectFiles } from "./object-files.js";

/** The bucket's objects (the bucket already verified) whose key starts with `prefix` and sorts after `after`. */
export async function* listObjects(
  files: ObjectFiles,
  bucket: string,
  options: { prefix?: string; startAfter?: string },
): AsyncGenerator<ListedObject> {
  const prefix = Buffer.from(options.prefix ?? "", "utf8");
  const after = options.startAfter ? Buffer.from(options.startAfter, "utf8") : undefined;
  yield* walk(files, bucket, "", prefix, after);
}

async function* walk(
  files: ObjectFiles,
  bucket: string,
  dir: string,
  prefix: Buffer,
  after: Buffer | undefined,
): AsyncGenerator<ListedObject> {
  const root = files.folders.root;
  const abs = dir === "" ? files.folders.bucketPath(bucket) : `${root}/${bucket}/${dir.slice(0, -1)}`;
  let entries: fs.Dirent<Buffer>[];
  try {
    entries = await readdirBuffers(abs);
  } catch (e) {
    if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) return;
    throw fromFsError(e, bucket, dir);
  }
  const items: { key: string; bytes: Buffer; folder: boolean }[] = [];
  for (const entry of entries) {
    const folder = entry.isDirectory();
    if (!folder && !entry.isFile()) continue;
    const name = entry.name.toString("utf8");
    if (!Buffer.from(name, "utf8").equals(entry.name)) continue;
    const key = folder ? `${dir}${name}/` : `${dir}${name}`;
    const bytes = Buffer.from(key, "utf8");
    if (folder ? !folderInRange(bytes, prefix, after) : !keyInRange(bytes, prefix, after)) continue;
    if (!folder && bytes.length > MAX_KEY_BYTES) continue;
    items.push({ key, bytes, folder });
  }
  items.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  for (const item of items) {
    if (item.folder) {
      yield* walk(files, bucket, item.key, prefix, after);
      continue;
    }
    const listed = await listedObject(files, bucket, item.key);
    if (listed) yield listed;
  }
}

/** The listing's entry for one file, or undefined when it stopped being an object meanwhile. */
async function listedObject(files: ObjectFiles, bucket: string, key: string): Promise<ListedObject | undefined> {
  const abs = `${files.folders.root}/${bucket}/${key}`;
  let st: fs.BigIntStats;
  try {
    st = await lstatBig(abs);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const row = files.db.get(bucket, key);
  let etag = cachedEtag(row, st);
  if (etag === undefined) {
    try {
      etag = await files.computeEtag(parsedKey(bucket, key), abs);
    } catch {
      return undefined;
    }
  }
  return { key, size: Number(st.size), etag, lastModified: mtimeOf(st), storageClass: storageClassFromRow(row) };
}

const startsWith = (s: Buffer, p: Buffer): boolean =>
  s.length >= p.length && s.compare(p, 0, p.length, 0, p.length) === 0;

export function keyInRange(key: Buffer, prefix: Buffer, after: Buffer | undefined): boolean {
  return startsWith(key, prefix) && (after === undefined || Buffer.compare(key, after) > 0);
}

/** Whether a folder (`key` ends with "/") may hold keys that match the prefix and sort after `after`. */
export function folderInRange(folder: Buffer, prefix: Buffer, after: Buffer | undefined): boolean {
  if (!startsWith(folder, prefix) && !startsWith(prefix, folder)) return false;
  // Every key in the folder starts with `folder`; if `after` is greater and does not start with it, all are smaller.
  return after === undefined || Buffer.compare(after, folder) < 0 || startsWith(after, folder);
}
