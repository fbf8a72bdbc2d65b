/**
 * What a job's live progress is computed from besides its recorded counters: its Active time to the
 * millisecond, and the tasks of the chunks being run now (leased, the lease not expired), whose results are
 * not recorded yet. Reads one job row and the job's leased chunks through chunks_job_state.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

export interface RecordedActivity {
  /** Time spent Active up to `now`, ms. */
  readonly activeMs: number;
  /** Tasks in chunks leased by a live worker. */
  readonly inFlight: number;
}

export async function readActivity(
  db: Kysely<Database>,
  jobId: string,
  now: number,
): Promise<RecordedActivity | undefined> {
  const job = await db
    .selectFrom("jobs")
    .select(["active_ms", "active_since"])
    .where("job_id", "=", jobId)
    .executeTakeFirst();
  if (job === undefined) return undefined;
  const leased = await db
    .selectFrom("chunks")
    // What the running chunks have not done yet: their live counts are in the job's progress already (D30).
    .select(sql<number>`coalesce(sum(records - live_succeeded - live_failed), 0)`.as("records"))
    .where("job_id", "=", jobId)
    .where("state", "=", "leased")
    .where("lease_expires", ">=", now)
    .executeTakeFirstOrThrow();
  const since = job.active_since === null ? undefined : Number(job.active_since);
  return {
    activeMs: Number(job.active_ms) + (since === undefined ? 0 : Math.max(0, now - since)),
    inFlight: Number(leased.records),
  };
}
