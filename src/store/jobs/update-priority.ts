/**
 * UpdateJobPriority: the job's new priority, which the engine's scheduler reads on its next tick (D13).
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function updatePriority(db: Kysely<Database>, jobId: string, priority: number, now: number) {
  await db.updateTable("jobs").set({ priority, updated_time: now }).where("job_id", "=", jobId).execute();
}
