/**
 * Benchmark: objbatch's memory as a copy job grows (issue 11: peak RSS under 150 MB for a 1,000,000-task copy
 * job, and flat from 10,000 to 1,000,000 tasks). It writes the largest count of objects once on tmpfs, then for
 * each task count starts a fresh `objbatch serve`, runs one COS copy job of that many tasks (local backend,
 * worker threads, SQLite job store, a report of all tasks) and prints the server's RSS when idle, its peak RSS
 * (VmHWM) over the job, the peak of the main thread's malloc heap (`[heap]` in /proc/<pid>/smaps, sampled every
 * second), the job's wall time and CPU-seconds. Figures only; it never fails on time or memory.
 *
 *   npx tsx bench/memory-tasks.ts [checkout ...] [--tasks 10000,100000,1000000] [--size 1024] [--rounds 1]
 *
 * A `checkout` is an objbatch directory whose dist/ runs (built first when not current; default this
 * repository): pass a worktree of an older commit for "before" figures. With several checkouts, each task
 * count runs once per checkout in turn, `--rounds` times, so before and after share the same objects and
 * alternate under whatever else the machine runs. The objects live in /dev/shm (or OBJBATCH_BENCH_DIR); at
 * 1,000,000 objects of 1 KiB the source and one copy take about 8 GB of tmpfs pages (each file fills a 4 KiB
 * page), so --size 0 halves nothing but the write time: memory is what is measured, not bytes.
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
    rounds: { type: "string", default: "1" },
  },
});
const COUNTS = args.tasks.split(",").map(Number);
const MAX = Math.max(...COUNTS);
const checkouts = (positionals.length ? positionals : [undefined]).map(checkoutDir);

const rssMb = async (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

/** The main thread's malloc heap (the `[heap]` mapping), MB resident. */
async function mallocHeapMb(pid: number): Promise<number> {
  const smaps = await readFile(`/proc/${pid}/smaps`, "utf8").catch(() => "");
  const at = smaps.indexOf("[heap]\n");
  if (at < 0) return 0;
  return Number(/\nRss:\s+(\d+)/.exec(smaps.slice(at))?.[1] ?? 0) / 1024;
}

/** Samples `[heap]` every second until stopped; returns its peak. */
function heapSampler(pid: number): () => Promise<number> {
  let peak = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      peak = Math.max(peak, await mallocHeapMb(pid));
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return async () => {
    stopped = true;
    await done;
    return peak;
  };
}

const dataDir = await mkdtemp(join(process.env.OBJBATCH_BENCH_DIR ?? "/dev/shm", "objbatch-memory-"));
const lines = [
  ...checkouts.map((c, i) => `checkout ${i + 1}: ${c} (${commitOf(c)})`),
  `copy jobs of objects of ${args.size} bytes on ${dataDir}; machine at start: ${machineLoad()}`,
];
try {
  const buckets = join(dataDir, "buckets");
  process.stderr.write(`generating ${MAX} objects ...\n`);
  await generateObjects(join(buckets, "bench-src"), MAX, Number(args.size));
  await mkdir(join(buckets, "bench-m"), { recursive: true });
  for (const n of COUNTS) await writeManifest(join(buckets, "bench-m", `copy-${n}.csv`), "bench-src", n);
  sync();
  for (let round = 1; round <= Number(args.rounds); round++) {
    for (const n of COUNTS) {
      for (const [i, checkout] of checkouts.entries()) {
        const dst = join(buckets, "bench-dst");
        await mkdir(dst, { recursive: true });
        const server = await startServer(checkout, dataDir);
        try {
          const idle = await rssMb(server.pid);
          process.stderr.write(`round ${round}, checkout ${i + 1}: copy job of ${n} tasks ...\n`);
          const stopSampler = heapSampler(server.pid);
          const run = await runJob(server, "bench-m", `copy-${n}.csv`, operationXml("copy", "bench-dst"), n);
          const heap = await stopSampler();
          const peak = await server.peakRssMb();
          const line =
            `${checkouts.length > 1 ? `[${i + 1}] ` : ""}${String(n).padStart(9)} tasks: peak RSS ${peak.toFixed(0)} MB ` +
            `(idle after start ${idle.toFixed(0)} MB, main [heap] peak ${heap.toFixed(0)} MB), ` +
            `wall ${run.wall.toFixed(1)} s, CPU ${run.cpu.toFixed(1)} s, ${Math.round(n / run.wall)} tasks/s; ${machineLoad()}`;
          lines.push(line);
          process.stderr.write(`${line}\n`);
        } finally {
          await server.stop();
          await rm(dst, { recursive: true, force: true });
        }
      }
    }
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
lines.push(`machine at end: ${machineLoad()}`);
process.stdout.write(`${lines.join("\n")}\n`);
