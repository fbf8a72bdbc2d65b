/**
 * The objects of the local backend: a regular file under the bucket's directory (reached without symlinks,
 * bucket-folders.ts) plus, when it has anything worth remembering, a metadata row (metadata-db.ts). This is
 * what the object operations share: finding an object's file and row, its ETag (cached in the row, hashed on
 * demand), replacing a file atomically with one written in tmp/ (tmp-files.ts), and the checks of Object Lock
 * and archive state that stand between a request and the file.
 *
 * A row whose file is gone is no object: whoever notices drops it (missing()).
 */
import fs from "node:fs";
import { accessDenied, internalError, noSuchKey, StorageError } from "../errors.js";
import type { WriteResult } from "../types.js";
import type { BucketFolders } from "./bucket-folders.js";
import { fromFsError, isErrno } from "./errors.js";
import { hashFile, hashFileSync } from "./file-etag.js";
import { FolderListings } from "./folder-listings.js";
import { openNoFollow, rename } from "./fs-calls.js";
import type { ParsedKey } from "./keys.js";
import type { MetadataDb, ObjectRow } from "./metadata-db.js";
import { checkNotLocked } from "./object-lock.js";
import { checkReadable } from "./restore-state.js";
import type { TmpFiles } from "./tmp-files.js";

/** An object's file and row, as stat() found them. */
export interface ObjectFile {
  readonly abs: string;
  readonly st: fs.BigIntStats;
  readonly row: ObjectRow | undefined;
  /** Filled in for copies: whether the copy's target has a metadata row to replace. */
  readonly targetHasRow: boolean;
  /** Filled in for copies: the target's metadata row (for its Object Lock state). */
  readonly targetRow?: ObjectRow;
}

/** A copy's source as openSource() found it: the file open for reading (`fd`), its stat and the rows. */
export interface OpenedSource extends ObjectFile {
  readonly fd: number;
}

export class ObjectFiles {
  private closed = false;

  constructor(
    readonly description: string,
    readonly folders: BucketFolders,
    readonly tmp: TmpFiles,
    readonly db: MetadataDb,
    /** The clock for restores, their expiry and Object Lock retention. */
    readonly now: () => Date,
    /** What bulk deletes and copies know of the folders they keep coming to (folder-listings.ts). */
    readonly listings: FolderListings = new FolderListings(folders.root),
  ) {}

  /** Refuses every call once the storage is closed (500 InternalError, not retried). */
  ensureOpen(): void {
    if (this.closed) throw internalError(`${this.description} is closed`, false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** The object's file (a regular file reached without symlinks) and its metadata row. */
  async stat(k: ParsedKey): Promise<ObjectFile> {
    const abs = await this.reachFile(k);
    const st = this.lstatObject(k, abs, true);
    return { abs, st, row: this.db.get(k.bucket, k.key), targetHasRow: false };
  }

  /**
   * The object is there, a regular file reached without symlinks (what a write that replaces one column of its
   * row, tags or ACL, needs to know): stat()'s checks, with a plain lstat instead of one with 64-bit times.
   */
  async checkExists(k: ParsedKey): Promise<void> {
    this.lstatObject(k, await this.reachFile(k), false);
  }

  /** The path of the object's file, its folders checked (bucket-folders.ts). */
  private async reachFile(k: ParsedKey): Promise<string> {
    if (!this.folders.isKnown(k)) await this.withOrphanCleanup(k, () => this.folders.ensure(k, false));
    return this.folders.objectPath(k);
  }

  private lstatObject(k: ParsedKey, abs: string, bigint: true): fs.BigIntStats;
  private lstatObject(k: ParsedKey, abs: string, bigint: false): fs.Stats;
  private lstatObject(k: ParsedKey, abs: string, bigint: boolean): fs.Stats | fs.BigIntStats {
    let st: fs.Stats | fs.BigIntStats;
    try {
      st = fs.lstatSync(abs, { bigint });
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) throw this.missing(k);
      throw fromFsError(e, k.bucket, k.key);
    }
    if (st.isSymbolicLink()) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
    if (!st.isFile()) throw noSuchKey(k.bucket, k.key);
    return st;
  }

  /**
   * The source of a copy, opened: its file (opened without following a symlink, then fstat'ed, so what is
   * checked is what is read), its row and the target's (read with this turn's other reads, metadata-db.ts).
   * The caller closes `fd`.
   */
  async openSource(k: ParsedKey, copyTarget: ParsedKey): Promise<OpenedSource> {
    if (!this.folders.isKnown(k)) await this.withOrphanCleanup(k, () => this.folders.ensure(k, false));
    const abs = this.folders.objectPath(k);
    let fd: number;
    try {
      fd = openNoFollow(abs);
    } catch (e) {
      if (isErrno(e, "ENOENT") || isErrno(e, "ENOTDIR")) throw this.missing(k);
      if (isErrno(e, "ELOOP")) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
      throw fromFsError(e, k.bucket, k.key);
    }
    try {
      const st = fs.fstatSync(fd, { bigint: true });
      if (!st.isFile()) throw noSuchKey(k.bucket, k.key);
      const { db } = this;
      const rows = await db.readTogether(() => db.sourceAndTarget(k.bucket, k.key, copyTarget.bucket, copyTarget.key));
      return {
        fd,
        abs,
        st,
        row: rows.source,
        targetHasRow: rows.targetHasRow,
        ...(rows.target !== undefined ? { targetRow: rows.target } : {}),
      };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Runs `f`; a NoSuchKey from it drops the key's orphaned row on the way out. */
  async withOrphanCleanup(k: ParsedKey, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      if (e instanceof StorageError && e.code === "NoSuchKey") throw this.missing(k);
      throw e;
    }
  }

  /** NoSuchKey, after dropping a metadata row whose file is gone. */
  missing(k: ParsedKey): StorageError {
    if (this.db.has(k.bucket, k.key)) this.db.delete(k.bucket, k.key);
    return noSuchKey(k.bucket, k.key);
  }

  /** Hashes the object's file and caches the ETag in its row while the file stays as it was hashed. */
  async computeEtag(k: ParsedKey, abs: string): Promise<string> {
    let result: Awaited<ReturnType<typeof hashFile>>;
    try {
      result = await hashFile(abs);
    } catch (e) {
      if (isErrno(e, "ENOENT")) throw this.missing(k);
      if (isErrno(e, "ELOOP")) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
      throw fromFsError(e, k.bucket, k.key);
    }
    if (result.stamp) this.db.cacheEtag(k.bucket, k.key, result.etag, result.stamp.size, result.stamp.mtimeNs);
    return result.etag;
  }

  /** A write result whose ETag is hashed only when read: most callers of copy() never look at it. */
  lazyEtagResult(t: ParsedKey): WriteResult {
    let etag: string | undefined;
    const compute = (): string => {
      let hashed: ReturnType<typeof hashFileSync>;
      try {
        hashed = hashFileSync(this.folders.objectPath(t));
      } catch (e) {
        throw fromFsError(e, t.bucket, t.key);
      }
      const { etag: e, stamp } = hashed;
      if (!this.closed) this.db.cacheEtag(t.bucket, t.key, e, stamp.size, stamp.mtimeNs);
      return e;
    };
    return {
      get etag(): string {
        etag ??= compute();
        return etag;
      },
    };
  }

  /** Moves the file `tmp` into the key's place, replacing what was there in one step. */
  async renameIntoPlace(tmp: string, k: ParsedKey): Promise<void> {
    try {
      await rename(tmp, this.folders.objectPath(k));
    } catch (e) {
      if (!isErrno(e, "ENOENT") && !isErrno(e, "ENOTDIR")) throw e;
      await this.renameAgain(tmp, k);
    }
  }

  /**
   * renameIntoPlace() on a copy's synchronous path: undefined once the file is in place, a promise only when a
   * folder on the path has to be verified again. When the slot was not lstat'ed before (`slotChecked` false: a
   * listing saw it free or holding a file, folder-listings.ts), a rename that fails for what is there now (a
   * folder made since: EISDIR) gets the answer the lstat would have given.
   */
  placeCopy(tmp: string, k: ParsedKey, slotChecked: boolean): Promise<void> | undefined {
    try {
      fs.renameSync(tmp, this.folders.objectPath(k));
      return undefined;
    } catch (e) {
      if (!isErrno(e, "ENOENT") && !isErrno(e, "ENOTDIR")) {
        if (!slotChecked) this.folders.checkTargetSlotSync(k);
        throw e;
      }
      return this.renameAgain(tmp, k);
    }
  }

  /** A folder on the path was removed (or replaced) since it was verified: verify again and retry once. */
  private async renameAgain(tmp: string, k: ParsedKey): Promise<void> {
    this.folders.forget(k);
    await this.folders.ensure(k, true);
    this.folders.checkTargetSlotSync(k);
    await rename(tmp, this.folders.objectPath(k));
  }

  /** 403 AccessDenied when a legal hold or an unexpired retention protects the object from `action`. */
  checkWritable(k: ParsedKey, action: string): void {
    checkNotLocked(k.bucket, k.key, this.db.lock(k.bucket, k.key), this.now().getTime(), action);
  }

  /** 403 InvalidObjectState for an archived object without a readable restored copy. */
  checkReadable(k: ParsedKey, row: ObjectRow | undefined): void {
    checkReadable(k, row, this.now().getTime());
  }
}

export const mtimeOf = (st: fs.BigIntStats): Date => new Date(Number(st.mtimeNs / 1_000_000n));
