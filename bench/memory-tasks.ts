/**
 * Benchmark: objbatch's memory as a copy job grows (issue 11: peak RSS under 150 MB for a 1,000,000-task copy
 * job, and flat from 10,000 to 1,000,000 tasks). It writes the largest count of objects once on tmpfs, then for
 * each task count starts a fresh `objbatch serve`, runs one COS copy job of that many tasks (local backend,
 * worker threads, SQLite job store, a report of all tasks) and prints the server's RSS when idle, its peak RSS
 * (VmHWM) over the job, the job's wall time and CPU-seconds. Figures only; it never fails on time or memory.
 *
 *   npx tsx bench/memory-tasks.ts [checkout=this repository] [--tasks 10000,100000,1000000] [--size 1024]
 *
 * `checkout` is the objbatch directory whose dist/ runs (built first when not current): pass a worktree of an
 * older commit for "before" figures. The objects live in /dev/shm (or OBJBATCH_BENCH_DIR); at 1,000,000 objects
 * of 1 KiB the source and one copy take about 8 GB of tmpfs pages (each file fills a 4 KiB page), so --size 0
 * halves nothing but the write time: memory is what is measured, not bytes.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  checkoutDir,
  commitOf,
  generateObjects,
  machineLoad,
  operationXml,
  runJob,
  startServer,
  sync,
  writeManifest,
} from "./local-bench-kit.js";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tasks: { type: "string", default: "10000,100000,1000000" },
    size: { type: "string", default: "1024" },
  },
});
const COUNTS = args.tasks.split(",").map(Number);
const MAX = Math.max(...COUNTS);
const checkout = checkoutDir(positionals[0]);

const rssMb = async (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

const dataDir = await mkdtemp(join(process.env.OBJBATCH_BENCH_DIR ?? "/dev/shm", "objbatch-memory-"));
const lines = [
  `objbatch checkout: ${checkout} (${commitOf(checkout)})`,
  `copy jobs of objects of ${args.size} bytes on ${dataDir}; machine at start: ${machineLoad()}`,
];
try {
  const buckets = join(dataDir, "buckets");
  process.stderr.write(`generating ${MAX} objects ...\n`);
  await generateObjects(join(buckets, "bench-src"), MAX, Number(args.size));
  await mkdir(join(buckets, "bench-m"), { recursive: true });
  for (const n of COUNTS) await writeManifest(join(buckets, "bench-m", `copy-${n}.csv`), "bench-src", n);
  sync();
  for (const n of COUNTS) {
    const dst = join(buckets, "bench-dst");
    await mkdir(dst, { recursive: true });
    const server = await startServer(checkout, dataDir);
    try {
      const idle = await rssMb(server.pid);
      process.stderr.write(`copy job of ${n} tasks ...\n`);
      const run = await runJob(server, "bench-m", `copy-${n}.csv`, operationXml("copy", "bench-dst"), n);
      const peak = await server.peakRssMb();
      lines.push(
        `${String(n).padStart(9)} tasks: peak RSS ${peak.toFixed(0)} MB (idle after start ${idle.toFixed(0)} MB), ` +
          `wall ${run.wall.toFixed(1)} s, CPU ${run.cpu.toFixed(1)} s, ${Math.round(n / run.wall)} tasks/s`,
      );
    } finally {
      await server.stop();
      await rm(dst, { recursive: true, force: true });
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
lines.push(`machine at end: ${machineLoad()}`);
process.stdout.write(`${lines.join("\n")}\n`);
