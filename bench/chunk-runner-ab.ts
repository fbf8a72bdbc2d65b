/**
 * Benchmark: a runner thread's whole per-task path (executeChunk over the local backend, as chunk-worker.ts builds
 * it: instrumented storage, the job's bucket access, adaptive concurrency, task meter, report rows) of two
 * checkouts in one process, in alternating rounds, so a machine shared with other work slows both alike. No HTTP,
 * no job store, no message to the main thread: in a whole local job the runner thread is the one that is busy
 * (the main thread idles through most of it), and this is what it does. Each round runs chunks of 1,000 tasks, 4
 * at once with 64 tasks in flight (the engine's defaults), over N hand-dropped objects of 1 KiB: a copy into an
 * empty bucket, tagging of the copies, a delete of the sources. Prints the median CPU microseconds per task of
 * each checkout; figures only, it never fails on time.
 *
 *   npx tsx bench/chunk-runner-ab.ts <checkout A> [checkout B=this repository]
 *                                    [--objects 20000] [--rounds 5] [--dir /dev/shm] [--ops copy,tag,delete]
 *
 * A checkout is an objbatch directory whose src/ is imported as it is (e.g. `git worktree add /tmp/base <commit>`
 * with node_modules linked in). bench/local-storage-ab.ts measures the backend alone, bench/local-ops.ts the
 * whole service against cp -r and find -delete.
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
    rounds: { type: "string", default: "5" },
    dir: { type: "string", default: "/dev/shm" },
    ops: { type: "string", default: "copy,tag,delete" },
  },
});
if (positionals.length < 1) throw new Error("usage: chunk-runner-ab.ts <checkout A> [checkout B]");
const OBJECTS = Number(args.objects);
const ROUNDS = Number(args.rounds);
const OPS = args.ops.split(",");
const CHUNK = 1000;
const SLOTS = 4;
const checkouts = [resolve(positionals[0]), resolve(positionals[1] ?? new URL("..", import.meta.url).pathname)];

// biome-ignore lint/suspicious/noExplicitAny: modules of two checkouts, whose types may differ
type Module = any;
interface Runner {
  /** Runs the operation over every key of bucket `bucket` (manifest `manifestKey` in bucket m): CPU-seconds. */
  run(operation: object, manifestKey: string): Promise<number>;
  close(): Promise<void>;
}

async function runnerOf(checkout: string, dataDir: string): Promise<Runner> {
  const load = (path: string): Promise<Module> => import(join(checkout, "src", path));
  const [{ openStorage }, { instrumentStorage }, metrics, { TaskMeter }, accountsMod, ctx, runner, throttle] =
    await Promise.all([
      load("storage/open-storage.ts"),
      load("metrics/instrumented-storage.ts"),
      load("metrics/worker-bridge.ts"),
      load("metrics/meters.ts"),
      load("accounts/types.ts"),
      load("engine/job-context.ts"),
      load("engine/chunk-runner.ts"),
      load("engine/job-throttle.ts"),
    ]);
  const [{ Semaphore }, { DEFAULT_ENGINE_OPTIONS }, { pino }] = await Promise.all([
    load("engine/semaphore.ts"),
    load("engine/options.ts"),
    import("pino"),
  ]);
  const workerMetrics = new metrics.WorkerMetrics();
  const storage = await openStorage(
    { kind: "local", dataDir },
    { instrument: (s: unknown, kind: string) => instrumentStorage(s, kind, workerMetrics.tally) },
  );
  const accounts = new accountsMod.StaticAccountRegistry([{ id: "acct-1", keys: [], buckets: ["*"] }]);
  const log = pino({ level: "silent" });
  const options = DEFAULT_ENGINE_OPTIONS;
  const deps = {
    retry: options.retry,
    log,
    tasks: new Semaphore(options.taskConcurrency),
    metrics: new TaskMeter(workerMetrics.tally),
  };
  const throttles = new throttle.JobThrottles(options, log);
  let jobs = 0;
  return {
    async run(operation, manifestKey) {
      const job = jobFor(`job-${jobs++}`, operation, manifestKey);
      const context = ctx.makeJobContext(job, storage, accounts);
      const control = {
        status: () => "Active",
        shutdown: new AbortController().signal,
        throttle: throttles.forJob(job.jobId, []),
      };
      const cpu0 = process.cpuUsage();
      let next = 0;
      const slot = async () => {
        while (next * CHUNK < OBJECTS) {
          const seq = next++;
          const chunk = { seq, ...manifests.get(manifestKey)![seq] };
          const execution = await runner.executeChunk(deps, context, chunk, control);
          if (execution.kind !== "done" || execution.results.succeeded !== Math.min(CHUNK, OBJECTS - seq * CHUNK)) {
            throw new Error(`${checkout}: chunk ${seq}: ${JSON.stringify(execution).slice(0, 300)}`);
          }
          workerMetrics.take();
        }
      };
      await Promise.all(Array.from({ length: SLOTS }, slot));
      const cpu = process.cpuUsage(cpu0);
      return (cpu.user + cpu.system) / 1e6;
    },
    close: () => storage.close(),
  };
}

/** The CSV manifest of every key of `bucket` and its chunks' byte ranges, as the preparer cuts them. */
function manifestOf(bucket: string): {
  text: string;
  chunks: { startByte: number; endByte: number; firstRecord: number }[];
} {
  const chunks = [];
  let text = "";
  for (let i = 0; i < OBJECTS; i++) {
    if (i % CHUNK === 0) chunks.push({ startByte: text.length, endByte: 0, firstRecord: i });
    text += `${bucket},${keyOf(i)}\n`;
    chunks[chunks.length - 1].endByte = text.length;
  }
  return { text, chunks };
}

function jobFor(jobId: string, operation: object, bucket: string): Module {
  return {
    jobId,
    accountId: "acct-1",
    dialect: "cos",
    clientRequestToken: jobId,
    confirmationRequired: false,
    priority: 10,
    roleArn: "qcs::cam::uin/1:roleName/bench",
    operation,
    manifest: {
      format: "COSBatchOperations_CSV_V1",
      fields: ["Bucket", "Key"],
      location: { bucket: { arn: "qcs::cos:::m", bucket: "m" }, key: `${bucket}.csv` },
    },
    report: { enabled: true, scope: "AllTasks" },
    status: "Active",
    creationTime: new Date(),
    failureReasons: [],
    progress: { total: OBJECTS, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
  };
}

const OPERATIONS: Record<string, { operation: object; bucket: string }> = {
  copy: {
    operation: { kind: "PutObjectCopy", targetResource: { arn: "qcs::cos:::dst", bucket: "dst" } },
    bucket: "src",
  },
  tag: {
    operation: { kind: "PutObjectTagging", tagSet: [{ key: "bench", value: "v" }] },
    bucket: "dst",
  },
  delete: { operation: { kind: "DeleteObject" }, bucket: "src" },
};

const body = Buffer.alloc(1024, "x");
const manifests = new Map<string, ReturnType<typeof manifestOf>["chunks"]>();
const perTask: Record<string, number[][]> = Object.fromEntries(OPS.map((op) => [op, checkouts.map(() => [])]));
for (let round = 0; round < ROUNDS; round++) {
  for (let turn = 0; turn < checkouts.length; turn++) {
    const c = (turn + round) % checkouts.length;
    const dataDir = mkdtempSync(join(args.dir, "objbatch-runner-ab-"));
    try {
      for (let i = 0; i < OBJECTS; i++) {
        if (i % 1000 === 0) mkdirSync(join(dataDir, "buckets", "src", keyOf(i).split("/")[0]), { recursive: true });
        writeFileSync(join(dataDir, "buckets", "src", keyOf(i)), body);
      }
      mkdirSync(join(dataDir, "buckets", "dst"));
      mkdirSync(join(dataDir, "buckets", "m"));
      for (const bucket of ["src", "dst"]) {
        const { text, chunks } = manifestOf(bucket);
        writeFileSync(join(dataDir, "buckets", "m", `${bucket}.csv`), text);
        manifests.set(bucket, chunks);
      }
      execFileSync("sync");
      const runner = await runnerOf(checkouts[c], dataDir);
      for (const op of OPS) {
        const { operation, bucket } = OPERATIONS[op];
        perTask[op][c].push(((await runner.run(operation, bucket)) / OBJECTS) * 1e6);
      }
      await runner.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}
const load = execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ").slice(0, 3).join(" ");
process.stdout.write(`${OBJECTS} objects, ${ROUNDS} rounds, chunks of ${CHUNK}, ${SLOTS} at once; load ${load}\n`);
for (const op of OPS) {
  const [a, b] = perTask[op].map((xs) => median(xs));
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
  process.stdout.write(
    `${op.padEnd(7)} CPU µs/task  A ${a.toFixed(1)} (${range(perTask[op][0])})  B ${b.toFixed(1)} (${range(perTask[op][1])})  B/A ${(b / a).toFixed(3)}\n`,
  );
}
