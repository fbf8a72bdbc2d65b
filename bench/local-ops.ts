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
 * thread; the anchors: /usr/bin/time), the median of the per-round ratios objbatch / anchor, and objbatch's
 * peak RSS. Figures only; it never fails on time.
 *
 *   npx tsx bench/local-ops.ts [checkout=this repository] [--objects 100000] [--rounds 3]
 *                              [--where tmpfs,disk] [--ops copy,delete,tag]
 *
 * `checkout` is the objbatch directory whose dist/ runs (built first when not current): pass a worktree of an
 * older commit for "before" figures. tmpfs is /dev/shm, disk is os.tmpdir() (or OBJBATCH_BENCH_DISK).
 * Goals (issue 11): copy within 2x of cp -r, delete within 3x of find -delete.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  },
});
const OBJECTS = Number(args.objects);
const ROUNDS = Number(args.rounds);
const OPS = new Set(args.ops.split(","));
const PLACES: Record<string, string> = { tmpfs: "/dev/shm", disk: process.env.OBJBATCH_BENCH_DISK ?? tmpdir() };
const checkout = checkoutDir(positionals[0]);

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
  const ours = runs.get("objbatch")!;
  for (const [name, rs] of runs) {
    const rss = rs[0].rssMb !== undefined ? `, peak RSS ${median(rs.map((r) => r.rssMb!)).toFixed(0)} MB` : "";
    let line = `  ${name.padEnd(22)} wall ${spread(rs.map((r) => r.wall))}  CPU ${spread(rs.map((r) => r.cpu))}${rss}`;
    if (name !== "objbatch") {
      const wall = median(ours.map((r, i) => r.wall / rs[i].wall));
      const cpu = median(ours.map((r, i) => r.cpu / Math.max(rs[i].cpu, 0.01)));
      line += `  -> objbatch/${name}: wall ${wall.toFixed(2)}x, CPU ${cpu.toFixed(2)}x`;
    } else {
      line += `  ${Math.round(OBJECTS / median(rs.map((r) => r.wall)))} tasks/s`;
    }
    lines.push(line);
  }
  return lines.join("\n");
}

async function benchPlace(place: string, base: string): Promise<string> {
  const dataDir = await mkdtemp(join(base, "objbatch-ops-"));
  const buckets = join(dataDir, "buckets");
  const src = join(buckets, "bench-src");
  const out: string[] = [];
  // Each figure is printed as soon as it is known (a long run cut short keeps what it measured).
  const report = (text: string): void => {
    out.push(text);
    process.stdout.write(`[${place}] ${text}\n`);
  };
  let server: Server | undefined;
  try {
    process.stderr.write(`[${place}] generating ${OBJECTS} objects of 1 KiB in ${dataDir} ...\n`);
    await generateObjects(src, OBJECTS);
    await mkdir(join(buckets, "bench-m"), { recursive: true });
    await writeManifest(join(buckets, "bench-m", "copy.csv"), "bench-src", OBJECTS);
    await writeManifest(join(buckets, "bench-m", "delete.csv"), "bench-del", OBJECTS);
    await writeManifest(join(buckets, "bench-m", "tag.csv"), "bench-tag", OBJECTS);
    if (OPS.has("tag")) timed("cp", ["-r", src, join(buckets, "bench-tag")]);
    sync();
    server = await startServer(checkout, dataDir);
    const s = server;
    const fresh = async <T>(dir: string, f: () => Promise<T>): Promise<T> => {
      try {
        return await f();
      } finally {
        await rm(dir, { recursive: true, force: true });
        sync();
      }
    };

    if (OPS.has("copy")) {
      process.stderr.write(`[${place}] copy ...\n`);
      const dst = join(buckets, "bench-dst");
      const runs = await alternate([
        {
          name: "objbatch",
          run: () =>
            fresh(dst, async () => {
              await mkdir(dst);
              return runJob(s, "bench-m", "copy.csv", operationXml("copy", "bench-dst"), OBJECTS);
            }),
        },
        { name: "cp -r", run: () => fresh(dst, async () => timed("cp", ["-r", src, dst])) },
        {
          name: "rclone --transfers 32",
          run: () =>
            fresh(dst, async () => timed("rclone", ["copy", "--config", "/dev/null", "--transfers", "32", src, dst])),
        },
      ]);
      report(describe(`copy ${OBJECTS} x 1 KiB`, runs));
    }

    if (OPS.has("delete")) {
      process.stderr.write(`[${place}] delete ...\n`);
      const del = join(buckets, "bench-del");
      const onFreshTree = (f: () => Promise<Run>) => async () => {
        timed("cp", ["-r", src, del]);
        sync();
        return fresh(del, f);
      };
      const runs = await alternate([
        {
          name: "objbatch",
          run: onFreshTree(() => runJob(s, "bench-m", "delete.csv", operationXml("delete"), OBJECTS)),
        },
        { name: "find -delete", run: onFreshTree(async () => timed("find", [del, "-delete"])) },
        { name: "rm -rf", run: onFreshTree(async () => timed("rm", ["-rf", del])) },
      ]);
      report(describe(`delete ${OBJECTS} x 1 KiB`, runs));
    }

    if (OPS.has("tag")) {
      process.stderr.write(`[${place}] tag ...\n`);
      const runs = await alternate([
        { name: "objbatch", run: () => runJob(s, "bench-m", "tag.csv", operationXml("tag"), OBJECTS) },
      ]);
      report(describe(`tag (PutObjectTagging, Replaced) ${OBJECTS} objects`, runs));
    }
    report(`objbatch peak RSS over all of the above: ${(await server.peakRssMb()).toFixed(0)} MB`);
  } finally {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return `== ${place} (${base}) ==\n${out.join("\n")}`;
}

const header = [
  `objbatch checkout: ${checkout} (${commitOf(checkout)})`,
  `objects: ${OBJECTS} of 1 KiB, ${ROUNDS} rounds, contenders alternating; machine at start: ${machineLoad()}`,
];
process.stdout.write(`${header.join("\n")}\n`);
const sections: string[] = [];
for (const place of args.where.split(",")) sections.push(await benchPlace(place, PLACES[place]));
process.stdout.write(`${[...header, ...sections, `machine at end: ${machineLoad()}`].join("\n")}\n`);
