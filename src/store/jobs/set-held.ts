/**
 * A user holds a job paused where it stands, or lets it go (D31): one compare-and-set statement on a job that is
 * Pausing or Paused, with the reason it shows. Holding a job that is still Active or Ready is a status move
 * (transition-job.ts, `hold`); letting one go moves nothing: the scheduler resumes it by its priority.
 * False when the job is not Pausing or Paused, or already as asked (the caller looks again). Written with its
 * `job.user_paused` or `job.user_resumed` event (D34), in one transaction.
 */
import type { Kysely } from "kysely";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

export async function setHeld(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  held: boolean,
  reason: string,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("jobs")
      .set({ held: held ? 1 : 0, status_update_reason: reason, updated_time: now })
      .where("job_id", "=", jobId)
      .where("status", "in", ["Pausing", "Paused"])
      .where("held", "=", held ? 0 : 1)
      .returning(["account_id", "status", "total_tasks", "succeeded", "failed"])
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type: held ? "job.user_paused" : "job.user_resumed",
        status: row.status as JobStatus,
        payload: { reason, pausedByUser: held, counts: eventCounts(row) },
        time: now,
      },
    ]);
    return true;
  });
}
