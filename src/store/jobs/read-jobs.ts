/**
 * Read-only views of jobs, each handed out as the domain sees it (job-row.ts): the whole Job for the service,
 * the preparer and the finaliser, summaries for listings, JobStates for the engine's tick, and what an earlier
 * CreateJob with the same token asked for.
 */
import { type Kysely, sql } from "kysely";
import type { Job, JobSummary } from "../../domain/job.js";
import type { JobState } from "../../domain/job-state.js";
import { JOB_STATUSES, type JobStatus, TERMINAL_STATUSES } from "../../domain/status.js";
import { type LiveProgressColumns, liveProgressColumns } from "../chunks/live-progress.js";
import type { StoreDialect } from "../connect.js";
import {
  JOB_STATE_COLUMNS,
  JOB_SUMMARY_COLUMNS,
  type JobRow,
  type JobSummaryRow,
  rowToJob,
  rowToState,
  rowToSummary,
} from "../job-row.js";
import type { Database } from "../schema.js";

/** The job a ClientRequestToken created, and the fingerprint of the request that created it. */
export interface TokenUse {
  readonly jobId: string;
  readonly requestFingerprint: string;
}

/** Where a listing page ends: the last job's creation time (ms) and id. */
export interface ListCursor {
  readonly creationTime: number;
  readonly jobId: string;
}

export async function getJob(db: Kysely<Database>, jobId: string, now: number): Promise<Job | undefined> {
  const row = await db.selectFrom("jobs").selectAll().where("job_id", "=", jobId).executeTakeFirst();
  return row && rowToJob(row, now);
}

/**
 * The job if it is the account's: another account's job answers exactly like a missing one. Its progress
 * includes what its running chunks have done (chunks/live-progress.ts): this is the job as its owner sees it.
 */
export async function getAccountJob(
  db: Kysely<Database>,
  accountId: string,
  jobId: string,
  now: number,
): Promise<Job | undefined> {
  const row = await db
    .selectFrom("jobs")
    .selectAll()
    .select(liveProgressColumns)
    .where("job_id", "=", jobId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row && rowToJob(row, now);
}

export async function getJobState(db: Kysely<Database>, jobId: string): Promise<JobState | undefined> {
  const row = await db.selectFrom("jobs").select(JOB_STATE_COLUMNS).where("job_id", "=", jobId).executeTakeFirst();
  return row && rowToState(row);
}

/** The states of the jobs in `statuses`, highest priority first, then oldest first. */
export async function jobStatesIn(db: Kysely<Database>, statuses: readonly JobStatus[]): Promise<JobState[]> {
  const rows = await byPriority(db, statuses).select(JOB_STATE_COLUMNS).execute();
  return rows.map(rowToState);
}

/** The whole jobs in `statuses`, in the order of jobStatesIn. */
export async function jobsIn(db: Kysely<Database>, statuses: readonly JobStatus[], now: number): Promise<Job[]> {
  const rows = await byPriority(db, statuses).selectAll().execute();
  return rows.map((row) => rowToJob(row, now));
}

function byPriority(db: Kysely<Database>, statuses: readonly JobStatus[]) {
  return db
    .selectFrom("jobs")
    .where("status", "in", statuses)
    .orderBy("priority", "desc")
    .orderBy("creation_time", "asc")
    .orderBy("job_id", "asc");
}

export async function findByToken(
  db: Kysely<Database>,
  accountId: string,
  token: string,
): Promise<TokenUse | undefined> {
  const row = await db
    .selectFrom("jobs")
    .select(["job_id", "request_fingerprint"])
    .where("account_id", "=", accountId)
    .where("client_request_token", "=", token)
    .executeTakeFirst();
  return row && { jobId: row.job_id, requestFingerprint: row.request_fingerprint };
}

/**
 * Newest first (creation time, then job id, both descending): stable while jobs are being added. Without a status
 * filter the page walks jobs_account_listing; with one, each status walks its own stretch of
 * jobs_account_status_listing (a union of one page per status, `limit` rows at most each, in one statement), so a
 * page reads at most `limit` rows per status however many jobs the account has, and a deep page (the cursor, a
 * row-value comparison) costs what the first does.
 */
export async function listJobs(
  db: Kysely<Database>,
  dialect: StoreDialect,
  accountId: string,
  statuses: readonly JobStatus[] | undefined,
  limit: number,
  after: ListCursor | undefined,
  now: number,
): Promise<JobSummary[]> {
  const page = (status?: JobStatus) => {
    let q = db
      .selectFrom("jobs")
      .select(JOB_SUMMARY_COLUMNS)
      .select(liveProgressColumns)
      .where("account_id", "=", accountId);
    if (status !== undefined) q = q.where("status", "=", status);
    if (after) {
      q = q.where((eb) => eb(eb.refTuple("creation_time", "job_id"), "<", eb.tuple(after.creationTime, after.jobId)));
    }
    return q.orderBy("creation_time", "desc").orderBy("job_id", "desc").limit(limit);
  };
  const wanted = statuses === undefined || statuses.length === 0 ? undefined : [...new Set(statuses)];
  if (wanted === undefined || wanted.length === 1) {
    return (await page(wanted?.[0]).execute()).map((row) => rowToSummary(row, now));
  }
  if (dialect !== "postgres") {
    // SQLite has no round trips to save: a page per status, merged here (its plan for the union sorts each page).
    const pages: (JobSummaryRow & LiveProgressColumns)[] = [];
    for (const status of wanted) pages.push(...(await page(status).execute()));
    return pages
      .sort(newestFirst)
      .slice(0, limit)
      .map((row) => rowToSummary(row, now));
  }
  // One statement for all the statuses (one round trip): each status's page is a derived table of its own, so
  // each keeps its ORDER BY and LIMIT and walks its stretch of the index, and PostgreSQL merges them (Merge Append).
  const [first, ...more] = wanted.map((status, i) => db.selectFrom(page(status).as(`s${i}`)).selectAll());
  let merged = first;
  for (const next of more) merged = merged.unionAll(next);
  const rows = await merged.orderBy("creation_time", "desc").orderBy("job_id", "desc").limit(limit).execute();
  return rows.map((row) => rowToSummary(row, now));
}

function newestFirst(a: Pick<JobRow, "creation_time" | "job_id">, b: Pick<JobRow, "creation_time" | "job_id">): number {
  return Number(b.creation_time) - Number(a.creation_time) || (a.job_id < b.job_id ? 1 : a.job_id > b.job_id ? -1 : 0);
}

/** Statuses the unfinished-jobs cap counts (everything but Complete, Cancelled and Failed). */
const UNFINISHED_STATUSES = JOB_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s));

/**
 * The account's jobs that have not finished, counted up to `atMost` (the cap checks whether there are `cap`, so it
 * never needs to count further): at most `atMost` entries of jobs_account_status_listing, however many jobs the
 * account ever had. Also counted inside insert-job.ts's transaction.
 */
export async function countUnfinished(
  db: Kysely<Database>,
  accountId: string,
  atMost = Number.MAX_SAFE_INTEGER,
): Promise<number> {
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom("jobs")
        .select("job_id")
        .where("account_id", "=", accountId)
        .where("status", "in", UNFINISHED_STATUSES)
        .limit(atMost)
        .as("unfinished"),
    )
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * countUnfinished of several accounts in one statement (a UNION ALL of the bounded counts, each read through
 * jobs_account_status_listing as countUnfinished reads it), for a create batch of many accounts (insert-job.ts):
 * one round trip to the store, however many accounts. Each account is counted up to its own `atMost`.
 */
export async function countUnfinishedOf(
  db: Kysely<Database>,
  accounts: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const counted = new Map<string, number>();
  const queries = [...accounts].map(([accountId, atMost]) =>
    db
      .selectFrom((eb) =>
        eb
          .selectFrom("jobs")
          .select("job_id")
          .where("account_id", "=", accountId)
          .where("status", "in", UNFINISHED_STATUSES)
          .limit(atMost)
          .as("unfinished"),
      )
      .select((eb) => [sql<string>`${accountId}`.as("account_id"), eb.fn.countAll<number>().as("n")]),
  );
  const [first, ...rest] = queries;
  if (first === undefined) return counted;
  const rows = await rest.reduce((union, q) => union.unionAll(q), first).execute();
  for (const row of rows) counted.set(String(row.account_id), Number(row.n));
  return counted;
}
