/**
 * Retention (D8): forgets the jobs that finished before a time, with their chunks and report files (the
 * schema's foreign keys cascade, migrations.ts) and their events, each replaced by one `job.deleted` event
 * (D34). One transaction per batch of jobs, so a purge after a long pause never holds one huge transaction;
 * `maxJobs` bounds one call, so the engine's housekeeping does a few batches per tick and carries on at the
 * next. The batch is found through jobs_termination: termination_time is set exactly when a job becomes terminal
 * (transition-job.ts), so the jobs finished before a time are the first entries of that index, whatever else the
 * store holds.
 */
import type { Kysely } from "kysely";
import type { StoreDialect } from "../connect.js";
import { deleteEventsOf } from "../events/job-deletion-events.js";
import type { Database } from "../schema.js";

const JOBS_PER_STATEMENT = 100;

/** Returns how many jobs were purged: all that finished before `before`, or `maxJobs` of them, oldest first. */
export async function purgeTerminatedBefore(
  db: Kysely<Database>,
  dialect: StoreDialect,
  before: number,
  now: number,
  maxJobs = Number.POSITIVE_INFINITY,
): Promise<number> {
  let purged = 0;
  while (purged < maxJobs) {
    const batch = Math.min(JOBS_PER_STATEMENT, maxJobs - purged);
    const n = await db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom("jobs")
        .where("job_id", "in", (eb) =>
          eb
            .selectFrom("jobs")
            .select("job_id")
            .where("termination_time", "<", before)
            .orderBy("termination_time", "asc")
            .limit(batch),
        )
        .returning(["job_id", "account_id", "status", "total_tasks", "succeeded", "failed"])
        .execute();
      await deleteEventsOf(trx, dialect, deleted, "retention", now);
      return deleted.length;
    });
    purged += n;
    if (n < batch) break;
  }
  return purged;
}
