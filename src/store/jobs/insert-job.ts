/**
 * Creating job rows, optionally under their accounts' caps on unfinished jobs. The counts and the inserts are
 * one transaction, and on PostgreSQL the transaction first takes a lock of each account's own (an advisory
 * transaction lock on a hash of the account id), so concurrent CreateJob calls through any number of servers
 * are counted one after another and the cap holds exactly. SQLite has one writer per database file (every
 * transaction begins IMMEDIATE), so the transaction alone serialises them (D18). Concurrent creates through one
 * server share one such transaction (D24).
 */
import { type Kysely, sql } from "kysely";
import type { StoreDialect } from "../connect.js";
import { DuplicateTokenError } from "../errors.js";
import { recordEvents } from "../events/record-events.js";
import { type NewJob, newJobRow } from "../job-row.js";
import type { Database, JobsTable } from "../schema.js";
import { countUnfinishedOf } from "./read-jobs.js";

/** The first key of the advisory lock: objbatch's "unfinished jobs of an account" lock space. */
export const UNFINISHED_JOBS_LOCK_SPACE = 0x0b7b_a7c4;

/**
 * Inserts the job and its `job.created` event (D34); throws DuplicateTokenError when its token was already used
 * in the account.
 */
export async function insertJob(db: Kysely<Database>, dialect: StoreDialect, job: NewJob): Promise<void> {
  const row = newJobRow(job);
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("jobs").values(row).execute();
      await recordEvents(trx, dialect, [createdEvent(row)]);
    });
  } catch (e) {
    throw duplicateTokenOr(e, job);
  }
}

/** The event of a job just inserted. */
function createdEvent(row: Pick<JobsTable, "job_id" | "account_id" | "priority" | "creation_time">) {
  return {
    accountId: row.account_id,
    jobId: row.job_id,
    type: "job.created" as const,
    status: "New" as const,
    payload: { priority: Number(row.priority) },
    time: Number(row.creation_time),
  };
}

/** What became of one job submitted to insertJobsUnderCap. */
export type CappedInsert = "inserted" | "capped" | "duplicate";

/** A job to insert, and the most unfinished jobs its account may have. */
export interface CappedJob {
  readonly job: NewJob;
  readonly cap: number;
}

/**
 * Inserts each job unless its account already has `cap` unfinished jobs, in one transaction for the whole batch
 * (a group commit: store/group-commit.ts), deciding in the order given. A job whose token its account already
 * used (before, or earlier in this batch) is "duplicate" and takes no room under the cap. The inserted jobs'
 * `job.created` events are the transaction's last statement (one insert, events/record-events.ts).
 */
export async function insertJobsUnderCap(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobs: readonly CappedJob[],
): Promise<CappedInsert[]> {
  const rows = jobs.map((j) => newJobRow(j.job));
  const accounts = [...new Set(rows.map((r) => r.account_id))].sort();
  // Counted up to the largest cap asked for only: enough to know it is reached, however many jobs there are.
  const caps = new Map<string, number>();
  for (const [i, { cap }] of jobs.entries()) {
    const account = rows[i].account_id;
    caps.set(account, Math.max(caps.get(account) ?? 0, cap));
  }
  return db.transaction().execute(async (trx) => {
    // Locks taken in one order (sorted), so two servers' batches never wait on each other in a circle; one
    // statement for all the batch's accounts. The count is the next statement, so that its snapshot is taken
    // once every lock is held (read committed: each statement sees what committed before it began).
    if (dialect === "postgres") await lockAccounts(trx, accounts);
    const unfinished = await countUnfinishedOf(trx, caps);
    const outcomes: CappedInsert[] = new Array(jobs.length).fill("capped");
    let waiting = jobs.map((_, i) => i);
    // Admit in order while there is room; a duplicate gives its room back, so the ones after it get another look.
    while (waiting.length > 0) {
      const admitted: number[] = [];
      const refused: number[] = [];
      for (const i of waiting) {
        const account = rows[i].account_id;
        const count = unfinished.get(account) ?? 0;
        if (count < jobs[i].cap) {
          admitted.push(i);
          unfinished.set(account, count + 1);
        } else refused.push(i);
      }
      if (admitted.length === 0) break;
      const inserted = await trx
        .insertInto("jobs")
        .values(admitted.map((i) => rows[i]))
        .onConflict((oc) => oc.doNothing())
        .returning("job_id")
        .execute();
      const ids = new Set(inserted.map((r) => r.job_id));
      let roomFreed = false;
      for (const i of admitted) {
        const row = rows[i];
        if (ids.has(row.job_id)) outcomes[i] = "inserted";
        else {
          outcomes[i] = "duplicate";
          unfinished.set(row.account_id, (unfinished.get(row.account_id) ?? 1) - 1);
          roomFreed = true;
        }
      }
      waiting = roomFreed ? refused : [];
    }
    await recordEvents(trx, dialect, rows.filter((_, i) => outcomes[i] === "inserted").map(createdEvent));
    return outcomes;
  });
}

/**
 * Takes each account's advisory transaction lock, in the order given, in one statement: the select list is
 * evaluated row by row in the order of `n` (a scan of unnest WITH ORDINALITY yields it in that order, and a
 * volatile select list is evaluated after any sort ORDER BY needs), so the locks are taken in the array's order.
 */
async function lockAccounts(trx: Kysely<Database>, accounts: readonly string[]): Promise<void> {
  await sql`select pg_advisory_xact_lock(${UNFINISHED_JOBS_LOCK_SPACE}, hashtext(a.account_id))
    from unnest(${accounts}::text[]) with ordinality as a(account_id, n) order by a.n`.execute(trx);
}

/** A DuplicateTokenError when `e` is the unique constraint on (account, token); `e` itself otherwise. */
function duplicateTokenOr(e: unknown, job: NewJob): unknown {
  return isUniqueViolation(e) ? new DuplicateTokenError(job.spec.clientRequestToken) : e;
}

/** PostgreSQL 23505; SQLITE_CONSTRAINT_UNIQUE from better-sqlite3 (code) or node:sqlite (errcode 2067). */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errcode?: number };
  return err?.code === "23505" || err?.code === "SQLITE_CONSTRAINT_UNIQUE" || err?.errcode === 2067;
}
