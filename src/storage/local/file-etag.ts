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

/**
 * The bytes hashFile reads at a time, into one buffer it reuses. Under glibc's threshold for mapping an
 * allocation of its own (128 KiB), so hashing takes no mapping whose release would raise that threshold. A
 * buffer per read (a read stream's) or one of the file's size (readFile) is garbage the collector finds late:
 * hashing a manifest of 1,000,000 keys left its megabytes in the process's peak (docs/decisions.md D23).
 */
const READ_BYTES = 64 * 1024;

/**
 * Hashes a file (never through a symlink) and returns its ETag with the stamp it is valid for, or no stamp when
 * the file changed while it was read (then the ETag must not be cached).
 */
export async function hashFile(abs: string): Promise<{ etag: string; stamp?: FileStamp }> {
  const fh = await fsp.open(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const before = await fh.stat({ bigint: true });
    const hash = createHash("md5");
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
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
