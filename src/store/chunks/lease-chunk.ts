/**
 * Leases the next runnable chunk of a job: a pending one, or one whose lease expired (its worker died).
 * PostgreSQL skips rows other workers are leasing right now; SQLite has one writer, so a plain
 * update-by-subquery is already exclusive.
 */
import { type Kysely, sql } from "kysely";
import type { StoreDialect } from "../connect.js";
import type { ChunksTable, Database } from "../schema.js";

export type LeasedChunk = Pick<
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
  const lock = dialect === "postgres" ? sql`for update skip locked` : sql``;
  const result = await sql<LeasedChunk>`
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
    returning job_id, seq, start_byte, end_byte, first_record, records, tasks, lease_token, attempts`.execute(db);
  return result.rows[0];
}
