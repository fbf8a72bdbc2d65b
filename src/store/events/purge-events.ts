/**
 * Event retention (D34): events older than a time are deleted, oldest id first, a bounded batch per call, and
 * the highest id deleted is remembered in job_event_horizon, so a reader that resumes from before it is told
 * that events are gone (a `reset`) instead of being given a stream with a hole. What is deleted is always a
 * prefix of the ids: a run of old events stops at the first one that is not yet old enough.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

/** Deletes up to `maxEvents` of the oldest events written before `before`; returns how many. */
export async function purgeEventsBefore(db: Kysely<Database>, before: number, maxEvents: number): Promise<number> {
  // One row read when nothing is old enough (the usual case): the engine's housekeeping stays a few rows (D19).
  const first = await db.selectFrom("job_events").select("time").orderBy("id").limit(1).executeTakeFirst();
  if (first === undefined || Number(first.time) >= before) return 0;
  return db.transaction().execute(async (trx) => {
    const oldest = await trx.selectFrom("job_events").select(["id", "time"]).orderBy("id").limit(maxEvents).execute();
    let through: number | undefined;
    for (const row of oldest) {
      if (Number(row.time) >= before) break;
      through = Number(row.id);
    }
    if (through === undefined) return 0;
    const r = await trx.deleteFrom("job_events").where("id", "<=", through).executeTakeFirst();
    await trx
      .updateTable("job_event_horizon")
      .set({
        purged_through: sql<number>`case when purged_through < ${through} then ${through} else purged_through end`,
      })
      .where("singleton", "=", 1)
      .execute();
    return Number(r.numDeletedRows);
  });
}
