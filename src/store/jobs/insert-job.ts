/**
 * Creating a job row, optionally under the account's cap on unfinished jobs. The count and the insert are
 * one transaction, and on PostgreSQL the transaction first takes a lock of the account's own (an advisory
 * transaction lock on a hash of the account id), so concurrent CreateJob calls through any number of servers
 * are counted one after another and the cap holds exactly. SQLite has one writer per database file, and
 * Kysely runs one transaction at a time on its one connection, so the transaction alone serialises them (D18).
 */
import { type Kysely, sql } from "kysely";
import type { StoreDialect } from "../connect.js";
import { DuplicateTokenError } from "../errors.js";
import { type NewJob, newJobRow } from "../job-row.js";
import type { Database } from "../schema.js";
import { countUnfinished } from "./read-jobs.js";

/** The first key of the advisory lock: objbatch's "unfinished jobs of an account" lock space. */
export const UNFINISHED_JOBS_LOCK_SPACE = 0x0b7b_a7c4;

/** Inserts the job; throws DuplicateTokenError when its token was already used in the account. */
export async function insertJob(db: Kysely<Database>, job: NewJob): Promise<void> {
  try {
    await db.insertInto("jobs").values(newJobRow(job)).execute();
  } catch (e) {
    throw duplicateTokenOr(e, job);
  }
}

/**
 * Inserts the job unless the account already has `cap` unfinished jobs. Returns false when the cap is
 * reached; throws DuplicateTokenError like insertJob.
 */
export async function insertJobUnderCap(
  db: Kysely<Database>,
  dialect: StoreDialect,
  job: NewJob,
  cap: number,
): Promise<boolean> {
  const row = newJobRow(job);
  try {
    return await db.transaction().execute(async (trx) => {
      if (dialect === "postgres") {
        await sql`select pg_advisory_xact_lock(${UNFINISHED_JOBS_LOCK_SPACE}, hashtext(${row.account_id}))`.execute(
          trx,
        );
      }
      // Counted up to the cap only: enough to know it is reached, however many jobs the account has.
      if ((await countUnfinished(trx, row.account_id, cap)) >= cap) return false;
      await trx.insertInto("jobs").values(row).execute();
      return true;
    });
  } catch (e) {
    throw duplicateTokenOr(e, job);
  }
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
