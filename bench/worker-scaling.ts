/**
 * Benchmark: does throughput grow with worker processes when the storage is not the limit? (issue 11)
 *
 * One `objbatch serve --no-engine` (the API alone) and 1, 2 and 4 `objbatch worker` processes (the engine alone)
 * share one PostgreSQL database; every bucket is on s3rver behind a proxy that holds each request 20 ms
 * (bench/latency-proxy.ts), so a copy waits on the network like a distant S3 and a worker's throughput is set by
 * how many copies it keeps in flight, not by this machine's two cores. Each round runs the same copy job
 * (CreateJob to Complete, report written) with each worker count in turn, the order reversed every other round;
 * it prints tasks/s from CreateJob to Complete (preparation and report included: a fixed cost that weighs more
 * the more workers share the tasks; median and range), the steady rate (tasks/s from 10% to 90% of the tasks
 * done, read off the job's progress: the rate the workers keep while they all work), the speed-ups over one
 * worker, the workers' CPU-seconds per 1,000 tasks and their peak RSS. Keep the workers' total rate under what
 * the S3 server itself can serve (on a busy two-core machine s3rver served about 110 copies/s: e.g. --latency-ms
 * 100 --task-concurrency 2, at most 20 tasks/s a worker), or the server is what the bench measures.
 *
 * Then the store's cost of one chunk, measured in this process on the same PostgreSQL: statements and
 * milliseconds per lease (JobStore.leaseChunk) and per completion (JobStore.completeChunk, a chunk's report rows
 * included), one at a time and with 8 lanes at once, at chunk sizes 100 and 1,000; and from them the ceiling:
 * how many tasks per second one PostgreSQL can coordinate. The bench never fails on time.
 *
 *   npx tsx bench/worker-scaling.ts [--objects 2000] [--workers 1,2,4] [--rounds 2] [--latency-ms 20]
 *                                   [--task-concurrency 4] [--chunk-size 100] [--only scaling,store]
 *
 * Needs PostgreSQL (OBJBATCH_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres): it creates a
 * database of its own and drops it at the end.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateJobCommand, DescribeJobCommand, type S3ControlClient } from "@aws-sdk/client-s3-control";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult } from "kysely";
import { openStore } from "../src/store/connect.js";
import { JobStore } from "../src/store/job-store.js";
import { ROOT } from "../test/helpers/app.js";
import { freePort, waitUntilHealthy } from "../test/helpers/process.js";
import { ROOT_S3CONTROL, s3ControlClient } from "../test/helpers/s3control-client.js";
import { startS3rver } from "../test/helpers/s3rver.js";
import { createPgDatabase, newJob } from "../test/helpers/stores.js";
import { startLatencyProxy } from "./latency-proxy.js";
import { checkoutDir, commitOf, median, spread } from "./local-bench-kit.js";

const { values: args } = parseArgs({
  options: {
    objects: { type: "string", default: "2000" },
    workers: { type: "string", default: "1,2,4" },
    rounds: { type: "string", default: "2" },
    "latency-ms": { type: "string", default: "20" },
    "task-concurrency": { type: "string", default: "4" },
    "chunk-size": { type: "string", default: "100" },
    only: { type: "string", default: "scaling,store" },
  },
});
const OBJECTS = Number(args.objects);
const WORKER_COUNTS = args.workers.split(",").map(Number);
const ROUNDS = Number(args.rounds);
const LATENCY_MS = Number(args["latency-ms"]);
const TASK_CONCURRENCY = Number(args["task-concurrency"]);
const CHUNK_SIZE = Number(args["chunk-size"]);
const PARTS = args.only.split(",");

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);

/** CPU-seconds (user + system, every thread) a live process has used; 0 once it is gone. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function peakRssMb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/** `objbatch <command>` from the checkout's dist/, on a free port; resolves once /healthz answers. */
async function startObjbatch(
  checkout: string,
  command: string[],
  dataDir: string,
  env: Record<string, string>,
): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(checkout, "dist", "cli", "main.js"), ...command, "--host", "127.0.0.1", "--port", String(port)],
    {
      cwd: checkout,
      env: {
        ...process.env,
        OBJBATCH_DATA_DIR: dataDir,
        OBJBATCH_ACCOUNT_ID: ROOT.accountId,
        OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
        OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
        LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, { timeoutMs: 60_000, name: `objbatch ${command.join(" ")}` });
  return {
    child,
    url,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Polls DescribeJob until the job ends; throws unless every task succeeded. Returns the job's steady rate: tasks/s
 * between the first poll that saw 10% of its tasks done and the first that saw 90% (preparation, the first
 * leases, the last chunks' tail and the report left out), on this process's clock.
 */
async function awaitComplete(control: S3ControlClient, jobId: string): Promise<number> {
  let from: { t: bigint; done: number } | undefined;
  let to: { t: bigint; done: number } | undefined;
  for (const deadline = Date.now() + 900_000; Date.now() < deadline; await sleep(50)) {
    const job = (await control.send(new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobId }))).Job;
    const done = (job?.ProgressSummary?.NumberOfTasksSucceeded ?? 0) + (job?.ProgressSummary?.NumberOfTasksFailed ?? 0);
    const t = process.hrtime.bigint();
    if (!from && done >= OBJECTS * 0.1) from = { t, done };
    if (!to && done >= OBJECTS * 0.9) to = { t, done };
    if (!["Complete", "Failed", "Cancelled"].includes(job?.Status ?? "")) continue;
    if (job?.Status !== "Complete" || job.ProgressSummary?.NumberOfTasksSucceeded !== OBJECTS) {
      throw new Error(`job ended ${job?.Status}: ${JSON.stringify(job?.ProgressSummary)}`);
    }
    return from && to && to.t > from.t ? ((to.done - from.done) * 1e9) / Number(to.t - from.t) : Number.NaN;
  }
  throw new Error("job did not end in 15 minutes");
}

const output: string[] = [];
const say = (line: string) => {
  output.push(line);
  process.stdout.write(`${line}\n`);
};

async function scaling(): Promise<void> {
  const checkout = checkoutDir(undefined);
  say(`objbatch: ${checkout} (${commitOf(checkout)})`);
  say(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (2 cores)`,
  );
  const s3 = await startS3rver();
  const proxy = await startLatencyProxy(s3.endpoint, LATENCY_MS);
  const pg = await createPgDatabase();
  const work = await mkdtemp(join(tmpdir(), "objbatch-bench-workers-"));
  const running: Running[] = [];
  try {
    await s3.client.send(new CreateBucketCommand({ Bucket: "src" }));
    await s3.client.send(new CreateBucketCommand({ Bucket: "manifests" }));
    const keys = Array.from({ length: OBJECTS }, (_, i) => `d${String(i % 100).padStart(2, "0")}/obj-${i}.bin`);
    const body = Buffer.alloc(1024, "x");
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(
        keys.slice(i, i + 64).map((Key) => s3.client.send(new PutObjectCommand({ Bucket: "src", Key, Body: body }))),
      );
    }
    const manifest = await s3.client.send(
      new PutObjectCommand({
        Bucket: "manifests",
        Key: "manifest.csv",
        Body: `${keys.map((k) => `src,${encodeURIComponent(k)}`).join("\n")}\n`,
      }),
    );
    const configFile = join(work, "objbatch.json");
    await writeFile(
      configFile,
      JSON.stringify({
        storage: [{ buckets: ["*"], ...s3.storageConfig({ endpoint: proxy.url }) }],
      }),
    );
    const env = {
      OBJBATCH_CONFIG: configFile,
      OBJBATCH_STORE_URL: pg.url,
      OBJBATCH_CHUNK_SIZE: String(CHUNK_SIZE),
      OBJBATCH_TASK_CONCURRENCY: String(TASK_CONCURRENCY),
    };
    const api = await startObjbatch(checkout, ["serve", "--no-engine"], join(work, "api"), env);
    running.push(api);
    const control = s3ControlClient(api.url, "direct", { maxAttempts: 3 });

    const results = new Map<
      number,
      { tasksPerSecond: number; steadyPerSecond: number; cpuPer1000: number; rssMb: number }[]
    >();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? WORKER_COUNTS : [...WORKER_COUNTS].reverse();
      for (const n of order) {
        const workers: Running[] = [];
        for (let i = 0; i < n; i++) {
          workers.push(await startObjbatch(checkout, ["worker"], join(work, `worker-${i}`), env));
        }
        running.push(...workers);
        const dst = `dst-${round}-${n}`;
        await s3.client.send(new CreateBucketCommand({ Bucket: dst }));
        const cpu0 = workers.map((w) => cpuOf(w.child.pid!));
        const requests0 = proxy.requests();
        const t0 = process.hrtime.bigint();
        const created = await control.send(
          new CreateJobCommand({
            AccountId: ROOT_S3CONTROL.accountId,
            RoleArn: "arn:aws:iam::123456789012:role/batch-operations",
            Priority: 10,
            ConfirmationRequired: false,
            ClientRequestToken: randomUUID(),
            Manifest: {
              Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
              Location: { ObjectArn: "arn:aws:s3:::manifests/manifest.csv", ETag: manifest.ETag!.replace(/"/g, "") },
            },
            Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${dst}` } },
            Report: {
              Bucket: "arn:aws:s3:::manifests",
              Enabled: true,
              Format: "Report_CSV_20180820",
              Prefix: dst,
              ReportScope: "AllTasks",
            },
          }),
        );
        const steady = await awaitComplete(control, created.JobId!);
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        const cpu = workers.reduce((sum, w, i) => sum + cpuOf(w.child.pid!) - cpu0[i]!, 0);
        const rss = Math.max(...workers.map((w) => peakRssMb(w.child.pid!)));
        const entry = {
          tasksPerSecond: OBJECTS / wall,
          steadyPerSecond: steady,
          cpuPer1000: (cpu * 1000) / OBJECTS,
          rssMb: rss,
        };
        results.set(n, [...(results.get(n) ?? []), entry]);
        say(
          `  round ${round + 1}, ${n} worker(s): ${wall.toFixed(2)} s, ${entry.tasksPerSecond.toFixed(0)} tasks/s ` +
            `(${steady.toFixed(0)} tasks/s from 10% to 90% done), ` +
            `workers ${cpu.toFixed(2)} CPU-s, ${proxy.requests() - requests0} requests through the proxy`,
        );
        for (const w of workers) await w.stop();
        running.splice(running.length - workers.length, workers.length);
      }
    }
    control.destroy();
    const one = median(results.get(WORKER_COUNTS[0]!)!.map((r) => r.tasksPerSecond));
    const oneSteady = median(results.get(WORKER_COUNTS[0]!)!.map((r) => r.steadyPerSecond));
    say("");
    say(
      `${OBJECTS} S3 copies per job, ${LATENCY_MS} ms added to every request, ${TASK_CONCURRENCY} tasks in flight ` +
        `per worker, chunks of ${CHUNK_SIZE}; ${ROUNDS} round(s), median (min-max)`,
    );
    say(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    say(
      `${"workers".padEnd(8)} ${"tasks/s, all".padEnd(20)} ${"x 1 worker".padEnd(11)} ` +
        `${"tasks/s, 10-90%".padEnd(20)} ${"x 1 worker".padEnd(11)} ${"CPU-s/1,000".padEnd(20)} peak RSS MB`,
    );
    for (const n of WORKER_COUNTS) {
      const r = results.get(n)!;
      const tps = r.map((x) => x.tasksPerSecond);
      const steady = r.map((x) => x.steadyPerSecond);
      say(
        `${String(n).padEnd(8)} ${spread(tps, 0, "").padEnd(20)} ${(median(tps) / one).toFixed(2).padEnd(11)} ` +
          `${spread(steady, 0, "").padEnd(20)} ${(median(steady) / oneSteady).toFixed(2).padEnd(11)} ` +
          `${spread(
            r.map((x) => x.cpuPer1000),
            2,
            "",
          ).padEnd(20)} ${spread(
            r.map((x) => x.rssMb),
            0,
            "",
          )}`,
      );
    }
    say(`ideal: ${WORKER_COUNTS.map((n) => `${n} worker(s) ${n}.00x`).join(", ")}`);
  } finally {
    for (const r of running.reverse()) await r.stop().catch(() => {});
    await proxy.close();
    await s3.stop();
    await pg.drop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Counts the statements a Kysely instance runs. */
class StatementCounter implements KyselyPlugin {
  statements = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    this.statements++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<Record<string, unknown>>> {
    return args.result;
  }
}

/** A report row as the engine keeps it for a succeeded copy (about the size of a real one). */
const reportRow = (i: number) => `src,d${String(i % 100).padStart(2, "0")}/obj-${i}.bin,,succeeded,200,,Successful\n`;

async function storeCost(): Promise<void> {
  const pg = await createPgDatabase();
  const conn = await openStore(pg.url);
  const counter = new StatementCounter();
  const store = new JobStore({ ...conn, db: conn.db.withPlugin(counter) });
  const LEASE_MS = 60_000;
  try {
    say("");
    say("the store's cost of one chunk (PostgreSQL, this process, statements counted by a Kysely plugin)");
    say(
      `${"chunk size".padEnd(11)} ${"lanes".padEnd(14)} ${"lease: stmts, ms".padEnd(24)} ` +
        `${"completion: stmts, ms".padEnd(26)} chunks/s   tasks/s coordinated`,
    );
    for (const chunkSize of [100, 1000]) {
      const rows = Array.from({ length: chunkSize }, (_, i) => reportRow(i)).join("");
      // One job per lane, then 8 lanes on one job: its completions all update the job's row, and queue there.
      for (const [lanes, jobCount] of [
        [1, 1],
        [8, 8],
        [8, 1],
      ] as const) {
        const chunksPerJob = jobCount === 1 ? 400 : 100;
        const jobs: string[] = [];
        for (let l = 0; l < jobCount; l++) {
          const job = newJob({ operation: { kind: "DeleteObject" } }, { creationTime: Date.now() });
          await store.insertJob(job);
          await store.insertChunks(
            job.jobId,
            Array.from({ length: chunksPerJob }, (_, seq) => ({
              seq,
              startByte: seq * chunkSize * 40,
              endByte: (seq + 1) * chunkSize * 40,
              firstRecord: seq * chunkSize,
              records: chunkSize,
            })),
          );
          jobs.push(job.jobId);
        }
        const leaseMs: number[] = [];
        const completeMs: number[] = [];
        let leaseStatements = 0;
        let completeStatements = 0;
        const t0 = process.hrtime.bigint();
        await Promise.all(
          Array.from({ length: lanes }, async (_, lane) => {
            const jobId = jobs[lane % jobs.length]!;
            for (;;) {
              const a = process.hrtime.bigint();
              const before = counter.statements;
              const chunk = await store.leaseChunk(jobId, randomUUID(), Date.now(), LEASE_MS);
              const b = process.hrtime.bigint();
              if (lanes === 1) leaseStatements += counter.statements - before;
              if (!chunk) break;
              leaseMs.push(Number(b - a) / 1e6);
              const before2 = counter.statements;
              await store.completeChunk(
                jobId,
                chunk.seq,
                chunk.leaseToken,
                { succeeded: chunkSize, failed: 0, succeededRows: rows, failedRows: null },
                Date.now(),
              );
              if (lanes === 1) completeStatements += counter.statements - before2;
              completeMs.push(Number(process.hrtime.bigint() - b) / 1e6);
            }
          }),
        );
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const chunks = completeMs.length;
        const stmts = (n: number) => (lanes === 1 ? (n / chunks).toFixed(1) : "same");
        say(
          `${String(chunkSize).padEnd(11)} ${`${lanes}, ${jobCount === 1 ? "1 job" : "a job each"}`.padEnd(14)} ` +
            `${`${stmts(leaseStatements)}, ${spread(leaseMs, 2, "")}`.padEnd(24)} ` +
            `${`${stmts(completeStatements)}, ${spread(completeMs, 2, "")}`.padEnd(26)} ` +
            `${(chunks / seconds).toFixed(0).padEnd(10)} ${((chunks * chunkSize) / seconds).toFixed(0)}`,
        );
      }
    }
    say("(ms: median (min-max) per call, as the client sees it, round trip included; chunks/s: all lanes together)");
  } finally {
    await conn.close();
    await pg.drop();
  }
}

if (PARTS.includes("scaling")) await scaling();
if (PARTS.includes("store")) await storeCost();
if (process.env.OBJBATCH_BENCH_OUT) writeFileSync(process.env.OBJBATCH_BENCH_OUT, `${output.join("\n")}\n`);
