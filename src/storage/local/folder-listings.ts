/**
 * What a bulk delete knows of a folder's entries without an lstat per object: a folder that deletes keep coming
 * to is listed once (one readdir, whose entries carry their type), and the names the listing saw as regular
 * files are remembered for FOLDER_TTL_MS, like the folders bucket-folders.ts verified. A delete of such a name
 * then needs no lstat to know that the key names a file, not a symlink or a folder: it unlinks it.
 *
 * The listing can only be as old as the TTL: a file replaced by hand with a symlink after it was listed would be
 * unlinked (the link removed, never followed: unlink does not follow the last component), where a fresh lstat
 * refuses it (403). Containment does not rest on it: the key's folders are checked as before, and unlink never
 * reaches outside them. A folder replaced by hand for a listed file fails the unlink (EISDIR), which the
 * delete treats as the lstat would have (nothing to delete). Names the listing did not see as files (new ones,
 * symlinks, folders) are lstat'ed as before.
 *
 * Only folders that deletes come back to are listed (LIST_AFTER deletes within the TTL), a listing stops at
 * MAX_ENTRIES (a larger folder is not listed again until the TTL has passed), and at most MAX_FOLDERS are kept.
 */
import fs from "node:fs";
import { FOLDER_TTL_MS } from "./bucket-folders.js";
import type { ParsedKey } from "./keys.js";

/** Deletes into a folder within the TTL before it is worth listing. */
export const LIST_AFTER = 16;
/** The most entries a listing reads; a larger folder is not listed. */
export const MAX_ENTRIES = 20_000;
const MAX_FOLDERS = 256;

interface Folder {
  /** Deletes asked for since the folder was first seen; it is listed at LIST_AFTER. */
  misses: number;
  /** Until when `files` holds (and the folder is not counted or listed again). */
  until: number;
  /** The names listed as regular files, less those deleted since; undefined until listed or when too large. */
  files: Set<string> | undefined;
}

export class FolderListings {
  /** "<bucket>/<dir>" -> what is known of it. */
  private readonly folders = new Map<string, Folder>();

  /**
   * @param root the real path of the buckets/ directory
   * @param clock milliseconds for the entries' expiry (tests inject one)
   * @param maxEntries the most entries a listing reads (tests lower it)
   */
  constructor(
    private readonly root: string,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /**
   * Whether the key named a regular file when its folder was listed, within the TTL (its folder's containment
   * must already be checked). Counts the ask, and lists the folder once deletes keep coming to it.
   */
  isListedFile(k: ParsedKey): boolean {
    const now = this.clock();
    let folder = this.folders.get(k.folder);
    if (folder === undefined || folder.until <= now) {
      if (this.folders.size >= MAX_FOLDERS) this.folders.clear();
      folder = { misses: 0, until: now + FOLDER_TTL_MS, files: undefined };
      this.folders.set(k.folder, folder);
    }
    if (folder.files !== undefined) return folder.files.has(k.dir === "" ? k.key : k.key.slice(k.dir.length + 1));
    if (++folder.misses !== LIST_AFTER) return false;
    folder.files = this.list(k);
    folder.until = now + FOLDER_TTL_MS;
    return false;
  }

  /** The key's file is gone (deleted): a later delete of it must look again. */
  forget(k: ParsedKey): void {
    this.folders.get(k.folder)?.files?.delete(k.dir === "" ? k.key : k.key.slice(k.dir.length + 1));
  }

  /** The names of the regular files in the key's folder; undefined when it has more than maxEntries or fails. */
  private list(k: ParsedKey): Set<string> | undefined {
    const files = new Set<string>();
    let dir: fs.Dir | undefined;
    try {
      dir = fs.opendirSync(k.dir === "" ? `${this.root}/${k.bucket}` : `${this.root}/${k.bucket}/${k.dir}`, {
        bufferSize: 1024,
      });
      let entries = 0;
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
        if (++entries > this.maxEntries) return undefined;
        // A name that is not valid UTF-8 reads back with U+FFFD in it, which a key could spell differently.
        if (entry.isFile() && !entry.name.includes("\uFFFD")) files.add(entry.name);
      }
      return files;
    } catch {
      return undefined;
    } finally {
      dir?.closeSync();
    }
  }
}
