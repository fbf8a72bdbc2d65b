/**
 * The few filesystem calls on the copy path, as promises over the callback API: measurably cheaper than
 * node:fs/promises for the 100,000-small-files case (one libuv request each, no FileHandle machinery).
 */
import fs from "node:fs";

const attempt = <T>(f: () => T): Promise<T> => {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
};
export const lstatBig = (p: string): Promise<fs.BigIntStats> => attempt(() => fs.lstatSync(p, { bigint: true }));

/** lstat that resolves undefined when nothing is there (ENOENT). */
export const lstatIfAny = (p: string): Promise<fs.Stats | undefined> =>
  attempt(() => fs.lstatSync(p, { throwIfNoEntry: false }));

export const copyFile = (from: string, to: string): Promise<void> =>
  attempt(() => fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE));

export const rename = (from: string, to: string): Promise<void> => attempt(() => fs.renameSync(from, to));

export const mkdir = (p: string): Promise<void> =>
  new Promise((resolve, reject) => fs.mkdir(p, (e) => (e ? reject(e) : resolve())));

export const unlink = (p: string): Promise<void> =>
  new Promise((resolve, reject) => fs.unlink(p, (e) => (e ? reject(e) : resolve())));

export const rmdir = (p: string): Promise<void> =>
  new Promise((resolve, reject) => fs.rmdir(p, (e) => (e ? reject(e) : resolve())));

/** Removes a file, ignoring any failure (used to drop temporary files on error paths). */
export const unlinkQuietly = (p: string): Promise<void> => new Promise((resolve) => fs.unlink(p, () => resolve()));

export const readdirBuffers = (p: string): Promise<fs.Dirent<Buffer>[]> =>
  new Promise((resolve, reject) =>
    fs.readdir(p, { withFileTypes: true, encoding: "buffer" }, (e, entries) => (e ? reject(e) : resolve(entries))),
  );
