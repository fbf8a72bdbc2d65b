/**
 * COS DeleteJob (D9): forgets a finished job (Complete, Cancelled or Failed) in one statement; its chunks and
 * report files go with it (the schema's foreign keys cascade, migrations.ts). False when the job has not
 * finished, or is gone.
 */
import type { Kysely } from "kysely";
import { TERMINAL_STATUSES } from "../../domain/status.js";
import type { Database } from "../schema.js";

export async function deleteTerminalJob(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const r = await db
    .deleteFrom("jobs")
    .where("job_id", "=", jobId)
    .where("status", "in", [...TERMINAL_STATUSES])
    .executeTakeFirst();
  return r.numDeletedRows === 1n;
}
