/**
 * Benchmark: the local backend near the filesystem (issue 11). On tmpfs and on disk, in one run with alternating
 * rounds, it times COS jobs of N objects of 1 KiB through objbatch's real API and engine (worker threads, SQLite
 * job store, a report of all tasks) against the tools a user would pick instead:
 *
 *   copy     objbatch COSPutObjectCopy   vs  `cp -r`, `rclone copy --transfers 32` (local to local)
 *   delete   objbatch COSDeleteObject    vs  `find -delete`, `rm -rf` (each on a fresh `cp -r` of the tree)
 *   tag      objbatch COSPutObjectTagging     (no anchor: tasks per second)
 *
 * For each it prints the median and range of wall time and CPU-seconds (objbatch: the server process, every
 * thread, and how that CPU splits between its main thread, its busiest other thread and the rest; the anchors:
 * /usr/bin/time), the median of the per-round ratios objbatch / anchor, and objbatch's peak RSS. Figures only;
 * it never fails on time. An anchor whose tool is not installed is left out.
 *
 *   npx tsx bench/local-ops.ts [checkout=this repository ...] [--objects 100000] [--rounds 3]
 *                              [--where tmpfs,disk] [--ops copy,delete,tag] [--runner-threads 1,2]
 *                              [--node-args "|--single-threaded-gc"]
 *
 * A checkout is an objbatch directory whose dist/ runs (built first when not current). Several checkouts (e.g. a
 * worktree of an older commit for "before" figures, and this one) each get a server and a data directory of
 * their own with the same objects, and take their turns with the anchors in the same rounds, so a machine shared
 * with other work slows them alike. `--runner-threads 1,2` runs every checkout once per count of runner threads
 * (OBJBATCH_RUNNER_THREADS), and `--node-args "A|B"` once per set of extra node flags for the server
 * (OBJBATCH_CHILD_NODE_ARGS; an empty set is none), each its own contender. tmpfs is /dev/shm, disk is
 * os.tmpdir() (or OBJBATCH_BENCH_DISK).
 * Goals (issue 11): copy within 2x of cp -r, delete within 3x of find -delete.
 */
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import {
  checkoutDir,
  commitOf,
  generateObjects,
  machineLoad,
  median,
  operationXml,
  type Run,
  runJob,
  type Server,
  spread,
  startServer,
  sync,
  type ThreadSplit,
  timed,
  writeManifest,
} from "./local-bench-kit.js";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    objects: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    where: { type: "string", default: "tmpfs,disk" },
    ops: { type: "string", default: "copy,delete,tag" },
    "runner-threads": { type: "string" },
    "node-args": { type: "string" },
  },
});
const OBJECTS = Number(args.objects);
const ROUNDS = Number(args.rounds);
const OPS = new Set(args.ops.split(","));
const PLACES: Record<string, string> = { tmpfs: "/dev/shm", disk: process.env.OBJBATCH_BENCH_DISK ?? tmpdir() };
const checkouts = (positionals.length > 0 ? positionals : [undefined]).map(checkoutDir);
const runnerThreads = args["runner-threads"]?.split(",") ?? [undefined];
const nodeArgs = args["node-args"]?.split("|") ?? [undefined];
/** One objbatch contender: a checkout, with a number of runner threads and node flags when several are compared. */
const variants = checkouts.flatMap((dir) =>
  runnerThreads.flatMap((threads) =>
    nodeArgs.map((flags) => {
      const env: Record<string, string> = {};
      if (threads !== undefined) env.OBJBATCH_RUNNER_THREADS = threads;
      if (flags !== undefined) env.OBJBATCH_CHILD_NODE_ARGS = flags;
      // "objbatch" alone; "@<folder>" for each of several checkouts, "/<n> runners", "/<flags>" for each variant.
      const name =
        `objbatch${checkouts.length === 1 ? "" : `@${basename(dir)}`}` +
        `${threads === undefined ? "" : `/${threads} runners`}` +
        `${flags === undefined ? "" : `/${flags.trim() || "no flags"}`}`;
      return { dir, env, name };
    }),
  ),
);
const objbatchNames = variants.map((v) => v.name);
const installed = (tool: string): boolean => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

type Contender = { readonly name: string; run(round: number): Promise<Run> };

/** Runs the contenders in turn for every round, starting one later each round, and collects their runs. */
async function alternate(contenders: readonly Contender[]): Promise<Map<string, Run[]>> {
  const runs = new Map(contenders.map((c) => [c.name, [] as Run[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length];
      runs.get(c.name)!.push(await c.run(round));
    }
  }
  return runs;
}

function describe(label: string, runs: Map<string, Run[]>): string {
  const lines = [label];
  for (const [name, rs] of runs) {
    const rss = rs[0].rssMb !== undefined ? `, peak RSS ${median(rs.map((r) => r.rssMb!)).toFixed(0)} MB` : "";
    const line = `  ${name.padEnd(26)} wall ${spread(rs.map((r) => r.wall))}  CPU ${spread(rs.map((r) => r.cpu))}${rss}`;
    if (objbatchNames.includes(name)) {
      lines.push(`${line}  ${Math.round(OBJECTS / median(rs.map((r) => r.wall)))} tasks/s`);
      const split = rs.flatMap((r) => (r.threads ? [r.threads] : []));
      if (split.length > 0) {
        const part = (pick: (t: ThreadSplit) => number) => median(split.map(pick)).toFixed(2);
        lines.push(
          `    CPU by thread: main ${part((t) => t.main)} s, busiest other (the runner) ${part((t) => t.busiest)} s, ` +
            `the rest (V8's helpers, libuv, other runners) ${part((t) => t.others)} s`,
        );
      }
      continue;
    }
    lines.push(line);
    for (const ours of objbatchNames) {
      const mine = runs.get(ours)!;
      const wall = median(mine.map((r, i) => r.wall / rs[i].wall));
      const cpu = median(mine.map((r, i) => r.cpu / Math.max(rs[i].cpu, 0.01)));
      lines.push(`    -> ${ours}/${name}: wall ${wall.toFixed(2)}x, CPU ${cpu.toFixed(2)}x`);
    }
  }
  return lines.join("\n");
}

/** One objbatch under test: its server, and its data directory with the same objects as every other's. */
interface Site {
  readonly name: string;
  readonly dataDir: string;
  readonly buckets: string;
  server?: Server;
}

async function benchPlace(place: string, base: string): Promise<string> {
  const sites: Site[] = [];
  for (const { name } of variants) {
    const dataDir = await mkdtemp(join(base, "objbatch-ops-"));
    sites.push({ name, dataDir, buckets: join(dataDir, "buckets") });
  }
  // The anchors work in the first site's data directory, on the same tree.
  const { buckets } = sites[0];
  const src = join(buckets, "bench-src");
  const out: string[] = [];
  // Each figure is printed as soon as it is known (a long run cut short keeps what it measured).
  const report = (text: string): void => {
    out.push(text);
    process.stdout.write(`[${place}] ${text}\n`);
  };
  try {
    process.stderr.write(`[${place}] generating ${OBJECTS} objects of 1 KiB in ${sites[0].dataDir} ...\n`);
    await generateObjects(src, OBJECTS);
    for (const site of sites) {
      await mkdir(join(site.buckets, "bench-m"), { recursive: true });
      if (site !== sites[0]) timed("cp", ["-r", src, join(site.buckets, "bench-src")]);
      await writeManifest(join(site.buckets, "bench-m", "copy.csv"), "bench-src", OBJECTS);
      await writeManifest(join(site.buckets, "bench-m", "delete.csv"), "bench-del", OBJECTS);
      await writeManifest(join(site.buckets, "bench-m", "tag.csv"), "bench-tag", OBJECTS);
      if (OPS.has("tag")) timed("cp", ["-r", src, join(site.buckets, "bench-tag")]);
    }
    sync();
    for (let i = 0; i < sites.length; i++) {
      sites[i].server = await startServer(variants[i].dir, sites[i].dataDir, variants[i].env);
    }
    const fresh = async <T>(dir: string, f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } finally {
        await rm(dir, { recursive: true, force: true });
        sync();
      }
    };
    const perSite = (run: (site: Site, server: Server) => Promise<Run>): Contender[] =>
      sites.map((site) => ({ name: site.name, run: () => run(site, site.server!) }));

    if (OPS.has("copy")) {
      process.stderr.write(`[${place}] copy ...\n`);
      const dst = join(buckets, "bench-dst");
      const anchors: Contender[] = [
        { name: "cp -r", run: () => fresh(dst, async () => timed("cp", ["-r", src, dst])) },
      ];
      if (installed("rclone")) {
        anchors.push({
          name: "rclone --transfers 32",
          run: () =>
            fresh(dst, async () => timed("rclone", ["copy", "--config", "/dev/null", "--transfers", "32", src, dst])),
        });
      }
      const runs = await alternate([
        ...perSite((site, server) => {
          const target = join(site.buckets, "bench-dst");
          return fresh(target, async () => {
            await mkdir(target);
            return runJob(server, "bench-m", "copy.csv", operationXml("copy", "bench-dst"), OBJECTS);
          });
        }),
        ...anchors,
      ]);
      report(describe(`copy ${OBJECTS} x 1 KiB`, runs));
    }

    if (OPS.has("delete")) {
      process.stderr.write(`[${place}] delete ...\n`);
      const onFreshTree = (del: string, f: () => Promise<Run>) => async () => {
        timed("cp", ["-r", src, del]);
        sync();
        return fresh(del, f);
      };
      const del = join(buckets, "bench-del");
      const runs = await alternate([
        ...perSite((site, server) =>
          onFreshTree(join(site.buckets, "bench-del"), () =>
            runJob(server, "bench-m", "delete.csv", operationXml("delete"), OBJECTS),
          )(),
        ),
        { name: "find -delete", run: onFreshTree(del, async () => timed("find", [del, "-delete"])) },
        { name: "rm -rf", run: onFreshTree(del, async () => timed("rm", ["-rf", del])) },
      ]);
      report(describe(`delete ${OBJECTS} x 1 KiB`, runs));
    }

    if (OPS.has("tag")) {
      process.stderr.write(`[${place}] tag ...\n`);
      const runs = await alternate(
        perSite((_site, server) => runJob(server, "bench-m", "tag.csv", operationXml("tag"), OBJECTS)),
      );
      report(describe(`tag (PutObjectTagging, Replaced) ${OBJECTS} objects`, runs));
    }
    for (const site of sites) {
      report(`${site.name} peak RSS over all of the above: ${(await site.server!.peakRssMb()).toFixed(0)} MB`);
    }
  } finally {
    for (const site of sites) {
      await site.server?.stop();
      await rm(site.dataDir, { recursive: true, force: true });
    }
  }
  return `== ${place} (${base}) ==\n${out.join("\n")}`;
}

const header = [
  ...checkouts.map((dir, i) => `${objbatchNames[i]} checkout: ${dir} (${commitOf(dir)})`),
  `objects: ${OBJECTS} of 1 KiB, ${ROUNDS} rounds, contenders alternating; machine at start: ${machineLoad()}`,
];
process.stdout.write(`${header.join("\n")}\n`);
const sections: string[] = [];
for (const place of args.where.split(",")) sections.push(await benchPlace(place, PLACES[place]));
process.stdout.write(`${[...header, ...sections, `machine at end: ${machineLoad()}`].join("\n")}\n`);
