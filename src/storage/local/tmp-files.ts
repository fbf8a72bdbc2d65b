/**
 * The tmp/ directory of the local backend: every write lands here first, under a name no other writer uses,
 * and is renamed into place (object-files.ts), so a reader sees the old object or the new one, never half of
 * either, and a crash leaves at most a stray file here. Stray files older than a day are removed when a
 * LocalStorage opens the data directory.
 *
 * tmp/ lies on the filesystem of buckets/ and uploads/ (LocalStorage checks that at start): a rename never
 * crosses filesystems.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { quoteEtag } from "../etag.js";
import { isErrno } from "./errors.js";
import { md5Etag } from "./file-etag.js";
import { openNewFile } from "./fs-calls.js";

const STALE_MS = 24 * 60 * 60 * 1000;

/** Copies go through one buffer of this size, reused by every copy of the thread (a copy never awaits). */
export const COPY_BUFFER_BYTES = 1024 * 1024;
let copyBuffer: Buffer | undefined;

/** A copy's source, open for reading: its descriptor and its size. */
export interface OpenFile {
  readonly fd: number;
  readonly size: number;
}

export class TmpFiles {
  private readonly prefix: string;
  private counter = 0;

  /** @param dir the real path of tmp/ */
  constructor(readonly dir: string) {
    this.prefix = `${dir}/${process.pid}-${randomBytes(4).toString("hex")}-`;
  }

  /** A fresh name in tmp/, unique to this process and this LocalStorage. */
  name(): string {
    return `${this.prefix}${(this.counter++).toString(36)}`;
  }

  /**
   * Writes `body` to the new file `tmp` and returns its ETag (the quoted MD5), hashed while it is written. A
   * streamed body (a Readable, or the chunks of a multipart upload's parts read through one buffer,
   * one-buffer-read.ts) is written a chunk at a time, each one hashed and written before the next is asked for.
   */
  async write(tmp: string, body: Buffer | string | AsyncIterable<Uint8Array | string>): Promise<string> {
    if (typeof body === "string" || Buffer.isBuffer(body)) {
      const data = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      await fsp.writeFile(tmp, data, { flag: "wx" });
      return md5Etag(data);
    }
    const hash = createHash("md5");
    const file = await fsp.open(tmp, "wx");
    try {
      for await (const chunk of body) {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        hash.update(bytes);
        for (let done = 0; done < bytes.length; ) {
          done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
        }
      }
    } finally {
      await file.close();
    }
    return quoteEtag(hash.digest("hex"));
  }

  /**
   * Copies the open file `from` to the new file `tmp` through its descriptor, so the bytes copied are those of
   * the file that was opened and checked (a symlink or another file swapped in at its name since is never
   * read), and returns the new file's stat when `stat` asks for it (for the ETag cache). A small file costs
   * open, read, write, fstat and close; a removed tmp/ is recreated.
   */
  async copyOpen(from: OpenFile, tmp: string, stat: boolean): Promise<fs.BigIntStats | undefined> {
    return this.copyOpenSync(from, tmp, stat);
  }

  /** copyOpen() for a caller on the synchronous path (a copy): throws instead of rejecting. */
  copyOpenSync(from: OpenFile, tmp: string, stat: boolean): fs.BigIntStats | undefined {
    let fd: number;
    try {
      fd = openNewFile(tmp);
    } catch (e) {
      if (!isErrno(e, "ENOENT")) throw e;
      fs.mkdirSync(this.dir, { recursive: true });
      fd = openNewFile(tmp);
    }
    try {
      copyBuffer ??= Buffer.allocUnsafeSlow(COPY_BUFFER_BYTES);
      for (let pos = 0; pos < from.size; ) {
        const n = fs.readSync(from.fd, copyBuffer, 0, Math.min(COPY_BUFFER_BYTES, from.size - pos), pos);
        if (n === 0) break;
        for (let done = 0; done < n; ) done += fs.writeSync(fd, copyBuffer, done, n - done);
        pos += n;
      }
      return stat ? fs.fstatSync(fd, { bigint: true }) : undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Removes files a crashed writer left behind, older than a day (a live writer's files are younger). */
  removeStale(now = Date.now()): void {
    const cutoff = now - STALE_MS;
    for (const name of fs.readdirSync(this.dir)) {
      const p = path.join(this.dir, name);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (st?.isFile() && st.mtimeMs < cutoff) fs.rmSync(p, { force: true });
    }
  }
}
