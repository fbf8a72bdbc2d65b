/**
 * OSS lets a job be confirmed (requestedJobStatus=Ready) while it is still Preparing: the confirmation is
 * recorded here, and the preparer then moves the job to Ready instead of Suspended. False when the job is no
 * longer Preparing (the preparer finished first; the caller looks again).
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function markConfirmed(
  db: Kysely<Database>,
  jobId: string,
  reason: string | undefined,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set({ confirmed: 1, status_update_reason: reason ?? null, updated_time: now })
    .where("job_id", "=", jobId)
    .where("status", "=", "Preparing")
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}
