/**
 * Benchmark: server-side copies of 1 KiB objects from one bucket to another on the same S3 server, by each
 * contender in turn, each into a fresh target bucket and checked to hold every object afterwards:
 *
 *   objbatch   an S3 Control copy job through `objbatch serve` (the checkout's dist/, a child process, SQLite
 *              store, completion report written), its storage configured for the S3 server
 *   sdk        the AWS SDK v3 alone issuing CopyObject, the same number in flight (bench/s3-copy-loop.ts)
 *   storage    objbatch's S3 backend alone (S3Storage.copy in a bare loop, no engine): where objbatch's CPU goes
 *   rclone     Debian's rclone, server-side copy (provider Other, path style, --transfers N --checkers N)
 *   aws        the AWS CLI, `aws s3 cp --recursive` with max_concurrent_requests N
 *
 * For each it prints wall time, CPU-seconds of the contender's process (user + system, every thread; objbatch's
 * and the loops' read from /proc around the round, rclone's and the CLI's from /usr/bin/time), CPU-seconds per
 * 1,000 copies and the kernel's part of them (on loopback the kernel's TCP work for both ends lands largely on
 * the sender), peak RSS, and the S3 server's own CPU-seconds per 1,000 copies (what the contender made it do):
 * medians and ranges over the rounds, which alternate the contenders (the order rotates every round). Then
 * objbatch against each: their time / objbatch's (above 1: objbatch faster) and their CPU / objbatch's.
 * Goal (issue 11): objbatch's CPU per 1,000 copies at or below rclone's, its time at or below rclone's and the
 * AWS CLI's. The bench never fails on time.
 *
 *   npx tsx bench/s3-copy.ts [--ceph] [--objects 5000] [--concurrency 32] [--rounds 3]
 *                            [--only objbatch,sdk,storage,rclone,aws] [--checkout DIR]
 *                            [--engine '{"taskConcurrency":32}'] [--s3 '{"maxSockets":64}']
 *
 * --checkout runs objbatch (and the storage loop) from another checkout, e.g. a `git worktree` of an older commit,
 * for "before" figures; its dist/ is built first. The S3 server is s3rver (a child process) by default; with
 * --ceph (or OBJBATCH_BENCH_S3=ceph) the RADOS Gateway of scripts/ceph/start.sh (OBJBATCH_CEPH_* as in
 * test-ceph/helpers.ts). OBJBATCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles objbatch, and
 * OBJBATCH_LOOP_NODE_ARGS the same the sdk and storage loops.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  CreateJobCommand,
  DescribeJobCommand,
  type JobDescriptor,
  type S3ControlClient,
} from "@aws-sdk/client-s3-control";
import { ROOT_S3CONTROL, s3ControlClient } from "../test/helpers/s3control-client.js";
import { type S3rverHandle, startS3rver } from "../test/helpers/s3rver.js";
import { CEPH, cephGateway, createBuckets, putManifest, putObjects, removeBuckets } from "../test-ceph/helpers.js";
import { checkoutDir, commitOf, type Run as KitRun, median, spread, startServer } from "./local-bench-kit.js";

/** A contender's round: wall, CPU (user + system), peak RSS, and the system (kernel) part of its CPU. */
type Run = KitRun & { readonly system: number };

const { values: args } = parseArgs({
  options: {
    ceph: { type: "boolean", default: process.env.OBJBATCH_BENCH_S3 === "ceph" },
    objects: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
    only: { type: "string", default: "objbatch,sdk,storage,rclone,aws" },
    rounds: { type: "string", default: "3" },
    checkout: { type: "string" },
    engine: { type: "string", default: "{}" },
    s3: { type: "string", default: "{}" },
  },
});
const OBJECTS = Number(args.objects);
const N = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const WARMUP = Math.min(500, OBJECTS);
const CONTENDERS = args.only.split(",") as Contender[];
const ALL = ["objbatch", "sdk", "storage", "rclone", "aws"] as const;
type Contender = (typeof ALL)[number];
for (const c of CONTENDERS) if (!ALL.includes(c)) throw new Error(`unknown contender ${c}; use ${ALL.join(", ")}`);
const HERE = fileURLToPath(new URL("..", import.meta.url));
const CHECKOUT = checkoutDir(args.checkout);

interface Server {
  readonly label: string;
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly client: S3Client;
  /** The server's process, to read its CPU time; undefined when it cannot be found. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** The pid of the process whose command line contains every one of `parts`. */
function findPid(...parts: string[]): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (parts.every((p) => cmdline.includes(p))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

async function openServer(): Promise<Server> {
  if (args.ceph) {
    const client = await cephGateway();
    return {
      label: `radosgw at ${CEPH.endpoint}`,
      ...CEPH,
      client,
      pid: findPid("radosgw"),
      stop: async () => client.destroy(),
    };
  }
  const s3rver: S3rverHandle = await startS3rver();
  const config = s3rver.storageConfig();
  return {
    label: "s3rver 3.7 (child process)",
    endpoint: s3rver.endpoint,
    accessKeyId: config.accessKeyId!,
    secretAccessKey: config.secretAccessKey!,
    region: config.region,
    client: s3rver.client,
    pid: findPid("s3rver-child.cjs", s3rver.directory),
    stop: () => s3rver.stop(),
  };
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);

/** CPU-seconds (user + system, all threads) a live process has used. */
function cpuOf(pid: number | undefined): number {
  const { user, system } = cpuSplitOf(pid);
  return user + system;
}

/** CPU-seconds a live process has used in user space and in the kernel (all threads). */
function cpuSplitOf(pid: number | undefined): { user: number; system: number } {
  if (pid === undefined) return { user: Number.NaN, system: Number.NaN };
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/** Peak RSS (MB) of a live process since the last resetPeak. */
function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Starts the process's peak RSS afresh (Linux: writing 5 to clear_refs resets VmHWM). */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // not allowed: the peak then covers the process's life so far
  }
}

async function countKeys(client: S3Client, Bucket: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket, ContinuationToken: token, MaxKeys: 1000 }));
    n += page.KeyCount ?? page.Contents?.length ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

/** Environment for the CLI tools: the server's keys, nothing of the caller's AWS or rclone setup. */
function toolEnv(server: Server, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("AWS_") || k.startsWith("RCLONE_")) delete env[k];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    ...extra,
  };
}

/** A tool run under /usr/bin/time with exactly the environment `env` (env -i execs it: the same process). */
function timedWithEnv(env: NodeJS.ProcessEnv, command: string, argv: string[]): Run {
  const pairs = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "/usr/bin/env", "-i", ...pairs, command, ...argv], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${command} ${argv.join(" ")}: ${r.stderr}`);
  const [wall, user, system, rssKb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wall: wall!, cpu: user! + system!, rssMb: rssKb! / 1024, system: system! };
}

/** A bare-loop contender (bench/s3-copy-loop.ts) in its own process, answering one command at a time. */
class CopyLoop {
  private readonly child: ChildProcess;
  private readonly lines: Interface;
  private readonly answers: string[] = [];
  private waiting: ((line: string) => void) | undefined;

  constructor(mode: "sdk" | "storage", server: Server) {
    this.child = spawn(
      process.execPath,
      [
        ...(process.env.OBJBATCH_LOOP_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
        "--import",
        "tsx",
        join(HERE, "bench", "s3-copy-loop.ts"),
        mode,
        CHECKOUT,
        server.endpoint,
        server.region,
        server.accessKeyId,
        server.secretAccessKey,
        String(N),
      ],
      { cwd: HERE, stdio: ["pipe", "pipe", "inherit"] },
    );
    this.lines = createInterface({ input: this.child.stdout! });
    this.lines.on("line", (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.answers.push(line);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  async copy(src: string, dst: string, keys: readonly string[]): Promise<void> {
    this.child.stdin!.write(`${JSON.stringify({ src, dst, keys })}\n`);
    const line = this.answers.shift() ?? (await new Promise<string>((resolve) => (this.waiting = resolve)));
    const answer = JSON.parse(line) as { ok?: boolean; error?: string };
    if (!answer.ok) throw new Error(`copy loop failed: ${answer.error}`);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin!.end();
    await exited;
  }
}

/** Polls DescribeJob until the job ends; throws unless every task succeeded. */
async function awaitJob(control: S3ControlClient, jobId: string, tasks: number): Promise<void> {
  const start = Date.now();
  let job: JobDescriptor | undefined;
  while (Date.now() - start < 900_000) {
    job = (await control.send(new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobId }))).Job;
    if (["Complete", "Failed", "Cancelled"].includes(job?.Status ?? "")) break;
    await sleep(100);
  }
  const p = job?.ProgressSummary;
  if (job?.Status !== "Complete" || p?.NumberOfTasksSucceeded !== tasks) {
    throw new Error(`objbatch job ended ${job?.Status}: ${JSON.stringify(p)}`);
  }
}

const SRC = `bench-src-${process.pid}`;
const MANIFESTS = `bench-manifests-${process.pid}`;
const keys = Array.from({ length: OBJECTS }, (_, i) => `d${String(i % 100).padStart(2, "0")}/obj-${i}.bin`);

const server = await openServer();
const work = await mkdtemp(join(tmpdir(), "objbatch-bench-s3-"));
const created: string[] = [SRC, MANIFESTS];
const stops: (() => Promise<void>)[] = [];
try {
  process.stdout.write(
    `objbatch: ${CHECKOUT} (${commitOf(CHECKOUT)})\nserver: ${server.label}\n` +
      `load average at start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (2 cores)\nputting ${OBJECTS} objects of 1 KiB ...\n`,
  );
  await createBuckets(server.client, [SRC, MANIFESTS]);
  const body = Buffer.alloc(1024, "x");
  await putObjects(server.client, SRC, keys, () => body, 48);
  const manifest = await putManifest(
    server.client,
    MANIFESTS,
    "manifest.csv",
    keys.map((key) => ({ bucket: SRC, key })),
  );
  const warmKeys = keys.slice(0, WARMUP);
  const warmManifest = await putManifest(
    server.client,
    MANIFESTS,
    "warmup.csv",
    warmKeys.map((key) => ({ bucket: SRC, key })),
  );

  // objbatch: `objbatch serve` with every bucket on the S3 server, N tasks in flight (a job whose buckets are all
  // on S3 runs in the engine's event loop, whose task limit is taskConcurrency).
  const configFile = join(work, "objbatch.json");
  await writeFile(
    configFile,
    JSON.stringify({
      engine: { taskConcurrency: N, ...JSON.parse(args.engine) },
      storage: [
        {
          buckets: ["*"],
          kind: "s3",
          endpoint: server.endpoint,
          region: server.region,
          accessKeyId: server.accessKeyId,
          secretAccessKey: server.secretAccessKey,
          forcePathStyle: true,
          ...JSON.parse(args.s3),
        },
      ],
    }),
  );
  let objbatch: { pid: number; control: S3ControlClient } | undefined;
  if (CONTENDERS.includes("objbatch")) {
    const dataDir = join(work, "objbatch-data");
    const started = await startServer(CHECKOUT, dataDir, { OBJBATCH_CONFIG: configFile });
    const control = s3ControlClient(started.url, "direct", { maxAttempts: 3 });
    stops.push(async () => {
      control.destroy();
      await started.stop();
    });
    objbatch = { pid: started.pid, control };
  }
  const loops: Partial<Record<"sdk" | "storage", CopyLoop>> = {};
  for (const mode of ["sdk", "storage"] as const) {
    if (!CONTENDERS.includes(mode)) continue;
    const loop = new CopyLoop(mode, server);
    loops[mode] = loop;
    stops.push(() => loop.stop());
  }

  const rcloneConfig = join(work, "rclone.conf");
  await writeFile(rcloneConfig, "");
  const awsConfig = join(work, "aws-config");
  await writeFile(
    awsConfig,
    `[default]\nregion = ${server.region}\ns3 =\n  max_concurrent_requests = ${N}\n  max_queue_size = ${Math.max(1000, N * 10)}\n  addressing_style = path\n`,
  );

  /** Runs one contender into `dst`; the long-running ones are measured here, the tools by /usr/bin/time. */
  const contenders: Record<Contender, (dst: string, list: readonly string[], m: typeof manifest) => Promise<Run>> = {
    async objbatch(dst, list, m) {
      const { pid, control } = objbatch!;
      return measured(pid, async () => {
        const created = await control.send(
          new CreateJobCommand({
            AccountId: ROOT_S3CONTROL.accountId,
            RoleArn: "arn:aws:iam::123456789012:role/batch-operations",
            Priority: 10,
            ConfirmationRequired: false,
            Manifest: m,
            Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${dst}` } },
            Report: {
              Bucket: `arn:aws:s3:::${MANIFESTS}`,
              Enabled: true,
              Format: "Report_CSV_20180820",
              Prefix: dst,
              ReportScope: "AllTasks",
            },
          }),
        );
        await awaitJob(control, created.JobId!, list.length);
      });
    },
    sdk: (dst, list) => measured(loops.sdk!.pid, () => loops.sdk!.copy(SRC, dst, list)),
    storage: (dst, list) => measured(loops.storage!.pid, () => loops.storage!.copy(SRC, dst, list)),
    async rclone(dst) {
      const env = toolEnv(server, {
        RCLONE_CONFIG_BENCH_TYPE: "s3",
        RCLONE_CONFIG_BENCH_PROVIDER: "Other",
        RCLONE_CONFIG_BENCH_ENDPOINT: server.endpoint,
        RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: server.accessKeyId,
        RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: server.secretAccessKey,
        RCLONE_CONFIG_BENCH_REGION: server.region,
        RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: "true",
      });
      const argv = ["copy", `bench:${SRC}`, `bench:${dst}`, "--transfers", String(N), "--checkers", String(N)];
      return timedWithEnv(env, "rclone", [...argv, "--config", rcloneConfig]);
    },
    async aws(dst) {
      const env = toolEnv(server, {
        AWS_CONFIG_FILE: awsConfig,
        AWS_SHARED_CREDENTIALS_FILE: join(work, "no-credentials"),
      });
      const argv = ["s3", "cp", "--recursive", "--only-show-errors", `s3://${SRC}`, `s3://${dst}`];
      return timedWithEnv(env, "/usr/bin/aws", [...argv, "--endpoint-url", server.endpoint]);
    },
  };

  // objbatch is a long-running server and the loops are long-running processes: each gets one untimed warm-up
  // of WARMUP copies first (code compiled, connections open), as a server that has run a job has. rclone and the
  // AWS CLI are started afresh each time, as they are used.
  for (const name of CONTENDERS.filter((c) => c === "objbatch" || c === "sdk" || c === "storage")) {
    const dst = `bench-warmup-${name}-${process.pid}`;
    await createBuckets(server.client, [dst]);
    created.push(dst);
    await contenders[name](dst, warmKeys, warmManifest);
  }

  const runs: Partial<Record<Contender, { run: Run; serverCpu: number }[]>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
    for (const name of order) {
      const dst = `bench-${name}-${round}-${process.pid}`;
      await createBuckets(server.client, [dst]);
      created.push(dst);
      const serverCpu0 = cpuOf(server.pid);
      const run = await contenders[name](dst, keys, manifest);
      const serverCpu = cpuOf(server.pid) - serverCpu0;
      const copied = await countKeys(server.client, dst);
      if (copied !== OBJECTS) throw new Error(`${name} copied ${copied} of ${OBJECTS} objects`);
      runs[name] = [...(runs[name] ?? []), { run, serverCpu }];
      process.stdout.write(
        `  round ${round + 1} ${name.padEnd(9)} ${run.wall.toFixed(2)} s, ${run.cpu.toFixed(2)} CPU-s ` +
          `(${run.system.toFixed(2)} in the kernel), ${run.rssMb?.toFixed(0) ?? "?"} MB peak RSS, ` +
          `server ${serverCpu.toFixed(2)} CPU-s; all ${OBJECTS} copied\n`,
      );
      if (args.ceph) {
        await removeBuckets(server.client, [dst]);
        created.pop();
      }
    }
  }

  const per1000 = (cpu: number) => (cpu * 1000) / OBJECTS;
  const labels: Record<Contender, string> = {
    objbatch: "objbatch job (CreateJob to Complete, report)",
    sdk: "AWS SDK v3 CopyObject loop",
    storage: "objbatch S3Storage.copy loop (no engine)",
    rclone: "rclone copy (server-side)",
    aws: "aws s3 cp --recursive",
  };
  const lines = [
    "",
    `${OBJECTS} copies of 1 KiB objects, ${N} in flight, ${server.label}, ${ROUNDS} alternating round(s); ` +
      "median (min-max)",
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
    `${"contender".padEnd(46)} ${"wall".padEnd(22)} ${"copies/s".padStart(8)}  ${"CPU-s per 1,000 copies".padEnd(24)} ${"of it kernel".padEnd(22)} ${"peak RSS MB".padEnd(18)} server CPU-s/1,000`,
  ];
  for (const name of CONTENDERS) {
    const r = runs[name]!;
    const walls = r.map((x) => x.run.wall);
    lines.push(
      `${labels[name].padEnd(46)} ${spread(walls).padEnd(22)} ${Math.round(OBJECTS / median(walls))
        .toString()
        .padStart(8)}  ${spread(
        r.map((x) => per1000(x.run.cpu)),
        3,
        "",
      ).padEnd(24)} ${spread(
        r.map((x) => per1000(x.run.system)),
        3,
        "",
      ).padEnd(22)} ${spread(
        r.map((x) => x.run.rssMb ?? Number.NaN),
        0,
        "",
      ).padEnd(18)} ${spread(
        r.map((x) => per1000(x.serverCpu)),
        3,
        "",
      )}`,
    );
  }
  const mine = runs.objbatch;
  if (mine) {
    const wall = median(mine.map((x) => x.run.wall));
    const cpu = median(mine.map((x) => x.run.cpu));
    lines.push("", "objbatch against each: their wall / objbatch's (above 1: objbatch faster), their CPU / objbatch's");
    for (const name of CONTENDERS.filter((c) => c !== "objbatch")) {
      const r = runs[name]!;
      lines.push(
        `  ${name.padEnd(8)} wall ${(median(r.map((x) => x.run.wall)) / wall).toFixed(2)}x   CPU ${(median(r.map((x) => x.run.cpu)) / cpu).toFixed(2)}x`,
      );
    }
    lines.push(
      "goal: CPU at or below rclone's (CPU ratio >= 1), wall at or below rclone's and aws's (wall ratio >= 1)",
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  if (args.ceph) await removeBuckets(server.client, created);
  await server.stop();
  await rm(work, { recursive: true, force: true });
}

/** Runs `work` against a long-running process, returning the wall time, its CPU-seconds and its peak RSS. */
async function measured(pid: number, work: () => Promise<void>): Promise<Run> {
  resetPeak(pid);
  const cpu0 = cpuSplitOf(pid);
  const t0 = process.hrtime.bigint();
  await work();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSplitOf(pid);
  const system = cpu1.system - cpu0.system;
  return { wall, cpu: cpu1.user - cpu0.user + system, rssMb: peakRssOf(pid), system };
}
