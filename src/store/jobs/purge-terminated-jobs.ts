/**
 * Retention (D8): forgets the jobs that finished before a time, with their chunks and report files (the
 * schema's foreign keys cascade, migrations.ts). One statement per batch of jobs, so a purge after a long
 * pause never holds one huge transaction.
 */
import type { Kysely } from "kysely";
import { TERMINAL_STATUSES } from "../../domain/status.js";
import type { Database } from "../schema.js";

const JOBS_PER_STATEMENT = 100;

/** Returns how many jobs were purged. */
export async function purgeTerminatedBefore(db: Kysely<Database>, before: number): Promise<number> {
  let purged = 0;
  for (;;) {
    const r = await db
      .deleteFrom("jobs")
      .where("job_id", "in", (eb) =>
        eb
          .selectFrom("jobs")
          .select("job_id")
          .where("status", "in", [...TERMINAL_STATUSES])
          .where("termination_time", "<", before)
          .limit(JOBS_PER_STATEMENT),
      )
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    purged += n;
    if (n < JOBS_PER_STATEMENT) return purged;
  }
}
