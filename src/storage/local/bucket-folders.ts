/**
 * Containment of the local backend: a key never leads outside its bucket's directory. Keys are checked as
 * strings first (keys.ts); then every folder on a key's path is checked with lstat to be a real directory,
 * never a symlink, and created where a write needs it. The object itself is opened with O_NOFOLLOW or lstat'ed
 * by its callers (object-files.ts), and a write may replace a file, never a symlink or a folder
 * (checkTargetSlot).
 *
 * Verified folders are remembered for a few seconds (FOLDER_TTL_MS) so 100,000 copies into one prefix do not
 * lstat or mkdir it 100,000 times; a symlink swapped in by hand for a folder verified within that window is
 * noticed when the entry expires. The checks are synchronous calls (fs-calls.ts): a folder is verified and
 * remembered before any other task runs, so the tasks that reach a new folder together check it once, not
 * once each. The data directory's own path may contain symlinks: LocalStorage resolves it
 * once at start, and `root` here is that real path.
 */
import fs from "node:fs";
import { accessDenied, invalidKey, noSuchBucket, noSuchKey } from "../errors.js";
import { fromFsError, isErrno } from "./errors.js";
import { rmdirIfEmpty } from "./fs-calls.js";
import type { ParsedKey } from "./keys.js";

export const FOLDER_TTL_MS = 5_000;
const FOLDER_CACHE_MAX = 50_000;

export class BucketFolders {
  /** Folders verified to be real directories: "<bucket>/<dir>" (a bucket itself: "<bucket>/") -> valid until. */
  private readonly verified = new Map<string, number>();
  /** Folders ("<bucket>/<dir>") that this turn's deletes may have left empty, and the pass that will look. */
  private readonly toPrune = new Set<string>();
  private pruning: Promise<void> | undefined;

  /**
   * @param root the real path of the buckets/ directory
   * @param clock milliseconds for the cache's expiry (tests inject one)
   */
  constructor(
    readonly root: string,
    private readonly clock: () => number = Date.now,
  ) {}

  bucketPath(bucket: string): string {
    return `${this.root}/${bucket}`;
  }

  objectPath(k: ParsedKey): string {
    return `${this.root}/${k.bucket}/${k.key}`;
  }

  /** The bucket's directory is there and is a real directory: 404 NoSuchBucket, 403 for a symlink. */
  async verifyBucket(bucket: string): Promise<void> {
    const now = this.clock();
    const cacheKey = `${bucket}/`;
    if ((this.verified.get(cacheKey) ?? 0) > now) return;
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(this.bucketPath(bucket), { throwIfNoEntry: false });
    } catch (e) {
      throw fromFsError(e, bucket, "");
    }
    if (st === undefined) throw noSuchBucket(bucket);
    if (st.isSymbolicLink()) throw accessDenied(bucket, "", "the bucket directory is a symbolic link");
    if (!st.isDirectory()) throw noSuchBucket(bucket);
    this.remember(cacheKey, now);
  }

  /** Whether the key's folder was verified recently enough to skip ensure(). */
  isKnown(k: ParsedKey): boolean {
    return (this.verified.get(k.folder) ?? 0) > this.clock();
  }

  /**
   * Checks that every folder on the key's path is a real directory inside the bucket (creating missing ones
   * when `create`). Throws NoSuchBucket, AccessDenied (a symlink on the path), NoSuchKey (reading through a
   * missing folder or a file) or InvalidArgument (writing below an existing object).
   */
  async ensure(k: ParsedKey, create: boolean): Promise<void> {
    const now = this.clock();
    if ((this.verified.get(k.folder) ?? 0) > now) return;
    await this.verifyBucket(k.bucket);
    if (k.dir === "") return;
    let rel = "";
    for (const seg of k.dir.split("/")) {
      rel = rel === "" ? seg : `${rel}/${seg}`;
      const cacheKey = `${k.bucket}/${rel}`;
      if ((this.verified.get(cacheKey) ?? 0) > now) continue;
      const abs = `${this.root}/${k.bucket}/${rel}`;
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(abs, { throwIfNoEntry: false });
      } catch (e) {
        throw fromFsError(e, k.bucket, k.key);
      }
      if (st === undefined) {
        if (!create) throw noSuchKey(k.bucket, k.key);
        try {
          fs.mkdirSync(abs);
          this.remember(cacheKey, now);
          continue;
        } catch (e) {
          if (!isErrno(e, "EEXIST")) throw fromFsError(e, k.bucket, k.key);
          st = fs.lstatSync(abs);
        }
      }
      if (st.isSymbolicLink()) {
        throw accessDenied(k.bucket, k.key, `the key passes through the symbolic link ${JSON.stringify(rel)}`);
      }
      if (!st.isDirectory()) {
        if (!create) throw noSuchKey(k.bucket, k.key);
        throw invalidKey(
          k.bucket,
          k.key,
          `its prefix ${JSON.stringify(rel)} is an existing object (file), so it cannot also be a folder`,
        );
      }
      this.remember(cacheKey, now);
    }
  }

  /** Forgets the key's folders (and its bucket), so the next ensure() checks them on disk again. */
  forget(k: ParsedKey): void {
    this.verified.delete(`${k.bucket}/`);
    let rel = "";
    for (const seg of k.dir === "" ? [] : k.dir.split("/")) {
      rel = rel === "" ? seg : `${rel}/${seg}`;
      this.verified.delete(`${k.bucket}/${rel}`);
    }
  }

  /** A write may replace a file, never a symlink or a folder (403 AccessDenied, 400 InvalidArgument). */
  async checkTargetSlot(k: ParsedKey): Promise<void> {
    this.checkTargetSlotSync(k);
  }

  /** checkTargetSlot() for a caller on the synchronous path (a copy): throws instead of rejecting. */
  checkTargetSlotSync(k: ParsedKey): void {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(this.objectPath(k), { throwIfNoEntry: false });
    } catch (e) {
      throw fromFsError(e, k.bucket, k.key);
    }
    if (st === undefined || st.isFile()) return;
    if (st.isSymbolicLink()) throw accessDenied(k.bucket, k.key, "the key names a symbolic link");
    if (st.isDirectory()) {
      throw invalidKey(k.bucket, k.key, "the key names an existing folder (directory), which cannot also be an object");
    }
    throw invalidKey(k.bucket, k.key, "the key names a special file, which cannot be an object");
  }

  /**
   * After a delete, removes the folders the key leaves empty (so their names can become keys again). The
   * deletes of one event-loop turn share one pass, run once the turn's other tasks have had their go: a folder
   * emptied by the 64 deletes in flight is tried once, not 64 times (a refused rmdir costs a syscall and an
   * exception, a fifth of a local delete). Resolves when that pass is done, so a delete that has resolved has
   * left no empty folder behind it.
   */
  pruneEmpty(k: ParsedKey): Promise<void> {
    if (k.dir === "") return Promise.resolve();
    this.toPrune.add(k.folder);
    this.pruning ??= new Promise((resolve) =>
      setImmediate(() => {
        this.pruning = undefined;
        this.pruneQueued();
        resolve();
      }),
    );
    return this.pruning;
  }

  /**
   * Deepest folders first, a level at a time: a folder is tried after every one of its subfolders that the
   * pass removed, so siblings emptied together leave their parent empty and the parent goes too.
   */
  private pruneQueued(): void {
    const byDepth = new Map<number, Set<string>>();
    const add = (path: string) => {
      const depth = path.split("/").length - 1; // "<bucket>/<dir>": 1 for a folder at the bucket's top
      const level = byDepth.get(depth) ?? new Set<string>();
      byDepth.set(depth, level.add(path));
    };
    for (const path of this.toPrune) add(path);
    this.toPrune.clear();
    for (let depth = Math.max(...byDepth.keys()); depth >= 1; depth--) {
      for (const path of byDepth.get(depth) ?? []) {
        if (!rmdirIfEmpty(`${this.root}/${path}`)) continue;
        this.verified.delete(path);
        if (depth > 1) add(path.slice(0, path.lastIndexOf("/")));
      }
    }
  }

  private remember(cacheKey: string, now: number): void {
    if (this.verified.size >= FOLDER_CACHE_MAX) this.verified.clear();
    this.verified.set(cacheKey, now + FOLDER_TTL_MS);
  }
}
