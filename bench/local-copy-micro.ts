/**
 * Micro-benchmark of LocalStorage.copy alone (no engine, no HTTP): N hand-dropped objects of 1 KiB copied with
 * bounded concurrency, against `cp -r` of the same tree. Prints figures; never fails on time.
 *   npx tsx bench/local-copy-micro.ts [objects=100000] [concurrency=32] [dir=os.tmpdir()]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStorage } from "../src/storage/local/index.js";

const objects = Number(process.argv[2] ?? 100_000);
const concurrency = Number(process.argv[3] ?? 32);
const dataDir = mkdtempSync(join(process.argv[4] ?? tmpdir(), "objbatch-micro-"));
try {
  const src = join(dataDir, "buckets", "src");
  const body = Buffer.alloc(1024, "x");
  const keys: string[] = [];
  for (let i = 0; i < objects; i++) {
    const dir = `d${String(Math.floor(i / 1000)).padStart(4, "0")}`;
    if (i % 1000 === 0) mkdirSync(join(src, dir), { recursive: true });
    const key = `${dir}/obj-${i}.bin`;
    writeFileSync(join(src, key), body);
    keys.push(key);
  }
  mkdirSync(join(dataDir, "buckets", "dst"));
  execFileSync("sync");
  let t = process.hrtime.bigint();
  execFileSync("cp", ["-r", src, join(dataDir, "cp-copy")]);
  const cpSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  rmSync(join(dataDir, "cp-copy"), { recursive: true, force: true });
  execFileSync("sync");

  const storage = new LocalStorage({ dataDir });
  t = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++];
        await storage.copy({ bucket: "src", key }, { bucket: "dst", key }, { aclDirective: "Replaced" });
      }
    }),
  );
  const copySeconds = Number(process.hrtime.bigint() - t) / 1e9;
  await storage.close();
  process.stdout.write(
    `objects ${objects}, concurrency ${concurrency}, ${dataDir}\n` +
      `cp -r:               ${cpSeconds.toFixed(2)} s\n` +
      `LocalStorage.copy:   ${copySeconds.toFixed(2)} s (${(copySeconds / cpSeconds).toFixed(2)}x cp -r, ${Math.round(objects / copySeconds)}/s)\n`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
