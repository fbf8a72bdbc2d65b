/**
 * What the local-backend benches share (bench/local-ops.ts, bench/memory-tasks.ts): an objbatch server started
 * from any checkout's built dist/ (so the same bench measures an older commit for the "before" figures), COS
 * jobs run to the end through its API, a tree of 1 KiB objects with its manifest, shell tools timed with
 * /usr/bin/time (wall, CPU-seconds, peak RSS), and figures printed as medians with ranges.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cosRequest } from "../test/helpers/cos-client.js";
import { freePort, rootAccountEnv, waitUntilHealthy } from "../test/helpers/process.js";

/** One measured run: wall seconds, CPU-seconds (user + system) and, where known, peak RSS in MB. */
export interface Run {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMb?: number;
  /** An objbatch job's CPU-seconds by thread (threadSplit), where measured. */
  readonly threads?: ThreadSplit;
}

/**
 * A process's CPU-seconds over a run, by thread: its main thread, its busiest other thread (with one runner
 * thread, the runner: every thread of node is named "node", so it is told by its work) and all the others
 * together (V8's helper threads, which do much of the collector's work, libuv's pool, further runners).
 */
export interface ThreadSplit {
  readonly main: number;
  readonly busiest: number;
  readonly others: number;
}

/** The checkout to run (argument or this repository), with its dist/ built when it is not current. */
export function checkoutDir(arg: string | undefined): string {
  const dir = resolve(arg ?? new URL("..", import.meta.url).pathname);
  if (!existsSync(join(dir, "src", "cli", "main.ts"))) throw new Error(`${dir} is no objbatch checkout`);
  execFileSync(process.execPath, [join(dir, "scripts", "build-dist.mjs")], { cwd: dir, stdio: "inherit" });
  return dir;
}

export function commitOf(dir: string): string {
  const r = spawnSync("git", ["-C", dir, "log", "-1", "--format=%h %s"], { encoding: "utf8" });
  const dirty = spawnSync("git", ["-C", dir, "status", "--porcelain", "--", "src"], { encoding: "utf8" }).stdout;
  return `${r.stdout.trim().slice(0, 70)}${dirty.trim() ? " (+ uncommitted changes in src/)" : ""}`;
}

/** Keys of `objects` objects, 1,000 to a folder, as the benches lay them out. */
export const keyOf = (i: number): string => `d${String(Math.floor(i / 1000)).padStart(4, "0")}/obj-${i}.bin`;

/** Writes `objects` objects of `size` bytes under `dir` (a bucket directory). */
export async function generateObjects(dir: string, objects: number, size = 1024): Promise<void> {
  const body = Buffer.alloc(size, "x");
  for (let d = 0; d * 1000 < objects; d++) {
    await mkdir(join(dir, keyOf(d * 1000).split("/")[0]), { recursive: true });
    const n = Math.min(1000, objects - d * 1000);
    await Promise.all(Array.from({ length: n }, (_, i) => writeFile(join(dir, keyOf(d * 1000 + i)), body)));
  }
}

/** A CSV manifest naming the first `objects` keys of `bucket`. */
export async function writeManifest(path: string, bucket: string, objects: number): Promise<void> {
  const lines: string[] = new Array(objects);
  for (let i = 0; i < objects; i++) lines[i] = `${bucket},${keyOf(i)}`;
  await writeFile(path, `${lines.join("\n")}\n`);
}

export interface Server {
  readonly url: string;
  readonly pid: number;
  /** CPU-seconds the process (all its threads) has used so far. */
  cpuSeconds(): Promise<number>;
  /** Peak RSS so far (VmHWM), MB. */
  peakRssMb(): Promise<number>;
  /** CPU-seconds each of its threads has used so far, by thread id. */
  threadCpuSeconds(): Promise<Map<number, number>>;
  stop(): Promise<void>;
}

/** The node flags the checkout's `objbatch` command runs with (its bin/objbatch.js `#!/usr/bin/env -S node ...`). */
export function commandNodeFlags(checkout: string): string[] {
  const shebang = readFileSync(join(checkout, "bin", "objbatch.js"), "utf8").split("\n", 1)[0] ?? "";
  return shebang.split(/\s+/).filter((word) => word.startsWith("--"));
}

/**
 * `objbatch serve` from the checkout's dist/, run with the node flags its command uses, on a free port, with the
 * root account of the test helpers.
 */
export async function startServer(checkout: string, dataDir: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...commandNodeFlags(checkout),
      ...((env.OBJBATCH_CHILD_NODE_ARGS ?? process.env.OBJBATCH_CHILD_NODE_ARGS)?.split(" ").filter(Boolean) ?? []),
      join(checkout, "dist", "cli", "main.js"),
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
    ],
    {
      cwd: checkout,
      env: {
        ...process.env,
        ...rootAccountEnv(),
        LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, { timeoutMs: 60_000 });
  const pid = child.pid!;
  const server: Server = {
    url,
    pid,
    async cpuSeconds() {
      const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    async threadCpuSeconds() {
      const seconds = new Map<number, number>();
      for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
        const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => undefined);
        if (stat === undefined) continue; // the thread ended meanwhile
        const fields = stat.split(") ")[1].split(" ");
        seconds.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
      }
      return seconds;
    },
    async peakRssMb() {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
  return server;
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);

/** The COS operation element of a job of `kind`. */
export function operationXml(kind: "copy" | "delete" | "tag", target?: string): string {
  if (kind === "copy") return `<COSPutObjectCopy><TargetResource>${target}</TargetResource></COSPutObjectCopy>`;
  if (kind === "delete") return "<COSDeleteObject/>";
  return `<COSPutObjectTagging><TaggingDirective>Replaced</TaggingDirective><TagSet><COSTag><Key>bench</Key><Value>v</Value></COSTag></TagSet></COSPutObjectTagging>`;
}

let tokens = 0;

/**
 * Creates a COS job (manifest `manifestKey` in bucket `manifests`, report of all tasks to bucket `reports`),
 * waits for it to finish and returns its wall time and the server's CPU-seconds over it.
 */
export async function runJob(
  server: Server,
  manifests: string,
  manifestKey: string,
  operation: string,
  expectSucceeded: number,
): Promise<Run> {
  const body = `<CreateJobRequest><ClientRequestToken>bench-${process.pid}-${tokens++}</ClientRequestToken>
    <Manifest><Location><ObjectArn>${manifests}/${manifestKey}</ObjectArn></Location>
    <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec></Manifest>
    <Operation>${operation}</Operation>
    <Priority>1</Priority>
    <Report><Bucket>${manifests}</Bucket><Enabled>true</Enabled><Format>Report_CSV_V1</Format><Prefix>reports</Prefix><ReportScope>AllTasks</ReportScope></Report>
    <RoleArn>qcs::cam::uin/1:roleName/bench</RoleArn></CreateJobRequest>`;
  const cpu0 = await server.cpuSeconds();
  const threads0 = await server.threadCpuSeconds();
  const t0 = process.hrtime.bigint();
  const created = await cosRequest(server.url, "POST", "/jobs", { body });
  if (created.status !== 200) throw new Error(created.text);
  const jobId = created.xml.CreateJobResult.JobId;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML
  let job: any;
  for (;;) {
    job = (await cosRequest(server.url, "GET", `/jobs/${jobId}`)).xml.DescribeJobResult.Job;
    if (["Complete", "Failed", "Cancelled"].includes(job.Status)) break;
    // Every 1% of the time so far, from 50 ms up to the CLI's `watch` (1 s): the wall time stays within about 1%,
    // and a long job is not asked 20 times a second, which is the server's work, not the job's (its garbage
    // showed in the memory bench's figures at 1,000,000 tasks).
    await sleep(Math.min(1000, Math.max(50, Number(process.hrtime.bigint() - t0) / 1e8)));
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (await server.cpuSeconds()) - cpu0;
  const threads = threadSplit(server.pid, threads0, await server.threadCpuSeconds());
  const p = job.ProgressSummary;
  if (job.Status !== "Complete" || Number(p.NumberOfTasksSucceeded) !== expectSucceeded) {
    throw new Error(`job ${jobId}: ${job.Status}, ${JSON.stringify(p)} (expected ${expectSucceeded} succeeded)`);
  }
  return { wall, cpu, threads };
}

/** The CPU-seconds each thread of process `pid` used between two readings, split as ThreadSplit says. */
export function threadSplit(pid: number, before: Map<number, number>, after: Map<number, number>): ThreadSplit {
  let main = 0;
  const others: number[] = [];
  for (const [tid, seconds] of after) {
    const used = seconds - (before.get(tid) ?? 0);
    if (tid === pid) main = used;
    else others.push(used);
  }
  others.sort((a, b) => b - a);
  const busiest = others[0] ?? 0;
  return { main, busiest, others: others.slice(1).reduce((sum, s) => sum + s, 0) };
}

/** Runs a command under /usr/bin/time: its wall time, CPU-seconds and peak RSS. */
export function timed(command: string, args: readonly string[]): Run {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", command, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${r.stderr}`);
  const [wall, user, sys, rssKb] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wall, cpu: user + sys, rssMb: rssKb / 1024 };
}

export const sync = (): void => {
  execFileSync("sync");
};

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** "1.23 s (1.10-1.40)": the median and the range of a list. */
export function spread(xs: readonly number[], digits = 2, unit = " s"): string {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return `${median(xs).toFixed(digits)}${unit} (${lo.toFixed(digits)}-${hi.toFixed(digits)})`;
}

/** The share of the machine other work used over the last `seconds` (from /proc/loadavg and nproc). */
export function machineLoad(): string {
  const load = spawnSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).stdout.split(" ").slice(0, 3).join(" ");
  const cores = spawnSync("nproc", { encoding: "utf8" }).stdout.trim();
  return `load average ${load} on ${cores} cores`;
}
