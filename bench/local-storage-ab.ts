/**
 * Benchmark: the local backend alone (LocalStorage, no engine, no HTTP) of two checkouts in one process, in
 * alternating rounds, so a machine shared with other work slows both alike. Each round copies N hand-dropped
 * objects of 1 KiB into an empty bucket, tags the copies and deletes the sources, 64 calls in flight as a runner
 * thread has them, and records wall time and this process's CPU-seconds. Prints the medians and the CPU
 * microseconds per object of each checkout; figures only, it never fails on time.
 *
 *   npx tsx bench/local-storage-ab.ts <checkout A> [checkout B=this repository]
 *                                     [--objects 20000] [--rounds 6] [--dir /dev/shm]
 *
 * A checkout is an objbatch directory whose src/ is imported as it is (e.g. `git worktree add /tmp/base <commit>`
 * with node_modules linked in). bench/local-ops.ts measures the whole path (engine, report) against cp -r.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { keyOf, median } from "./local-bench-kit.js";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    objects: { type: "string", default: "20000" },
    rounds: { type: "string", default: "6" },
    dir: { type: "string", default: "/dev/shm" },
  },
});
if (positionals.length < 1) throw new Error("usage: local-storage-ab.ts <checkout A> [checkout B]");
const OBJECTS = Number(args.objects);
const ROUNDS = Number(args.rounds);
const checkouts = [resolve(positionals[0]), resolve(positionals[1] ?? new URL("..", import.meta.url).pathname)];

interface Storage {
  copy(s: { bucket: string; key: string }, t: { bucket: string; key: string }, o: object): Promise<unknown>;
  putTagging(bucket: string, key: string, tags: { key: string; value: string }[]): Promise<void>;
  delete(bucket: string, key: string): Promise<void>;
  close(): Promise<void>;
}
type StorageClass = new (options: { dataDir: string }) => Storage;
const classes: StorageClass[] = [];
for (const dir of checkouts) classes.push((await import(join(dir, "src/storage/local/index.ts"))).LocalStorage);

const keys = Array.from({ length: OBJECTS }, (_, i) => keyOf(i));
const body = Buffer.alloc(1024, "x");

/** Runs `op` on every key, 64 at a time; wall seconds and CPU-seconds. */
async function timed(op: (key: string) => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < keys.length) await op(keys[next++]);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
}

const runs = new Map<string, { wall: number; cpu: number }[]>();
const record = (name: string, run: { wall: number; cpu: number }) => runs.set(name, [...(runs.get(name) ?? []), run]);
for (let round = 0; round < ROUNDS; round++) {
  for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
    const dataDir = mkdtempSync(join(args.dir, "objbatch-ab-"));
    try {
      const src = join(dataDir, "buckets", "src");
      for (let i = 0; i < OBJECTS; i++) {
        if (i % 1000 === 0) mkdirSync(join(src, keyOf(i).split("/")[0]), { recursive: true });
        writeFileSync(join(src, keys[i]), body);
      }
      mkdirSync(join(dataDir, "buckets", "dst"));
      execFileSync("sync");
      const storage = new classes[which]({ dataDir });
      const label = which === 0 ? "A" : "B";
      const to = (key: string) => ({ bucket: "dst", key });
      record(`copy   ${label}`, await timed((key) => storage.copy({ bucket: "src", key }, to(key), {})));
      record(`tag    ${label}`, await timed((key) => storage.putTagging("dst", key, [{ key: "k", value: "v" }])));
      record(`delete ${label}`, await timed((key) => storage.delete("src", key)));
      await storage.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

const lines = [
  `A ${checkouts[0]}`,
  `B ${checkouts[1]}`,
  `${OBJECTS} objects of 1 KiB in ${args.dir}, ${ROUNDS} rounds`,
];
for (const [name, rs] of [...runs].sort()) {
  const cpu = median(rs.map((r) => r.cpu));
  const wall = median(rs.map((r) => r.wall));
  lines.push(
    `${name}  wall ${wall.toFixed(2)} s  CPU ${cpu.toFixed(2)} s  ${((cpu / OBJECTS) * 1e6).toFixed(1)} µs CPU per object`,
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
