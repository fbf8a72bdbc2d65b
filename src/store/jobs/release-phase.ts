/**
 * Gives up a phase claim (claim-phase.ts) once the work is done, so the next phase need not wait for it to
 * expire. Only the holder's own claim is released.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function releasePhase(db: Kysely<Database>, jobId: string, owner: string) {
  await db
    .updateTable("jobs")
    .set({ phase_owner: null, phase_expires: null })
    .where("job_id", "=", jobId)
    .where("phase_owner", "=", owner)
    .execute();
}
