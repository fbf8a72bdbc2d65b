/**
 * A LocalStorage on a fresh temporary data directory, with a clock the test can move, and small helpers to
 * drop files in by hand and read objects back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { LocalStorage, type LocalStorageOptions } from "../../../src/storage/local/index.js";

export interface Fixture {
  readonly dataDir: string;
  readonly storage: LocalStorage;
  readonly clock: { now: Date };
  /** Path of a key's file inside a bucket directory. */
  file(bucket: string, key: string): string;
  /** Writes a file into a bucket directory by hand (no metadata row). */
  drop(bucket: string, key: string, body: string | Buffer): Promise<string>;
  /** A second LocalStorage on the same data directory (closed by cleanup). */
  reopen(options?: Partial<LocalStorageOptions>): LocalStorage;
  cleanup(): Promise<void>;
}

export async function fixture(
  buckets: readonly string[] = ["src", "dst"],
  options: Partial<LocalStorageOptions> = {},
): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), "objbatch-local-"));
  const clock = { now: new Date("2025-01-01T00:00:00Z") };
  const opened: LocalStorage[] = [];
  const open = (extra: Partial<LocalStorageOptions> = {}): LocalStorage => {
    const s = new LocalStorage({ dataDir, now: () => clock.now, ...options, ...extra });
    opened.push(s);
    return s;
  };
  const storage = open();
  for (const b of buckets) await storage.createBucket(b);
  const file = (bucket: string, key: string) => join(dataDir, "buckets", bucket, key);
  return {
    dataDir,
    storage,
    clock,
    file,
    async drop(bucket, key, body) {
      const p = file(bucket, key);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, body);
      return p;
    },
    reopen: open,
    async cleanup() {
      for (const s of opened) await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function text(stream: Readable | Promise<Readable>): Promise<string> {
  return (await buffer(await stream)).toString("utf8");
}

export { collect, rejectsWith } from "../../helpers/storage-errors.js";
