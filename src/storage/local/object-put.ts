/**
 * PutObject in a local directory: the attributes are checked as S3 checks them, the body is written to tmp/
 * (hashed for its ETag as it goes) and renamed over the key's file in one step, then the metadata row is
 * replaced. Completing a multipart upload writes through here too, so Object Lock, metadata and the atomic
 * replace apply to it as to any write.
 */
import type fs from "node:fs";
import { checkAcl, checkStorageClass, checkTags } from "../object-attributes.js";
import type { PutOptions, WriteResult } from "../types.js";
import { aclToColumn, metadataToColumns, storageClassToColumn, tagsToColumn } from "./attributes.js";
import { fromFsError } from "./errors.js";
import { stampOf } from "./file-etag.js";
import { lstatBig, unlinkQuietly } from "./fs-calls.js";
import type { ParsedKey } from "./keys.js";
import { EMPTY_ROW } from "./metadata-db.js";
import type { ObjectFiles } from "./object-files.js";

/**
 * Writes `body` as the object `k` (parsed and checked by the caller), replacing the object and its row. A streamed
 * body (a Readable, or a multipart upload's parts read through one buffer) is written a chunk at a time.
 */
export async function putObject(
  files: ObjectFiles,
  k: ParsedKey,
  body: Buffer | string | AsyncIterable<Uint8Array | string>,
  options: PutOptions,
): Promise<WriteResult> {
  if (options.tags) checkTags(options.tags);
  if (options.acl) checkAcl(options.acl);
  if (options.storageClass !== undefined) checkStorageClass(options.storageClass);
  await files.folders.ensure(k, true);
  await files.folders.checkTargetSlot(k);
  files.checkWritable(k, "overwrite it");
  const tmp = files.tmp.name();
  let etag: string;
  let st: fs.BigIntStats;
  try {
    etag = await files.tmp.write(tmp, body);
    st = await lstatBig(tmp);
    // Again, synchronously right before the rename: a lock may have been set while the body was written.
    files.checkWritable(k, "overwrite it");
    await files.renameIntoPlace(tmp, k);
  } catch (e) {
    await unlinkQuietly(tmp);
    throw fromFsError(e, k.bucket, k.key);
  }
  const stamp = stampOf(st);
  files.db.replace(k.bucket, k.key, {
    ...EMPTY_ROW,
    etag,
    size: stamp.size,
    mtime_ns: stamp.mtimeNs,
    ...metadataToColumns(options.metadata, k.key),
    tags: tagsToColumn(options.tags ?? []),
    acl: options.acl ? aclToColumn(options.acl) : null,
    storage_class: storageClassToColumn(options.storageClass),
  });
  return { etag };
}
