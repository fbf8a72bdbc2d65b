/**
 * Leases the next runnable chunk of a job: a pending one, or one whose lease expired (its worker died), and only
 * while the job is Active (D32). PostgreSQL skips rows other workers are leasing right now; SQLite has one writer,
 * so a plain update-by-subquery is already exclusive.
 *
 * The status check is part of the statement, so an engine that decided to run the job a moment before a user
 * paused or cancelled it, or it failed, gets nothing. On PostgreSQL it reads the job's row `for key share`: that
 * waits for a transitionJob holding the row `for update` and then sees the status it committed, and a
 * transitionJob that comes second waits for the lease; so no chunk is ever leased after the job left Active.
 * The key-share lock does not conflict with the counter updates of recording chunks (`for no key update`), and
 * the check is one index lookup by the job's key, evaluated once, before any chunk row is locked.
 */
import { type Kysely, sql } from "kysely";
import type { StoreDialect } from "../connect.js";
import type { ChunksTable, Database } from "../schema.js";

/** A chunk leased to one worker: what to run, and the token its results must be recorded with. */
export interface LeasedChunk {
  readonly jobId: string;
  readonly seq: number;
  /** The chunk's byte range of a CSV manifest, end exclusive; unused (0, 0) when `tasks` is set. */
  readonly startByte: number;
  readonly endByte: number;
  /** The manifest record number of the chunk's first task. */
  readonly firstRecord: number;
  readonly records: number;
  /** Inline tasks (generated and inventory manifests, manifest/inline-tasks.ts); null for a byte range. */
  readonly tasks: string | null;
  readonly leaseToken: string;
  /** Leases taken of this chunk so far, this one included. */
  readonly attempts: number;
}

type LeasedRow = Pick<
  ChunksTable,
  "job_id" | "seq" | "start_byte" | "end_byte" | "first_record" | "records" | "tasks" | "lease_token" | "attempts"
>;

export async function leaseChunk(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  leaseToken: string,
  now: number,
  leaseMs: number,
): Promise<LeasedChunk | undefined> {
  const postgres = dialect === "postgres";
  const lock = postgres ? sql`for update skip locked` : sql``;
  const jobLock = postgres ? sql`for key share` : sql``;
  const result = await sql<LeasedRow>`
    update chunks
       set state = 'leased', lease_token = ${leaseToken}, lease_expires = ${now + leaseMs},
           attempts = attempts + 1
     where job_id = ${jobId}
       and seq = (select seq from chunks
                   where job_id = ${jobId}
                     and (state = 'pending' or (state = 'leased' and lease_expires < ${now}))
                   order by seq
                   limit 1 ${lock})
       and (state = 'pending' or (state = 'leased' and lease_expires < ${now}))
       and exists (select 1 from jobs where job_id = ${jobId} and status = 'Active' ${jobLock})
    returning job_id, seq, start_byte, end_byte, first_record, records, tasks, lease_token, attempts`.execute(db);
  const row = result.rows[0];
  return row && toLeasedChunk(row);
}

function toLeasedChunk(row: LeasedRow): LeasedChunk {
  return {
    jobId: row.job_id,
    seq: Number(row.seq),
    startByte: Number(row.start_byte),
    endByte: Number(row.end_byte),
    firstRecord: Number(row.first_record),
    records: Number(row.records),
    tasks: row.tasks,
    leaseToken: row.lease_token!,
    attempts: Number(row.attempts),
  };
}
