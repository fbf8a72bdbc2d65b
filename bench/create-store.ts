/**
 * Benchmark: CreateJob's store work alone, without HTTP. Concurrent callers (16, as the control-plane bench's
 * clients) each do what a COS CreateJob does in the store: bind the request's signature in the signature ledger
 * (D15), then insert the job under its account's cap (D18, D24), over a few accounts. Prints creates per second
 * and the CPU milliseconds per create of this process (the store's client side: Kysely, pg) and of PostgreSQL.
 *
 *   npx tsx bench/create-store.ts [--objbatch DIR[,DIR2]] [--creates 2000] [--callers 16] [--accounts 3]
 *       [--rounds 2] [--part both|ledger|create]
 *
 * With several checkouts (e.g. a `git worktree` of an older commit), each runs in turn, --rounds times (A B A B),
 * each on a fresh PostgreSQL database (OBJBATCH_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres).
 * --part ledger or create measures one half alone. Prints figures and never fails on time.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createPgDatabase } from "../test/helpers/stores.js";

const { values: args } = parseArgs({
  options: {
    objbatch: { type: "string" },
    creates: { type: "string", default: "2000" },
    callers: { type: "string", default: "16" },
    accounts: { type: "string", default: "3" },
    rounds: { type: "string", default: "2" },
    part: { type: "string", default: "both" },
  },
});
const CREATES = Number(args.creates);
const CALLERS = Number(args.callers);
const ACCOUNTS = Number(args.accounts);
const PART = args.part as "both" | "ledger" | "create";
const THIS_CHECKOUT = fileURLToPath(new URL("..", import.meta.url));
const CHECKOUTS = (args.objbatch ?? THIS_CHECKOUT).split(",").map((d) => resolve(d));

/** CPU-seconds PostgreSQL's processes used since the last call (a process that ended meanwhile is lost). */
const pgSeen = new Map<string, number>();
function postgresCpuSince(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const used = (Number(fields[11]) + Number(fields[12])) / 100;
      total += used - (pgSeen.get(pid) ?? 0);
      pgSeen.set(pid, used);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

/* biome-ignore-start lint/suspicious/noExplicitAny: modules of another checkout, typed loosely on purpose */
interface Checkout {
  readonly dir: string;
  openPostgres(url: string): Promise<any>;
  JobStore: new (conn: any) => any;
  StoreSignatureLedger: new (conn: any) => any;
}

async function loadCheckout(dir: string): Promise<Checkout> {
  const load = (path: string) => import(pathToFileURL(join(dir, path)).href) as Promise<any>;
  const [connect, jobStore, ledger] = await Promise.all([
    load("src/store/connect.ts"),
    load("src/store/job-store.ts"),
    load("src/store/signatures/signature-ledger.ts"),
  ]);
  return {
    dir,
    openPostgres: connect.openPostgres,
    JobStore: jobStore.JobStore,
    StoreSignatureLedger: ledger.StoreSignatureLedger,
  };
}
/* biome-ignore-end lint/suspicious/noExplicitAny: modules of another checkout */

function spec(accountId: string) {
  return {
    accountId,
    dialect: "cos",
    clientRequestToken: randomUUID(),
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

async function run(checkout: Checkout) {
  const database = await createPgDatabase();
  const conn = await checkout.openPostgres(database.url);
  const store = new checkout.JobStore(conn);
  const ledger = new checkout.StoreSignatureLedger(conn);
  try {
    postgresCpuSince();
    const cpu = process.cpuUsage();
    const start = performance.now();
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < CREATES) {
          const i = next++;
          if (PART !== "create") {
            const bound = await ledger.bind({
              scheme: "cos",
              accessKeyId: `AKIDBENCH${i % ACCOUNTS}`,
              signature: randomBytes(20).toString("hex"),
              digest: randomBytes(32).toString("hex"),
              expiresAt: Date.now() + 900_000,
            });
            if (!bound) refused++;
          }
          if (PART !== "ledger") {
            const job = { jobId: randomUUID(), spec: spec(`bench-${i % ACCOUNTS}`), creationTime: Date.now() };
            if (!(await store.insertJobUnderCap({ ...job, requestFingerprint: "bench" }, 100_000))) refused++;
          }
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    const pg = postgresCpuSince();
    return {
      rate: CREATES / seconds,
      nodeMs: (used.user + used.system) / 1000 / CREATES,
      pgMs: (pg * 1000) / CREATES,
      refused,
    };
  } finally {
    await store.close();
    await database.drop();
  }
}

const checkouts = await Promise.all(CHECKOUTS.map(loadCheckout));
console.log(`create-store bench: ${CREATES} creates (${PART}), ${CALLERS} callers, ${ACCOUNTS} accounts, PostgreSQL`);
console.log(
  `${"checkout".padEnd(40)} ${"creates/s".padStart(10)} ${"node ms/create".padStart(15)} ${"pg ms/create".padStart(13)}`,
);
for (let round = 0; round < Number(args.rounds); round++) {
  for (const checkout of checkouts) {
    const r = await run(checkout);
    console.log(
      `${checkout.dir.slice(-40).padEnd(40)} ${r.rate.toFixed(0).padStart(10)} ${r.nodeMs.toFixed(3).padStart(15)} ${r.pgMs.toFixed(3).padStart(13)}${r.refused ? `  refused ${r.refused}` : ""}`,
    );
  }
}
