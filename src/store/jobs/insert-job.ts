/**
 * Creating a job row, optionally under the account's cap on unfinished jobs. The count and the insert are
 * one transaction, and on PostgreSQL the transaction first takes a lock of the account's own (an advisory
 * transaction lock on a hash of the account id), so concurrent CreateJob calls through any number of servers
 * are counted one after another and the cap holds exactly. SQLite has one writer per database file, and
 * Kysely runs one transaction at a time on its one connection, so the transaction alone serialises them (D18).
 */
import { type Kysely, sql } from "kysely";
import { TERMINAL_STATUSES } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import type { JobRow } from "../job-row.js";
import type { Database } from "../schema.js";

export type NewJobRow = Pick<
  JobRow,
  | "job_id"
  | "account_id"
  | "status"
  | "priority"
  | "creation_time"
  | "spec"
  | "client_request_token"
  | "request_fingerprint"
  | "tags"
  | "confirmed"
>;

/** The same ClientRequestToken was already used in the account (the unique constraint said so). */
export class DuplicateTokenError extends Error {}

/** The first key of the advisory lock: objbatch's "unfinished jobs of an account" lock space. */
export const UNFINISHED_JOBS_LOCK_SPACE = 0x0b7b_a7c4;

/** Inserts the job; throws DuplicateTokenError when its token was already used in the account. */
export async function insertJob(db: Kysely<Database>, row: NewJobRow): Promise<void> {
  try {
    await db.insertInto("jobs").values(newJobValues(row)).execute();
  } catch (e) {
    if (isUniqueViolation(e)) throw new DuplicateTokenError(row.client_request_token);
    throw e;
  }
}

/**
 * Inserts the job unless the account already has `cap` unfinished jobs. Returns false when the cap is
 * reached; throws DuplicateTokenError like insertJob.
 */
export async function insertJobUnderCap(
  db: Kysely<Database>,
  dialect: StoreDialect,
  row: NewJobRow,
  cap: number,
): Promise<boolean> {
  try {
    return await db.transaction().execute(async (trx) => {
      if (dialect === "postgres") {
        await sql`select pg_advisory_xact_lock(${UNFINISHED_JOBS_LOCK_SPACE}, hashtext(${row.account_id}))`.execute(
          trx,
        );
      }
      const { n } = await trx
        .selectFrom("jobs")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("account_id", "=", row.account_id)
        .where("status", "not in", [...TERMINAL_STATUSES])
        .executeTakeFirstOrThrow();
      if (Number(n) >= cap) return false;
      await trx.insertInto("jobs").values(newJobValues(row)).execute();
      return true;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DuplicateTokenError(row.client_request_token);
    throw e;
  }
}

function newJobValues(row: NewJobRow) {
  return {
    ...row,
    termination_time: null,
    suspended_time: null,
    suspended_cause: null,
    status_update_reason: null,
    failure_reasons: "[]",
    total_tasks: -1,
    succeeded: 0,
    failed: 0,
    active_ms: 0,
    active_since: null,
    manifest_etag: null,
    generated_manifest: null,
    phase_owner: null,
    phase_expires: null,
    updated_time: row.creation_time,
  };
}

/** PostgreSQL 23505; SQLITE_CONSTRAINT_UNIQUE from better-sqlite3 (code) or node:sqlite (errcode 2067). */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; errcode?: number };
  return err?.code === "23505" || err?.code === "SQLITE_CONSTRAINT_UNIQUE" || err?.errcode === 2067;
}
