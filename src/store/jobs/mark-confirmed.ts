/**
 * OSS lets a job be confirmed (requestedJobStatus=Ready) while it is still Preparing: the confirmation is
 * recorded here, and the preparer then moves the job to Ready instead of Suspended. False when the job is no
 * longer Preparing (the preparer finished first; the caller looks again). Written with its `job.confirmed`
 * event (D34), in one transaction.
 */
import type { Kysely } from "kysely";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

export async function markConfirmed(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  reason: string | undefined,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("jobs")
      .set({ confirmed: 1, status_update_reason: reason ?? null, updated_time: now })
      .where("job_id", "=", jobId)
      .where("status", "=", "Preparing")
      .returning(["account_id", "total_tasks", "succeeded", "failed"])
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type: "job.confirmed",
        status: "Preparing",
        payload: { ...(reason !== undefined && { reason }), counts: eventCounts(row) },
        time: now,
      },
    ]);
    return true;
  });
}
