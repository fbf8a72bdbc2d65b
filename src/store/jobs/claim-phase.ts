/**
 * Claims the right to prepare or finish a job in `status` (or to write its report while it runs): granted
 * when nobody holds it, the holder's claim expired (it died), or the caller already holds it (a renewal).
 * Several engines may share the store; this compare-and-set is what keeps two of them off one job's phase.
 */
import type { Kysely } from "kysely";
import type { JobStatus } from "../../domain/status.js";
import type { Database } from "../schema.js";

export async function claimPhase(
  db: Kysely<Database>,
  jobId: string,
  status: JobStatus,
  owner: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set({ phase_owner: owner, phase_expires: now + ttlMs })
    .where("job_id", "=", jobId)
    .where("status", "=", status)
    .where((eb) => eb.or([eb("phase_owner", "is", null), eb("phase_expires", "<", now), eb("phase_owner", "=", owner)]))
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}
