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
 * Copies use the same listing for their target slot: a write may replace a regular file, never a symlink, a
 * folder or a special file, and a name the listing saw as none of those (a regular file, or nothing at all) needs
 * no lstat of the slot before the tmp file is renamed onto it. What the TTL leaves open is the same: a symlink or
 * special file dropped by hand at such a name since the listing is replaced by the copy (rename never follows it)
 * instead of refused, and a folder made there since fails the rename (EISDIR), which the copy answers as the lstat
 * would have (object-copy.ts). The names copies write are not added to the listing: a listing holds what one
 * readdir saw, less what was deleted since, so a folder that copies fill keeps a listing of the few names it had.
 *
 * Only folders that deletes or copies come back to are listed (LIST_AFTER asks within the TTL), a listing stops
 * at MAX_ENTRIES (a larger folder is not listed again until the TTL has passed), and at most MAX_FOLDERS are kept.
 */
import fs from "node:fs";
import { FOLDER_TTL_MS } from "./bucket-folders.js";
import type { ParsedKey } from "./keys.js";

/** Deletes or copies into a folder within the TTL before it is worth listing. */
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
  /** The names listed as anything else (folders, symlinks, special files, names that are not valid UTF-8). */
  others: Set<string> | undefined;
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
    const folder = this.listed(k);
    return folder !== undefined && folder.files!.has(nameOf(k));
  }

  /**
   * Whether the key's slot held a regular file or nothing at all when its folder was listed, within the TTL (its
   * folder's containment must already be checked): a write may replace what is there without an lstat. Counts
   * the ask, and lists the folder once copies keep coming to it.
   */
  isFreeSlot(k: ParsedKey): boolean {
    const folder = this.listed(k);
    if (folder === undefined) return false;
    const name = nameOf(k);
    // A key spelled with U+FFFD could name a file whose name is not valid UTF-8 (listed as U+FFFD): look.
    return !folder.others!.has(name) && !name.includes("\uFFFD");
  }

  /**
   * Whether the key's folder, listed within the TTL, still holds entries the listing saw (files not deleted
   * through here since, folders, symlinks): a delete then need not try to remove the folder. Entries removed by
   * hand since the listing are the TTL's blind spot: a folder they leave empty is removed by the delete of its
   * last listed file, or stays until a delete comes to it after the TTL.
   */
  holdsEntries(k: ParsedKey): boolean {
    const folder = this.folders.get(k.folder);
    if (folder?.files === undefined || folder.until <= this.clock()) return false;
    return folder.files.size > 0 || folder.others!.size > 0;
  }

  /** The key's file is gone (deleted): a later delete of it must look again. */
  forget(k: ParsedKey): void {
    this.folders.get(k.folder)?.files?.delete(nameOf(k));
  }

  /** The key's folder as listed within the TTL, or undefined (not listed yet, or too large); counts the ask. */
  private listed(k: ParsedKey): Folder | undefined {
    const now = this.clock();
    let folder = this.folders.get(k.folder);
    if (folder === undefined || folder.until <= now) {
      if (this.folders.size >= MAX_FOLDERS) this.folders.clear();
      folder = { misses: 0, until: now + FOLDER_TTL_MS, files: undefined, others: undefined };
      this.folders.set(k.folder, folder);
    }
    if (folder.files !== undefined) return folder;
    // The ask that lists the folder is answered as the ones before it were: look.
    if (++folder.misses === LIST_AFTER) {
      this.list(k, folder);
      folder.until = now + FOLDER_TTL_MS;
    }
    return undefined;
  }

  /**
   * Lists the key's folder into `folder` (its regular files and the rest); nothing is kept when it has more than
   * maxEntries or the listing fails.
   */
  private list(k: ParsedKey, folder: Folder): void {
    const files = new Set<string>();
    const others = new Set<string>();
    let dir: fs.Dir | undefined;
    try {
      dir = fs.opendirSync(k.dir === "" ? `${this.root}/${k.bucket}` : `${this.root}/${k.bucket}/${k.dir}`, {
        bufferSize: 1024,
      });
      let entries = 0;
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
        if (++entries > this.maxEntries) return;
        // A name that is not valid UTF-8 reads back with U+FFFD in it, which a key could spell differently.
        if (entry.isFile() && !entry.name.includes("\uFFFD")) files.add(entry.name);
        else others.add(entry.name);
      }
      folder.files = files;
      folder.others = others;
    } catch {
      // Not listed: every ask looks.
    } finally {
      dir?.closeSync();
    }
  }
}

/** The key's name in its folder. */
const nameOf = (k: ParsedKey): string => (k.dir === "" ? k.key : k.key.slice(k.dir.length + 1));
