/**
 * COS DeleteJob (D9): forgets a finished job (Complete, Cancelled or Failed) in one transaction; its chunks and
 * report files go with it (the schema's foreign keys cascade, migrations.ts), and so do its events, which are
 * replaced by one `job.deleted` event (D34), the transaction's last statement. False when the job has not
 * finished, or is gone.
 */
import type { Kysely } from "kysely";
import { TERMINAL_STATUSES } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { deleteEventsOf } from "../events/job-deletion-events.js";
import type { Database } from "../schema.js";

export async function deleteTerminalJob(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom("jobs")
      .where("job_id", "=", jobId)
      .where("status", "in", [...TERMINAL_STATUSES])
      .returning(["job_id", "account_id", "status", "total_tasks", "succeeded", "failed"])
      .execute();
    if (deleted.length !== 1) return false;
    await deleteEventsOf(trx, dialect, deleted, "user", now);
    return true;
  });
}
