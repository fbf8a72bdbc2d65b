/**
 * The filesystem calls on the copy path. The hot ones (lstat, copyFile, rename) are synchronous calls
 * wrapped in promises: for small files a libuv thread-pool round trip costs more than the syscall itself, and
 * the engine runs chunks on worker threads (engine/worker-pool-executor.ts), so a blocking call holds up
 * only that worker, never the API's event loop. The rest use the callback API.
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
