/**
 * CopyObject in a local directory: the copy's checks (S3's, in S3's order), the new object's metadata row from
 * the directives (the rule every backend shares, ../copy-attributes.ts), then a copy of the file into tmp/ and
 * a rename into place.
 *
 * Performance notes (the copy path is benchmarked against `cp -r`, bench/local-ops.ts): the source is opened
 * once (O_NOFOLLOW) and fstat'ed, and one SQLite read, made with the turn's other reads in one read transaction
 * (metadata-db.ts), fetches the source's and target's rows; then an lstat of
 * the target slot, the bytes read through that descriptor into a new file in tmp/, and a rename: about 10
 * syscalls for a small object, where libuv's copyFile alone makes 11, and what is copied is the file that was
 * checked. These calls are synchronous (see fs-calls.ts: the engine runs them on worker threads), there is no
 * metadata write when source and target keep default metadata, and the result's ETag is hashed only if
 * someone reads it.
 */
import fs from "node:fs";
import { copiedAcl, copiedMetadata, copiedTags } from "../copy-attributes.js";
import { type CopyDirectives, copyDirectives } from "../copy-directives.js";
import { checkIfMatch, checkModifiedSince } from "../copy-preconditions.js";
import { StorageError } from "../errors.js";
import { checkAcl, checkStorageClass, checkTags, PRIVATE_ACL } from "../object-attributes.js";
import type { CopyOptions, WriteResult } from "../types.js";
import {
  aclFromRow,
  aclToColumn,
  contentTypeFor,
  metadataFromRow,
  metadataToColumns,
  sameDefaultContentType,
  storageClassToColumn,
  tagsFromRow,
  tagsToColumn,
} from "./attributes.js";
import { fromFsError } from "./errors.js";
import { cachedEtag, stampOf } from "./file-etag.js";
import { unlinkQuietly } from "./fs-calls.js";
import type { ParsedKey } from "./keys.js";
import { EMPTY_ROW, type ObjectRow } from "./metadata-db.js";
import { mtimeOf, type ObjectFile, type ObjectFiles } from "./object-files.js";
import { checkNotLocked } from "./object-lock.js";

/** Copies the object `s` to `t` (both parsed and checked by the caller). */
export async function copyObject(
  files: ObjectFiles,
  s: ParsedKey,
  t: ParsedKey,
  options: CopyOptions,
): Promise<WriteResult> {
  if (options.storageClass !== undefined) checkStorageClass(options.storageClass);
  if (options.tags) checkTags(options.tags);
  if (options.acl) checkAcl(options.acl);
  const directives = copyDirectives(options);

  const src = await files.openSource(s, t);
  let stamp: ReturnType<typeof stampOf> | undefined;
  let etag: string | undefined;
  let row: ObjectRow | undefined;
  try {
    // Rows are what can make an object unreadable (archived) or the target locked: no row, no clock read.
    if (src.row !== undefined) files.checkReadable(s, src.row);
    if (src.targetRow !== undefined)
      checkNotLocked(t.bucket, t.key, src.targetRow, files.now().getTime(), "overwrite it");
    etag = cachedEtag(src.row, src.st);
    // The source's time is made into a Date only for a copy whose preconditions look at it.
    if (
      options.ifModifiedSince !== undefined ||
      options.ifUnmodifiedSince !== undefined ||
      options.ifMatch !== undefined
    ) {
      const source = { bucket: s.bucket, key: s.key, lastModified: mtimeOf(src.st) };
      checkModifiedSince(source, options);
      if (options.ifMatch !== undefined) {
        etag ??= await files.computeEtag(s, src.abs);
        checkIfMatch(source, etag, options);
      }
    }
    checkInPlaceChange(s, t, directives, options);
    row = targetRow(src, s, t, directives, options);

    if (!files.folders.isKnown(t)) await files.folders.ensure(t, true);
    const tmp = files.tmp.name();
    try {
      // Synchronous from here to the rename (fs-calls.ts): no promise per step. A folder copies keep coming to is
      // listed once, and a slot the listing saw free or holding a file needs no lstat (folder-listings.ts).
      const slotChecked = !files.listings.isFreeSlot(t);
      if (slotChecked) files.folders.checkTargetSlotSync(t);
      const copied = files.tmp.copyOpenSync({ fd: src.fd, size: Number(src.st.size) }, tmp, etag !== undefined);
      if (copied !== undefined) stamp = stampOf(copied);
      // A lock set on the target while it was copied (one more read only when the target had a row: the
      // common copy to a new key stays one SQLite read).
      if (src.targetRow !== undefined) files.checkWritable(t, "overwrite it");
      const renaming = files.placeCopy(tmp, t, slotChecked);
      if (renaming !== undefined) await renaming;
    } catch (e) {
      await unlinkQuietly(tmp);
      throw fromFsError(e, t.bucket, t.key);
    }
  } finally {
    fs.closeSync(src.fd);
  }

  if (row !== undefined) {
    files.db.replace(t.bucket, t.key, stamp ? { ...row, etag: etag!, size: stamp.size, mtime_ns: stamp.mtimeNs } : row);
  } else {
    if (src.targetHasRow) files.db.delete(t.bucket, t.key);
    if (stamp) files.db.cacheEtag(t.bucket, t.key, etag!, stamp.size, stamp.mtimeNs);
  }
  if (etag !== undefined) return { etag };
  return files.lazyEtagResult(t);
}

/**
 * Like S3, copying an object onto itself must change something: its metadata, storage class, tags or ACL.
 * (An ACL directive without an ACL, which only resets the ACL to the default, does not count.) S3 servers check
 * this themselves; a copy between two stores is never onto itself.
 */
function checkInPlaceChange(s: ParsedKey, t: ParsedKey, d: CopyDirectives, options: CopyOptions): void {
  if (s.bucket !== t.bucket || s.key !== t.key) return;
  if (
    d.metadataDirective === "Copy" &&
    d.taggingDirective === "Copy" &&
    (d.aclDirective === "Copy" || options.acl === undefined) &&
    options.storageClass === undefined
  ) {
    throw new StorageError(
      "InvalidRequest",
      400,
      `This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, tags or ACL: ${s.bucket}/${s.key}`,
    );
  }
}

/** The new object's metadata row, or undefined when all of it is default (no row needed). */
function targetRow(
  src: ObjectFile,
  s: ParsedKey,
  t: ParsedKey,
  d: CopyDirectives,
  options: CopyOptions,
): ObjectRow | undefined {
  // A source without a row has default attributes (no tags, private): copying them, or replacing them with
  // nothing, gives the defaults again.
  const defaultsStay =
    src.row === undefined &&
    d.metadataDirective === "Copy" &&
    (d.taggingDirective === "Copy" || options.tags === undefined || options.tags.length === 0) &&
    (d.aclDirective === "Copy" || options.acl === undefined) &&
    storageClassToColumn(options.storageClass) === null;
  if (defaultsStay) {
    // The hand-dropped fast path: nothing to remember unless the content type would change with the key.
    return sameDefaultContentType(s.key, t.key) ? undefined : { ...EMPTY_ROW, content_type: contentTypeFor(s.key) };
  }
  const metadata = copiedMetadata(d.metadataDirective, metadataFromRow(src.row, s.key), options.metadata);
  const tags = copiedTags(d.taggingDirective, tagsFromRow(src.row), options.tags);
  const acl = copiedAcl(d.aclDirective, aclFromRow(src.row), options.acl) ?? PRIVATE_ACL;
  const row: ObjectRow = {
    ...EMPTY_ROW,
    ...metadataToColumns(metadata, t.key),
    tags: tagsToColumn(tags),
    acl: aclToColumn(acl),
    storage_class: storageClassToColumn(options.storageClass),
  };
  return isDefaultRow(row) ? undefined : row;
}

function isDefaultRow(row: ObjectRow): boolean {
  for (const v of Object.values(row)) if (v !== null) return false;
  return true;
}
