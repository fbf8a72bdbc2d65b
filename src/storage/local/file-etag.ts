/**
 * ETags of the local backend, computed from the files: the quoted hex MD5 of the whole file (what S3 answers
 * for single-part uploads), and the metadata row's cache of it, valid while the file keeps its size and mtime.
 * How ETags are compared is etag.ts's business, not this file's.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { quoteEtag } from "../etag.js";
import type { ObjectRow } from "./metadata-db.js";

export const md5Etag = (data: Buffer): string => quoteEtag(createHash("md5").update(data).digest("hex"));

/** The stamp an ETag cache entry is valid for: the file's size and mtime in nanoseconds. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeNs: string;
}

export const stampOf = (st: fs.BigIntStats): FileStamp => ({ size: Number(st.size), mtimeNs: st.mtimeNs.toString() });

/** The row's cached ETag if it still describes the file as it is now. */
export function cachedEtag(row: ObjectRow | undefined, st: fs.BigIntStats): string | undefined {
  if (row === undefined || row.etag === null) return undefined;
  return row.size === Number(st.size) && row.mtime_ns === st.mtimeNs.toString() ? row.etag : undefined;
}

const SMALL = 8 * 1024 * 1024;

/**
 * Hashes a file (never through a symlink) and returns its ETag with the stamp it is valid for, or no stamp when
 * the file changed while it was read (then the ETag must not be cached).
 */
export async function hashFile(abs: string): Promise<{ etag: string; stamp?: FileStamp }> {
  const fh = await fsp.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const before = await fh.stat({ bigint: true });
    const hash = createHash("md5");
    if (before.size <= SMALL) hash.update(await fh.readFile());
    else for await (const chunk of fh.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    const after = await fh.stat({ bigint: true });
    const etag = quoteEtag(hash.digest("hex"));
    const stable = before.size === after.size && before.mtimeNs === after.mtimeNs;
    return stable ? { etag, stamp: stampOf(after) } : { etag };
  } finally {
    await fh.close();
  }
}

/** Synchronous variant for the lazily computed ETag of a copy result (read only if someone asks for it). */
export function hashFileSync(abs: string): { etag: string; stamp: FileStamp } {
  const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const hash = createHash("md5");
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    const st = fs.fstatSync(fd, { bigint: true });
    return { etag: quoteEtag(hash.digest("hex")), stamp: stampOf(st) };
  } finally {
    fs.closeSync(fd);
  }
}
