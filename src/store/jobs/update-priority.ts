/**
 * UpdateJobPriority: the job's new priority, which the engine's scheduler reads on its next tick (D13), written
 * with its `job.priority` event (D34) in one transaction.
 */
import type { Kysely } from "kysely";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

/** False when the job is gone. */
export async function updatePriority(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  priority: number,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("jobs")
      .set({ priority, updated_time: now })
      .where("job_id", "=", jobId)
      .returning(["account_id", "status", "total_tasks", "succeeded", "failed"])
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type: "job.priority",
        status: row.status as JobStatus,
        payload: { priority, counts: eventCounts(row) },
        time: now,
      },
    ]);
    return true;
  });
}
