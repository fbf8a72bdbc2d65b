/**
 * A user holds a job paused where it stands, or lets it go (D31): one compare-and-set statement on a job that is
 * Pausing or Paused, with the reason it shows. Holding a job that is still Active or Ready is a status move
 * (transition-job.ts, `hold`); letting one go moves nothing: the scheduler resumes it by its priority.
 * False when the job is not Pausing or Paused, or already as asked (the caller looks again).
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function setHeld(
  db: Kysely<Database>,
  jobId: string,
  held: boolean,
  reason: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set({ held: held ? 1 : 0, status_update_reason: reason, updated_time: now })
    .where("job_id", "=", jobId)
    .where("status", "in", ["Pausing", "Paused"])
    .where("held", "=", held ? 0 : 1)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}
