/**
 * The filesystem calls of the per-object paths (copy, delete, tagging and the other metadata operations). The
 * hot ones (lstat, open, read, write, rename, unlink, rmdir, mkdir) are synchronous calls, some
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

export const rename = (from: string, to: string): Promise<void> => attempt(() => fs.renameSync(from, to));

export const mkdir = (p: string): Promise<void> => attempt(() => fs.mkdirSync(p));

export const unlink = (p: string): Promise<void> => attempt(() => fs.unlinkSync(p));

/** rmdir that answers whether the folder was removed (false when it is not empty or not there). */
export function rmdirIfEmpty(p: string): boolean {
  try {
    fs.rmdirSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens an object's file for reading without following a symlink in its last component (ELOOP) and without
 * blocking on a FIFO someone dropped in a bucket (O_NONBLOCK does nothing to a regular file).
 */
export const openNoFollow = (p: string): number =>
  fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);

/** Creates the file `p` for writing; it must not exist yet (EEXIST). */
export const openNewFile = (p: string): number =>
  fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL);

/** Removes a file, ignoring any failure (used to drop temporary files on error paths). */
export const unlinkQuietly = (p: string): Promise<void> => new Promise((resolve) => fs.unlink(p, () => resolve()));

export const readdirBuffers = (p: string): Promise<fs.Dirent<Buffer>[]> =>
  new Promise((resolve, reject) =>
    fs.readdir(p, { withFileTypes: true, encoding: "buffer" }, (e, entries) => (e ? reject(e) : resolve(entries))),
  );
