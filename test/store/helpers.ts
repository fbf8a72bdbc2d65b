/**
 * For the store's statement tests: each runs on real SQLite and real PostgreSQL (helpers/stores.ts), with jobs
 * put in any status along legal moves, and a look at the raw row where a test checks the table's bookkeeping.
 */
import { after, before, describe } from "node:test";
import type { Kysely } from "kysely";
import type { JobSpec } from "../../src/domain/job.js";
import type { JobStatus } from "../../src/domain/status.js";
import type { StoreDialect } from "../../src/store/connect.js";
import type { JobStore, NewJob } from "../../src/store/job-store.js";
import type { Database, JobsTable } from "../../src/store/schema.js";
import { newJob, postgresTestStore, TEST_STORES, type TestStore } from "../helpers/stores.js";

export interface StoreUnderTest {
  /** The handle, for setting up and looking. */
  readonly store: JobStore;
  /** What the statement modules take: the store's Kysely handle and its dialect. */
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  readonly name: TestStore["name"];
  /** The URL objbatch would be started with to use this store (another connection to it: another server). */
  readonly url: string;
}

/** Declares `body`'s tests once per real store, in a describe named `what (sqlite)`, `what (postgres)`. */
export function describeOnStores(
  what: string,
  body: (t: StoreUnderTest) => void,
  stores: ReadonlyArray<() => Promise<TestStore>> = TEST_STORES,
): void {
  for (const open of stores) {
    describe(`${what} (${open.name.replace("TestStore", "")})`, () => {
      let opened: TestStore;
      before(async () => {
        opened = await open();
      });
      after(() => opened.dispose());
      body({
        get store() {
          return opened.store;
        },
        get db() {
          return database(opened.store);
        },
        get dialect() {
          return opened.store.dialect;
        },
        get name() {
          return opened.name;
        },
        get url() {
          return opened.url;
        },
      });
    });
  }
}

/**
 * Declares `body`'s tests on PostgreSQL alone, as `what (postgres)`: for what only meets on a store with more than
 * one writer at a time (SQLite has one).
 */
export function describeOnPostgres(what: string, body: (t: StoreUnderTest) => void): void {
  describeOnStores(what, body, [postgresTestStore]);
}

/** The legal moves from New to each status (domain/status.ts). */
const PATHS: Record<JobStatus, readonly JobStatus[]> = {
  New: [],
  Preparing: ["Preparing"],
  Suspended: ["Preparing", "Suspended"],
  Ready: ["Preparing", "Ready"],
  Active: ["Preparing", "Ready", "Active"],
  Pausing: ["Preparing", "Ready", "Active", "Pausing"],
  Paused: ["Preparing", "Ready", "Active", "Pausing", "Paused"],
  Completing: ["Preparing", "Ready", "Active", "Completing"],
  Complete: ["Preparing", "Ready", "Active", "Completing", "Complete"],
  Cancelling: ["Cancelling"],
  Cancelled: ["Cancelling", "Cancelled"],
  Failing: ["Preparing", "Failing"],
  Failed: ["Preparing", "Failing", "Failed"],
};

/**
 * Inserts a new job (helpers/stores.ts newJob with `spec`) and moves it to `status` along legal moves, each at
 * `at` ms. Returns the job as inserted.
 */
export async function jobIn(
  store: JobStore,
  status: JobStatus,
  spec: Partial<JobSpec> = {},
  at = 1_000,
): Promise<NewJob> {
  const job = newJob(spec, { creationTime: at });
  await store.insertJob(job);
  let from: JobStatus = "New";
  for (const to of PATHS[status]) {
    if (!(await store.transition(job.jobId, from, to, at))) throw new Error(`could not move ${from} -> ${to}`);
    from = to;
  }
  return job;
}

/**
 * Moves a job that is Preparing, Suspended or Ready on to Active along legal moves, as finishing its preparation,
 * confirming it and scheduling it would; each move at `at` ms. An Active job stays. Only an Active job's chunks
 * are leased (D32).
 */
export async function activate(store: JobStore, jobId: string, at = 1_000): Promise<void> {
  const job = await store.getJob(jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  const onward: Partial<Record<JobStatus, readonly JobStatus[]>> = {
    Preparing: ["Ready", "Active"],
    Suspended: ["Ready", "Active"],
    Ready: ["Active"],
    Active: [],
  };
  const path = onward[job.status];
  if (!path) throw new Error(`cannot activate a job that is ${job.status}`);
  let from = job.status;
  for (const to of path) {
    if (!(await store.transition(jobId, from, to, at))) throw new Error(`could not move ${from} -> ${to}`);
    from = to;
  }
}

/** The job's row as the table holds it: for tests of the bookkeeping the domain does not show whole. */
export async function rawJobRow(store: JobStore, jobId: string): Promise<JobsTable | undefined> {
  const row = await database(store).selectFrom("jobs").selectAll().where("job_id", "=", jobId).executeTakeFirst();
  return row && ({ ...row } as JobsTable);
}

/** The store's Kysely handle, which JobStore keeps to itself. */
export function database(store: JobStore): Kysely<Database> {
  return (store as unknown as { conn: { db: Kysely<Database> } }).conn.db;
}

/** A byte-range chunk plan of one record per chunk: seq i covers bytes i..i+1. */
export function byteRangePlans(n: number, from = 0) {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { seq: i, startByte: i, endByte: i + 1, firstRecord: i, records: 1 };
  });
}
