/**
 * Benchmark: the control plane with a large backlog. Fills a job store with N jobs (finished, waiting and New),
 * starts `objbatch serve` on it as a child process, and measures, through the COS job API:
 *
 *   prepare   how fast the engine moves a backlog of New jobs (1-line CSV manifests, ConfirmationRequired) out of
 *             New/Preparing, with no API traffic (jobs/s, and the per-second rates' median and range)
 *   create    CreateJob through the API from 16 concurrent clients (ConfirmationRequired, 1-line manifests), across
 *             many accounts so the default cap of 1,000 unfinished jobs per account holds (the cap stays on)
 *   latency   DescribeJob and ListJobs(100) percentiles, first and deep pages, with and without status filters,
 *             while a tagging job runs: each timed as its HTTP exchange (the client's signing and XML parsing left
 *             out), and beside them the server's own time for the same requests, from its request log (D53)
 *   server    the server's CPU-seconds per phase (/proc/<pid>/stat) and its peak RSS (VmHWM); the bench's own and
 *             PostgreSQL's CPU-seconds per phase beside it, to see who the two cores worked for
 *   tick      queries and rows per engine tick on the same store, counted by a Kysely plugin around an engine of
 *             the same checkout driven by hand (first tick with housekeeping, then the median of the next ones)
 *
 * The bulk of the store is seeded straight through the checkout's JobStore (insert and status transitions, never
 * raw SQL); the rates are measured through the API and the engine. Prints figures and never fails on time: a phase
 * that runs past --phase-seconds stops and reports what it did by then.
 *
 *   npx tsx bench/control-plane.ts --jobs 10000 --store sqlite|postgres [--objbatch DIR[,DIR2]]
 *       [--mode together,split] [--api-jobs 5000] [--backlog 2000] [--clients 16] [--samples 200]
 *       [--phase-seconds 90] [--phases prepare,create,latency,tick]
 *       [--rounds 1] [--pg-transport tcp,socket] [--keep]
 *
 * --phases runs only the phases named (default all four), e.g. `--phases create` to iterate on CreateJob alone:
 * the store is still seeded in full, the phases left out print no figures ("-" in the side-by-side table).
 * --rounds R runs the checkouts R times in turn (A B A B ...), each on a fresh store, so a change in the machine's
 * load falls on both; the table then has a column per run.
 *
 * --keep leaves each run's store and data directory in place and prints where, to look at the plans afterwards
 * (EXPLAIN on the very rows the figures came from).
 *
 * --mode split runs `objbatch serve --no-engine` and one `objbatch worker` instead of one `objbatch serve`: the
 * API's latency with the engine in another process (on a two-core machine, still on the same cores).
 *
 * --objbatch takes the checkout to run (default this one), e.g. a `git worktree` of an older commit with a
 * node_modules (a symlink to this one's will do); with several, each runs in turn on the same figures and a
 * side-by-side table closes the output. --store may also be `sqlite,postgres`. PostgreSQL is the test server
 * (OBJBATCH_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres); each run gets a fresh database.
 * --pg-transport socket has objbatch reach that database through the server's Unix socket instead of TCP on
 * loopback, as a PostgreSQL on the same machine is best reached (README, "Scaling out"); `tcp,socket` runs both.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Kysely, type KyselyPlugin, sql } from "kysely";
import { type CosCredentials, cosRequest } from "../test/helpers/cos-client.js";
import { freePort, waitUntilHealthy } from "../test/helpers/process.js";
import { createPgDatabase, unixSocketUrl } from "../test/helpers/stores.js";
import { checkoutDir, commandNodeFlags } from "./local-bench-kit.js";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "10000" },
    store: { type: "string", default: "sqlite" },
    objbatch: { type: "string" },
    "api-jobs": { type: "string" },
    backlog: { type: "string" },
    clients: { type: "string", default: "16" },
    samples: { type: "string", default: "200" },
    "phase-seconds": { type: "string", default: "90" },
    "running-tasks": { type: "string", default: "300000" },
    "log-level": { type: "string", default: "info" },
    mode: { type: "string", default: "together" },
    phases: { type: "string", default: "prepare,create,latency,tick" },
    rounds: { type: "string", default: "1" },
    "pg-transport": { type: "string", default: "tcp" },
    keep: { type: "boolean", default: false },
  },
});

const JOBS = Number(args.jobs);
const API_JOBS = Number(args["api-jobs"] ?? Math.min(5000, Math.floor(JOBS / 4)));
const BACKLOG = Number(args.backlog ?? Math.min(2000, Math.floor(JOBS / 10)));
const CLIENTS = Number(args.clients);
const SAMPLES = Number(args.samples);
const PHASE_MS = Number(args["phase-seconds"]) * 1000;
const RUNNING_TASKS = Number(args["running-tasks"]);
const THIS_CHECKOUT = fileURLToPath(new URL("..", import.meta.url));
const CHECKOUTS = (args.objbatch ?? THIS_CHECKOUT).split(",").map((d) => resolve(d));
const STORES = args.store.split(",") as ("sqlite" | "postgres")[];
/** How objbatch reaches PostgreSQL: TCP on loopback, or the server's Unix socket (a co-located server). */
type PgTransport = "tcp" | "socket";
const PG_TRANSPORTS = args["pg-transport"].split(",") as PgTransport[];
/** together: one `objbatch serve`; split: `objbatch serve --no-engine` and one `objbatch worker` on the store. */
type Mode = "together" | "split";
const MODES = args.mode.split(",") as Mode[];
/** Unfinished jobs per account: below the default cap of 1,000, which stays on. */
const PER_ACCOUNT = 900;
const CLK_TCK = 100;
type PhaseName = "prepare" | "create" | "latency" | "tick";
const PHASES = new Set(args.phases.split(",") as PhaseName[]);

// ---- the accounts and the jobs to seed ------------------------------------------------------------------------

interface BenchAccount extends CosCredentials {
  readonly id: string;
}

function account(i: number): BenchAccount {
  const id = String(1_300_000_000 + i);
  return { id, appId: id, secretId: `AKIDBENCH${String(i).padStart(8, "0")}`, secretKey: `bench-secret-${i}` };
}

/** Account 0 lists: it holds every finished job and 900 waiting ones, interleaved in time. */
const LISTER = account(0);
/** The account of the job that runs while latencies are measured. */
const RUNNER = account(1);

type SeedStatus = "Complete" | "Cancelled" | "Failed" | "Suspended" | "New";

interface Seed {
  readonly jobId: string;
  readonly account: BenchAccount;
  readonly status: SeedStatus;
  readonly creationTime: number;
}

interface Plan {
  readonly seeds: Seed[];
  /** Accounts for the API creates, with how many each may still take under PER_ACCOUNT. */
  readonly creators: { account: BenchAccount; room: number }[];
  readonly accounts: BenchAccount[];
}

/**
 * N jobs in all: API_JOBS created through the API, BACKLOG seeded New, the rest seeded finished (60%, in the
 * lister) and Suspended (900 in the lister, the others spread over accounts of 900).
 */
function plan(): Plan {
  const seeded = JOBS - API_JOBS;
  const finished = Math.floor((seeded - BACKLOG) * 0.6);
  const suspended = seeded - BACKLOG - finished;
  const start = Date.now() - seeded * 10 - 60_000;
  const lister: SeedStatus[] = [];
  const finishedKinds: SeedStatus[] = ["Complete", "Cancelled", "Failed"];
  for (let i = 0; i < finished; i++) lister.push(finishedKinds[i % 3]);
  const listerSuspended = Math.min(PER_ACCOUNT, suspended);
  for (let i = 0; i < listerSuspended; i++) lister.push("Suspended");
  shuffle(lister);

  const seeds: Seed[] = [];
  const accounts = [LISTER, RUNNER];
  let next = 2;
  let current = account(next);
  let used = 0;
  const others: { account: BenchAccount; status: SeedStatus }[] = [];
  const place = (status: SeedStatus) => {
    if (used === PER_ACCOUNT) {
      current = account(++next);
      used = 0;
    }
    if (used === 0) accounts.push(current);
    used++;
    others.push({ account: current, status });
  };
  for (let i = listerSuspended; i < suspended; i++) place("Suspended");
  for (let i = 0; i < BACKLOG; i++) place("New");
  // Lister and other accounts' jobs interleave in time, as they would in a store many accounts share.
  const all = [...lister.map((status) => ({ account: LISTER, status })), ...others];
  shuffle(all);
  all.forEach((s, i) => {
    seeds.push({ jobId: randomUUID(), account: s.account, status: s.status, creationTime: start + i * 10 });
  });

  const creators: Plan["creators"] = [];
  if (used > 0 && used < PER_ACCOUNT) creators.push({ account: current, room: PER_ACCOUNT - used });
  let room = API_JOBS - (creators[0]?.room ?? 0);
  while (room > 0) {
    const a = account(++next);
    accounts.push(a);
    creators.push({ account: a, room: PER_ACCOUNT });
    room -= PER_ACCOUNT;
  }
  return { seeds, creators, accounts };
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

// ---- the checkout under test ----------------------------------------------------------------------------------
// Its store and engine are loaded from its sources (to seed the store and count a tick's queries); its server runs
// from its built dist/, as the `objbatch` command runs it.

/* biome-ignore-start lint/suspicious/noExplicitAny: modules of another checkout, typed loosely on purpose */
interface Checkout {
  readonly dir: string;
  openStore(url: string): Promise<any>;
  JobStore: new (conn: any) => any;
  Engine: new (deps: any) => any;
  DEFAULT_ENGINE_OPTIONS: any;
  LocalStorage: new (options: { dataDir: string }) => any;
  StaticAccountRegistry: new (accounts: any[]) => any;
}

async function loadCheckout(dir: string): Promise<Checkout> {
  checkoutDir(dir); // builds its dist/ when it is not current
  const load = (path: string) => import(pathToFileURL(join(dir, path)).href) as Promise<any>;
  const [connect, jobStore, engine, options, local, accounts] = await Promise.all([
    load("src/store/connect.ts"),
    load("src/store/job-store.ts"),
    load("src/engine/engine.ts"),
    load("src/engine/options.ts"),
    load("src/storage/local/local-storage.ts"),
    load("src/accounts/types.ts"),
  ]);
  return {
    dir,
    openStore: connect.openStore,
    JobStore: jobStore.JobStore,
    Engine: engine.Engine,
    DEFAULT_ENGINE_OPTIONS: options.DEFAULT_ENGINE_OPTIONS,
    LocalStorage: local.LocalStorage,
    StaticAccountRegistry: accounts.StaticAccountRegistry,
  };
}
/* biome-ignore-end lint/suspicious/noExplicitAny: modules of another checkout */

// ---- seeding through the JobStore -----------------------------------------------------------------------------

const MANIFEST_ARN = "qcs::cos:ap-chengdu::bench/manifest.csv";

function spec(a: BenchAccount, token: string) {
  return {
    accountId: a.id,
    dialect: "cos",
    clientRequestToken: token,
    confirmationRequired: true,
    priority: 10,
    roleArn: "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole",
    operation: { kind: "DeleteObject" },
    manifest: {
      format: "COSBatchOperations_CSV_V1",
      fields: ["Bucket", "Key"],
      location: { bucket: { arn: "qcs::cos:ap-chengdu::bench", bucket: "bench" }, key: "manifest.csv" },
    },
    report: { enabled: false },
  };
}

const PATHS: Record<SeedStatus, readonly string[]> = {
  New: ["New"],
  Suspended: ["New", "Preparing", "Suspended"],
  Complete: ["New", "Preparing", "Ready", "Active", "Completing", "Complete"],
  Cancelled: ["New", "Cancelling", "Cancelled"],
  Failed: ["New", "Failing", "Failed"],
};

// biome-ignore lint/suspicious/noExplicitAny: a JobStore of the checkout under test
async function seedOne(store: any, seed: Seed, now: number) {
  await store.insertJob({
    jobId: seed.jobId,
    spec: spec(seed.account, `seed-${seed.jobId}`),
    creationTime: seed.creationTime,
    requestFingerprint: "seed",
  });
  const path = PATHS[seed.status];
  for (let i = 1; i < path.length; i++) {
    if (path[i] === "Suspended") await store.setPrepared(seed.jobId, 1, null, now);
    await store.transition(seed.jobId, path[i - 1], path[i], now, {});
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a JobStore of the checkout under test
async function seed(store: any, seeds: readonly Seed[], parallel: number) {
  let next = 0;
  const now = Date.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < seeds.length) await seedOne(store, seeds[next++], now);
    }),
  );
}

// ---- the server, and what it costs --------------------------------------------------------------------------

interface ProcUsage {
  readonly cpuSeconds: number;
  /** The API process's alone: in split mode, what answering requests cost without the engine beside it. */
  readonly apiCpuSeconds: number;
  readonly peakRssMb: number;
}

function procUsage(pid: number): ProcUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return { cpuSeconds, apiCpuSeconds: cpuSeconds, peakRssMb: hwm ? Number(hwm[1]) / 1024 : Number.NaN };
}

/**
 * CPU-seconds PostgreSQL's processes (backends, WAL writer, checkpointer...) have used since the last call: each
 * live process counts from where it stood then, a new one from its start. A process that ended since loses what
 * it used after the last call, so the figure is a floor.
 */
const pgSeen = new Map<string, number>();
function postgresCpuSince(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const used = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      total += used - (pgSeen.get(pid) ?? 0);
      pgSeen.set(pid, used);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

/** This process's CPU-seconds: the bench's own clients (signing, HTTP) and its seeding. */
function benchCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  usage(): ProcUsage;
  /** What the API process has logged so far (one JSON line per request at the default level). */
  apiLog(): string;
  stop(): Promise<void>;
}

/**
 * objbatch as the mode says: one `serve`, or `serve --no-engine` beside a `worker` (the API answers while the
 * engine runs in another process). In split mode the CPU-seconds are both processes' and the peak RSS their sum.
 */
async function startServer(
  checkout: Checkout,
  dataDir: string,
  storeUrl: string,
  config: string,
  mode: Mode,
): Promise<Server> {
  if (mode === "together") return startObjbatch(checkout, dataDir, storeUrl, config, ["serve"]);
  const api = await startObjbatch(checkout, dataDir, storeUrl, config, ["serve", "--no-engine"]);
  const worker = await startObjbatch(checkout, dataDir, storeUrl, config, ["worker"]).catch(async (e) => {
    await api.stop();
    throw e;
  });
  return {
    child: api.child,
    url: api.url,
    apiLog: api.apiLog,
    usage: () => {
      const [a, w] = [api.usage(), worker.usage()];
      return {
        cpuSeconds: a.cpuSeconds + w.cpuSeconds,
        apiCpuSeconds: a.cpuSeconds,
        peakRssMb: a.peakRssMb + w.peakRssMb,
      };
    },
    async stop() {
      await Promise.all([api.stop(), worker.stop()]);
    },
  };
}

async function startObjbatch(
  checkout: Checkout,
  dataDir: string,
  storeUrl: string,
  config: string,
  command: string[],
): Promise<Server> {
  const port = await freePort();
  const logFile = join(dataDir, `${command[0]}.log`);
  const log = openSync(logFile, "a");
  // BENCH_WORKER_NICE=10 runs the worker at a lower CPU priority than the API server (split mode).
  const nice =
    command[0] === "worker" && process.env.BENCH_WORKER_NICE ? ["nice", "-n", process.env.BENCH_WORKER_NICE] : [];
  const child = spawn(
    nice[0] ?? process.execPath,
    [
      ...nice.slice(1),
      ...(nice.length > 0 ? [process.execPath] : []),
      // The node flags the checkout's `objbatch` command starts with (its young generation, its heap growth),
      // then BENCH_NODE_ARGS for every objbatch process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      ...commandNodeFlags(checkout.dir),
      ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      join(checkout.dir, "dist/cli/main.js"),
      ...command,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--store",
      storeUrl,
      "--config",
      config,
    ],
    {
      cwd: checkout.dir,
      env: {
        ...process.env,
        OBJBATCH_ACCOUNT_ID: "100000000001",
        OBJBATCH_ACCESS_KEY: "AKIDBENCHROOT",
        OBJBATCH_SECRET_KEY: "bench-root-secret",
      },
      stdio: ["ignore", log, log],
    },
  );
  closeSync(log);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  const logText = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  await waitUntilHealthy(url, child, { timeoutMs: 120_000, output: logText, name: `objbatch ${command[0]}` });
  return {
    child,
    url,
    usage: () => procUsage(child.pid!),
    apiLog: logText,
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

// ---- figures -----------------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Median and range of per-second rates; `times` are completion times (ms). */
function perSecond(times: readonly number[], from: number, to: number) {
  const buckets = new Array(Math.max(1, Math.floor((to - from) / 1000))).fill(0);
  for (const t of times) {
    const b = Math.floor((t - from) / 1000);
    if (b >= 0 && b < buckets.length) buckets[b]++;
  }
  const full = buckets.length > 1 ? buckets : buckets;
  return { median: median(full), min: Math.min(...full), max: Math.max(...full) };
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

interface Latency {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly n: number;
  readonly errors: number;
}

function latency(samples: readonly number[], errors: number): Latency {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1],
    n: s.length,
    errors,
  };
}

/**
 * The server's own time for the requests of the latency phase: fastify's responseTime (from the request's arrival
 * to the response's end) of the GETs logged from `since` on, as DescribeJob and ListJobs. Beside the HTTP
 * exchange's times it shows how much of a tail is the request's own work and how much is waiting to be read (the
 * event loop or the machine's cores busy elsewhere).
 */
function serverSideLatencies(log: string, since: number): Record<string, Latency> {
  const describe: number[] = [];
  const list: number[] = [];
  for (const line of log.split("\n")) {
    if (!line.includes('"request completed"')) continue;
    const entry = JSON.parse(line) as { time: number; method: string; url: string; responseTime: number };
    if (entry.time < since || entry.method !== "GET") continue;
    if (/^\/jobs\/[^/?]+$/.test(entry.url)) describe.push(entry.responseTime);
    else if (entry.url.startsWith("/jobs?")) list.push(entry.responseTime);
  }
  return { DescribeJob: latency(describe, 0), "ListJobs, all four kinds": latency(list, 0) };
}

interface RunResult {
  readonly label: string;
  readonly mode: Mode;
  readonly inStore: Record<string, number>;
  readonly seedSeconds: number;
  readonly prepare: { jobs: number; seconds: number; rate: number; windows: ReturnType<typeof perSecond> };
  readonly create: {
    jobs: number;
    seconds: number;
    rate: number;
    firstFifth: number;
    lastFifth: number;
    windows: ReturnType<typeof perSecond>;
    errors: Record<string, number>;
  };
  readonly preparedAfterCreates: { jobs: number; seconds: number; left: number };
  readonly running: string;
  readonly latencies: Record<string, Latency>;
  readonly serverSide: Record<string, Latency>;
  readonly cpu: Record<string, number>;
  /** The API process's share of `cpu` (all of it unless the mode is split). */
  readonly apiCpu: Record<string, number>;
  /** The bench process's own CPU-seconds per phase (its 16 clients in the create and latency phases). */
  readonly benchCpu: Record<string, number>;
  /** PostgreSQL's CPU-seconds per phase, when the store is PostgreSQL. */
  readonly pgCpu: Record<string, number> | undefined;
  readonly peakRssMb: number;
  readonly ticks: { first: TickCount; next: TickCount };
  readonly load: string;
}

interface TickCount {
  readonly queries: number;
  readonly rows: number;
  readonly maxRows: number;
}

// ---- the phases -------------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: the checkout's Kysely instance
async function countIn(db: Kysely<any>, statuses: readonly string[]): Promise<number> {
  const row = await db
    .selectFrom("jobs")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("status", "in", statuses)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// biome-ignore lint/suspicious/noExplicitAny: the checkout's Kysely instance
async function statusCounts(db: Kysely<any>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("jobs")
    .select(["status", (eb) => eb.fn.countAll().as("n")])
    .groupBy("status")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status as string, Number(r.n)]));
}

/** Polls the count of jobs in New/Preparing until it reaches `target` or the phase time runs out. */
// biome-ignore lint/suspicious/noExplicitAny: the checkout's Kysely instance
async function waitPrepared(db: Kysely<any>, target: number, deadline: number) {
  const start = Date.now();
  const first = await countIn(db, ["New", "Preparing"]);
  const times: number[] = [];
  let last = first;
  while (last > target && Date.now() < deadline) {
    await sleep(200);
    const now = await countIn(db, ["New", "Preparing"]);
    for (let i = 0; i < last - now; i++) times.push(Date.now());
    last = now;
  }
  const end = Date.now();
  return { jobs: first - last, seconds: (end - start) / 1000, left: last, windows: perSecond(times, start, end) };
}

function createBody(token: string, confirmation = true, operation = "<COSDeleteObject/>", manifest = MANIFEST_ARN) {
  return `<CreateJobRequest>
  <ClientRequestToken>${token}</ClientRequestToken>
  <ConfirmationRequired>${confirmation}</ConfirmationRequired>
  <Manifest>
    <Location><ObjectArn>${manifest}</ObjectArn></Location>
    <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec>
  </Manifest>
  <Operation>${operation}</Operation>
  <Priority>${confirmation ? 10 : 1000}</Priority>
  <Report><Enabled>false</Enabled></Report>
  <RoleArn>qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole</RoleArn>
</CreateJobRequest>`;
}

async function createThroughApi(server: Server, creators: Plan["creators"]) {
  const queue: BenchAccount[] = [];
  for (const c of creators) for (let i = 0; i < c.room && queue.length < API_JOBS; i++) queue.push(c.account);
  shuffle(queue);
  const times: number[] = [];
  const errors: Record<string, number> = {};
  const start = Date.now();
  const deadline = start + PHASE_MS;
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < queue.length && Date.now() < deadline) {
        const a = queue[next++];
        const r = await cosRequest(server.url, "POST", "/jobs", {
          body: createBody(`api-${randomUUID()}`),
          credentials: a,
          transport: "http",
        }).catch((e: Error) => ({ status: 0, xml: undefined, text: e.message }));
        if (r.status === 200) times.push(Date.now());
        else {
          const code = `${r.status} ${r.xml?.Error?.Code ?? r.text.slice(0, 60)}`;
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    }),
  );
  const end = Date.now();
  const fifth = Math.max(1, Math.floor(times.length / 5));
  const rateOf = (ts: readonly number[]) =>
    ts.length > 1 ? ((ts.length - 1) * 1000) / (ts[ts.length - 1] - ts[0]) : 0;
  return {
    jobs: times.length,
    seconds: (end - start) / 1000,
    rate: (times.length * 1000) / (end - start),
    firstFifth: rateOf(times.slice(0, fifth)),
    lastFifth: rateOf(times.slice(-fifth)),
    windows: perSecond(times, start, end),
    errors,
  };
}

/** A tagging job over RUNNING_TASKS lines of 20,000 objects: it stays Active while latencies are measured. */
async function startRunningJob(server: Server, dataDir: string): Promise<string | undefined> {
  const objects = 20_000;
  const dir = join(dataDir, "buckets", "bench", "run");
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < objects; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, j) => writeFile(join(dir, `o${i + j}`), "x")));
  }
  const lines: string[] = [];
  for (let i = 0; i < RUNNING_TASKS; i++) lines.push(`bench,run/o${i % objects}`);
  await writeFile(join(dataDir, "buckets", "bench", "running.csv"), `${lines.join("\n")}\n`);
  const tagging =
    "<COSPutObjectTagging><TaggingDirective>Replaced</TaggingDirective><TagSet><COSTag><Key>bench</Key><Value>1</Value></COSTag></TagSet></COSPutObjectTagging>";
  const r = await cosRequest(server.url, "POST", "/jobs", {
    body: createBody(`run-${randomUUID()}`, false, tagging, "qcs::cos:ap-chengdu::bench/running.csv"),
    credentials: RUNNER,
  });
  if (r.status !== 200) return undefined;
  const jobId = r.xml.CreateJobResult.JobId as string;
  const deadline = Date.now() + PHASE_MS;
  while (Date.now() < deadline) {
    const d = await cosRequest(server.url, "GET", `/jobs/${jobId}`, { credentials: RUNNER });
    const status = d.xml?.DescribeJobResult?.Job?.Status;
    if (status === "Active") return jobId;
    await sleep(200);
  }
  return jobId;
}

interface ListTarget {
  readonly name: string;
  readonly query: Record<string, string>;
}

/** DescribeJob and ListJobs(100) of the lister, one request at a time, the kinds taking turns. */
async function measureLatencies(server: Server, listerJobs: readonly Seed[]): Promise<Record<string, Latency>> {
  const newestFirst = [...listerJobs].sort((a, b) => b.creationTime - a.creationTime || (a.jobId < b.jobId ? 1 : -1));
  const deepToken = (jobs: readonly Seed[]) => jobs[Math.floor(jobs.length * 0.9)]?.jobId ?? "";
  const finishedFilter = ["Complete", "Failed"];
  const filtered = newestFirst.filter((j) => finishedFilter.includes(j.status));
  const targets: ListTarget[] = [
    { name: "ListJobs first page", query: { maxResults: "100" } },
    { name: "ListJobs first page, Suspended", query: { maxResults: "100", jobStatuses: "Suspended" } },
    { name: "ListJobs deep page (90%)", query: { maxResults: "100", nextToken: deepToken(newestFirst) } },
    {
      name: "ListJobs deep page, Complete,Failed",
      query: { maxResults: "100", jobStatuses: finishedFilter.join(","), nextToken: deepToken(filtered) },
    },
  ];
  const samples: Record<string, number[]> = { DescribeJob: [] };
  const errors: Record<string, number> = { DescribeJob: 0 };
  for (const t of targets) {
    samples[t.name] = [];
    errors[t.name] = 0;
  }
  // The time of the HTTP exchange only (cos-client.ts): the client's signing and XML parsing are its own CPU, and
  // parsing a page of 100 jobs took milliseconds of the bench's CPU inside the timed window before.
  const timed = async (name: string, call: () => Promise<{ status: number; ms: number }>) => {
    const r = await call();
    if (r.status === 200) samples[name].push(r.ms);
    else errors[name]++;
  };
  for (let i = 0; i < SAMPLES; i++) {
    const job = listerJobs[Math.floor(Math.random() * listerJobs.length)];
    await timed("DescribeJob", () =>
      cosRequest(server.url, "GET", `/jobs/${job.jobId}`, { credentials: LISTER, parse: false, transport: "http" }),
    );
    for (const t of targets) {
      await timed(t.name, () =>
        cosRequest(server.url, "GET", "/jobs", {
          query: t.query,
          credentials: LISTER,
          parse: false,
          transport: "http",
        }),
      );
    }
  }
  return Object.fromEntries(Object.keys(samples).map((k) => [k, latency(samples[k], errors[k])]));
}

/** Counts the statements and the rows they return through the store's Kysely instance. */
class QueryCounter implements KyselyPlugin {
  queries = 0;
  rows = 0;
  maxRows = 0;

  transformQuery(args: Parameters<KyselyPlugin["transformQuery"]>[0]) {
    this.queries++;
    return args.node;
  }

  async transformResult(args: Parameters<KyselyPlugin["transformResult"]>[0]) {
    const n = args.result.rows.length;
    this.rows += n;
    this.maxRows = Math.max(this.maxRows, n);
    return args.result;
  }

  take(): TickCount {
    const t = { queries: this.queries, rows: this.rows, maxRows: this.maxRows };
    this.queries = 0;
    this.rows = 0;
    this.maxRows = 0;
    return t;
  }
}

/** Ticks of an engine of the checkout on the store the server used: the first with housekeeping, then five. */
// biome-ignore lint/suspicious/noExplicitAny: the checkout's StoreConnection
async function countTicks(checkout: Checkout, conn: any, dataDir: string, accounts: readonly BenchAccount[]) {
  const counter = new QueryCounter();
  const store = new checkout.JobStore({ ...conn, db: conn.db.withPlugin(counter) });
  const storage = new checkout.LocalStorage({ dataDir });
  const registry = new checkout.StaticAccountRegistry(
    accounts.map((a) => ({
      id: a.id,
      keys: [{ accessKeyId: a.secretId, secretAccessKey: a.secretKey }],
      buckets: ["*"],
    })),
  );
  const { pino } = await import("pino");
  const engine = new checkout.Engine({
    store,
    storage,
    accounts: registry,
    options: { ...checkout.DEFAULT_ENGINE_OPTIONS, runnerThreads: 0 },
    log: pino({ level: "silent" }),
    now: Date.now,
    executor: {
      execute: async () => ({ kind: "aborted" }),
      updateStatuses() {},
      abort() {},
      async close() {},
    },
  });
  const ticks: TickCount[] = [];
  for (let i = 0; i < 6; i++) {
    counter.take();
    await engine.tick();
    ticks.push(counter.take());
    await engine.settled();
  }
  await engine.stop();
  await storage.close?.();
  const next = ticks.slice(1);
  return {
    first: ticks[0],
    next: {
      queries: median(next.map((t) => t.queries)),
      rows: median(next.map((t) => t.rows)),
      maxRows: median(next.map((t) => t.maxRows)),
    },
  };
}

/** The figures of a phase left out (--phases). */
const NOT_CREATED: RunResult["create"] = {
  jobs: 0,
  seconds: 0,
  rate: Number.NaN,
  firstFifth: Number.NaN,
  lastFifth: Number.NaN,
  windows: { median: Number.NaN, min: Number.NaN, max: Number.NaN },
  errors: {},
};
const NO_TICKS = {
  first: { queries: Number.NaN, rows: Number.NaN, maxRows: Number.NaN },
  next: { queries: Number.NaN, rows: Number.NaN, maxRows: Number.NaN },
};

/**
 * PostgreSQL plans from the statistics autovacuum keeps. A server with autovacuum off (this machine's test server
 * runs so) keeps the statistics of an empty table however many jobs the seeding adds, and the planner then sorts a
 * whole account's jobs for a page of 100 (8.5 ms at 4,800 jobs, against 0.4 ms walking the index). The bench
 * stands in for autovacuum after the seeding and before the latency phase, and says so.
 */
async function standInForAutovacuum(db: Kysely<unknown>, storeKind: "sqlite" | "postgres"): Promise<void> {
  if (storeKind !== "postgres") return;
  const { rows } = await sql<{ on: string }>`select current_setting('autovacuum') as on`.execute(db);
  if (rows[0]?.on === "on") return;
  const start = Date.now();
  await sql`vacuum analyze`.execute(db);
  console.log(`autovacuum is off on this PostgreSQL: VACUUM ANALYZE by hand in ${f((Date.now() - start) / 1000)} s`);
}

// ---- one run: a checkout on a store ------------------------------------------------------------------------

async function run(
  checkout: Checkout,
  storeKind: "sqlite" | "postgres",
  mode: Mode,
  transport: PgTransport,
): Promise<RunResult> {
  const storeName = storeKind === "postgres" && transport === "socket" ? "postgres (socket)" : storeKind;
  const label = `${checkout.dir === THIS_CHECKOUT ? "this checkout" : checkout.dir}, ${storeName}, ${mode}, ${JOBS} jobs`;
  console.log(`\n=== ${label} ===`);
  const loadBefore = loadavg()[0];
  const dataDir = await mkdtemp(join(tmpdir(), "objbatch-control-plane-"));
  const pgDatabase = storeKind === "postgres" ? await createPgDatabase() : undefined;
  const pgUrl = pgDatabase && transport === "socket" ? await unixSocketUrl(pgDatabase.url) : pgDatabase?.url;
  const storeUrl = pgUrl ?? `sqlite:${join(dataDir, "objbatch.sqlite")}`;
  const { seeds, creators, accounts } = plan();

  await mkdir(join(dataDir, "buckets", "bench"), { recursive: true });
  await writeFile(join(dataDir, "buckets", "bench", "manifest.csv"), "bench,obj-0\n");
  await writeFile(join(dataDir, "buckets", "bench", "obj-0"), "x");
  const config = join(dataDir, "bench-config.json");
  await writeFile(
    config,
    JSON.stringify({
      logLevel: args["log-level"],
      accounts: accounts.map((a) => ({
        id: a.id,
        accessKeyId: a.secretId,
        secretAccessKey: a.secretKey,
        buckets: ["*"],
      })),
    }),
  );

  const conn = await checkout.openStore(storeUrl);
  const store = new checkout.JobStore(conn);
  const seedStart = Date.now();
  await seed(store, seeds, storeKind === "postgres" ? 8 : 1);
  const seedSeconds = (Date.now() - seedStart) / 1000;
  console.log(`seeded ${seeds.length} jobs through the JobStore in ${f(seedSeconds)} s`);
  await standInForAutovacuum(conn.db, storeKind);

  const server = await startServer(checkout, dataDir, storeUrl, config, mode);
  const cpu: Record<string, number> = {};
  const apiCpu: Record<string, number> = {};
  const benchCpu: Record<string, number> = {};
  const pgCpu: Record<string, number> = {};
  let mark = server.usage().cpuSeconds;
  let apiMark = server.usage().apiCpuSeconds;
  let benchMark = benchCpuSeconds();
  postgresCpuSince();
  cpu.startup = mark;
  apiCpu.startup = apiMark;
  const phase = (name: string) => {
    const usage = server.usage();
    cpu[name] = usage.cpuSeconds - mark;
    mark = usage.cpuSeconds;
    apiCpu[name] = usage.apiCpuSeconds - apiMark;
    apiMark = usage.apiCpuSeconds;
    const b = benchCpuSeconds();
    benchCpu[name] = b - benchMark;
    benchMark = b;
    pgCpu[name] = postgresCpuSince();
  };
  try {
    // The backlog is always worked off first (phase or not), so the creates never share the engine with it.
    const prepared = await waitPrepared(conn.db, 0, Date.now() + PHASE_MS);
    phase("prepare");
    console.log(`prepare: ${prepared.jobs} jobs in ${f(prepared.seconds)} s, ${prepared.left} left`);

    let created: RunResult["create"] = NOT_CREATED;
    let drain = { jobs: 0, seconds: 0, left: 0 };
    if (PHASES.has("create")) {
      created = await createThroughApi(server, creators);
      phase("create");
      console.log(`create: ${created.jobs} jobs in ${f(created.seconds)} s`);
      drain = await waitPrepared(conn.db, 0, Date.now() + PHASE_MS);
      phase("prepare after creates");
    }

    let latencies: Record<string, Latency> = {};
    let serverSide: Record<string, Latency> = {};
    let runningNote = "not measured";
    if (PHASES.has("latency")) {
      await standInForAutovacuum(conn.db, storeKind);
      const running = await startRunningJob(server, dataDir);
      const runningStatus = running
        ? (await cosRequest(server.url, "GET", `/jobs/${running}`, { credentials: RUNNER })).xml?.DescribeJobResult?.Job
            ?.Status
        : "not created";
      phase("start running job");
      const measuredFrom = Date.now();
      latencies = await measureLatencies(
        server,
        seeds.filter((s) => s.account === LISTER),
      );
      serverSide = serverSideLatencies(server.apiLog(), measuredFrom);
      const runningAfter = running
        ? (await cosRequest(server.url, "GET", `/jobs/${running}`, { credentials: RUNNER })).xml?.DescribeJobResult?.Job
        : undefined;
      phase("latency");
      if (running) {
        await cosRequest(server.url, "POST", `/jobs/${running}/status`, {
          query: { requestedJobStatus: "Cancelled" },
          credentials: RUNNER,
        });
      }
      runningNote = `${runningStatus} at the start, ${runningAfter?.Status ?? "?"} at the end (${runningAfter?.ProgressSummary?.NumberOfTasksSucceeded ?? "?"} of ${RUNNING_TASKS} tasks done)`;
    }
    const peakRssMb = server.usage().peakRssMb;
    await server.stop();
    const inStore = await statusCounts(conn.db);
    const ticks = PHASES.has("tick") ? await countTicks(checkout, conn, dataDir, accounts) : NO_TICKS;
    const loadAfter = loadavg()[0];
    return {
      label,
      mode,
      inStore,
      seedSeconds,
      prepare: {
        jobs: prepared.jobs,
        seconds: prepared.seconds,
        rate: prepared.jobs / prepared.seconds,
        windows: prepared.windows,
      },
      create: created,
      preparedAfterCreates: { jobs: drain.jobs, seconds: drain.seconds, left: drain.left },
      running: runningNote,
      latencies,
      serverSide,
      cpu,
      apiCpu,
      benchCpu,
      pgCpu: storeKind === "postgres" ? pgCpu : undefined,
      peakRssMb,
      ticks,
      load: `${f(loadBefore, 2)} before, ${f(loadAfter, 2)} after`,
    };
  } finally {
    if (server.child.exitCode === null) await server.stop();
    await conn.close();
    if (args.keep) console.log(`kept the store ${storeUrl} and the data directory ${dataDir}`);
    else {
      await pgDatabase?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}

function print(r: RunResult) {
  const jobs = Object.values(r.inStore).reduce((a, b) => a + b, 0);
  console.log(`\n--- ${r.label} ---`);
  console.log(`machine load (1-min average): ${r.load}`);
  console.log(
    `store: ${jobs} jobs (${Object.entries(r.inStore)
      .map(([s, n]) => `${s} ${n}`)
      .join(", ")}); seeded in ${f(r.seedSeconds)} s`,
  );
  const w = (x: { median: number; min: number; max: number }) => `${f(x.median, 0)} [${f(x.min, 0)}-${f(x.max, 0)}]`;
  console.log(
    `prepare (backlog of ${BACKLOG} New, no API traffic): ${f(r.prepare.rate)} jobs/s (${r.prepare.jobs} in ${f(r.prepare.seconds)} s); per second: median ${w(r.prepare.windows)}`,
  );
  console.log(
    `create (${CLIENTS} clients, COS CreateJob, ConfirmationRequired): ${f(r.create.rate)} jobs/s (${r.create.jobs} in ${f(r.create.seconds)} s); first fifth ${f(r.create.firstFifth)}, last fifth ${f(r.create.lastFifth)} jobs/s; per second: median ${w(r.create.windows)}${Object.keys(r.create.errors).length ? `; errors ${JSON.stringify(r.create.errors)}` : ""}`,
  );
  console.log(
    `prepare after the creates: ${r.preparedAfterCreates.jobs} more in ${f(r.preparedAfterCreates.seconds)} s, ${r.preparedAfterCreates.left} left in New/Preparing`,
  );
  console.log(`running job: ${r.running}`);
  console.log("latency (ms, HTTP exchange, one at a time)p50     p90     p99     max     n  errors");
  const latencyRow = (name: string, l: Latency) =>
    console.log(
      `  ${name.padEnd(40)} ${f(l.p50).padStart(6)} ${f(l.p90).padStart(7)} ${f(l.p99).padStart(7)} ${f(l.max).padStart(7)} ${String(l.n).padStart(5)} ${String(l.errors).padStart(7)}`,
    );
  for (const [name, l] of Object.entries(r.latencies)) latencyRow(name, l);
  if (Object.keys(r.serverSide).length > 0) {
    console.log("  the server's own time (fastify's responseTime: arrival to response end):");
    for (const [name, l] of Object.entries(r.serverSide)) latencyRow(name, l);
  }
  console.log(
    `server CPU-seconds: ${Object.entries(r.cpu)
      .map(([k, v]) => `${k} ${f(v, 2)}`)
      .join(", ")}; peak RSS ${f(r.peakRssMb, 0)} MB`,
  );
  const perPhase = (cpu: Record<string, number>) =>
    Object.entries(cpu)
      .map(([k, v]) => `${k} ${f(v, 2)}`)
      .join(", ");
  if (r.mode === "split") console.log(`of which the API process (serve --no-engine): ${perPhase(r.apiCpu)}`);
  if (r.create.jobs > 0) {
    const apiMs = (r.apiCpu.create * 1000) / r.create.jobs;
    console.log(
      `CPU per create: ${f(apiMs, 2)} ms in the ${r.mode === "split" ? "API process" : "server (engine included)"}, ${f((r.benchCpu.create * 1000) / r.create.jobs, 2)} ms in the bench's clients${r.pgCpu ? `, ${f((r.pgCpu.create * 1000) / r.create.jobs, 2)} ms in PostgreSQL` : ""}; one core at that cost answers ${f(1000 / apiMs, 0)} creates/s`,
    );
  }
  console.log(`bench process CPU-seconds (its clients): ${perPhase(r.benchCpu)}`);
  if (r.pgCpu) console.log(`PostgreSQL CPU-seconds: ${perPhase(r.pgCpu)}`);
  console.log(
    `engine tick: first (with housekeeping) ${r.ticks.first.queries} queries, ${r.ticks.first.rows} rows (largest result ${r.ticks.first.maxRows}); then median ${r.ticks.next.queries} queries, ${r.ticks.next.rows} rows (largest ${r.ticks.next.maxRows})`,
  );
}

function summary(results: readonly RunResult[]) {
  if (results.length < 2) return;
  console.log("\n=== side by side ===");
  const rows: [string, (r: RunResult) => string][] = [
    ["prepare jobs/s", (r) => f(r.prepare.rate)],
    ["create jobs/s", (r) => f(r.create.rate)],
    ["create jobs/s, last fifth", (r) => f(r.create.lastFifth)],
    ...Object.keys(results[0].latencies).map(
      (k) =>
        [`${k} p99 ms`, (r: RunResult) => f(r.latencies[k]?.p99 ?? Number.NaN)] as [string, (r: RunResult) => string],
    ),
    [
      "server CPU-s, all phases",
      (r) =>
        f(
          Object.values(r.cpu).reduce((a, b) => a + b, 0),
          1,
        ),
    ],
    ["peak RSS MB", (r) => f(r.peakRssMb, 0)],
    ["tick queries / rows", (r) => `${r.ticks.next.queries} / ${r.ticks.next.rows}`],
  ];
  console.log(["".padEnd(42), ...results.map((r) => r.label.slice(0, 40).padStart(42))].join(" "));
  for (const [name, get] of rows) console.log([name.padEnd(42), ...results.map((r) => get(r).padStart(42))].join(" "));
}

const results: RunResult[] = [];
console.log(
  `control-plane bench: ${JOBS} jobs (${API_JOBS} through the API, ${BACKLOG} New backlog), ${CLIENTS} clients, ` +
    `${SAMPLES} samples per latency; load average ${loadavg()
      .map((l) => f(l, 2))
      .join(" ")}`,
);
const checkouts = await Promise.all(CHECKOUTS.map(loadCheckout));
for (const storeKind of STORES) {
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const checkout of checkouts) {
      for (const mode of MODES) {
        for (const transport of storeKind === "postgres" ? PG_TRANSPORTS : (["tcp"] as const)) {
          const result = await run(checkout, storeKind, mode, transport);
          print(result);
          results.push(result);
        }
      }
    }
  }
}
summary(results);
