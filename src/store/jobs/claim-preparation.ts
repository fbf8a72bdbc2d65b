/**
 * Takes the next job to prepare, and the right to prepare it, in one statement: the first New job in queue order
 * (highest priority, then oldest) moves to Preparing with the caller's phase claim; or the first Preparing job
 * whose preparer's claim ran out (it died) is claimed as it stands. Like every status move it is a
 * compare-and-set, and New -> Preparing is the transition table's (domain/status.ts); the move has no other
 * bookkeeping (transition-job.ts), so it needs no transaction. On PostgreSQL the candidate row is locked with
 * SKIP LOCKED, so engines sharing the store take different jobs at once; SQLite has one writer. Both candidates
 * are found through jobs_status_queue (migrations.ts): a claim reads a few index entries however long the queue.
 * A New job's move is written with its `job.status` event (D34), in one transaction; a takeover moves nothing
 * and writes none.
 */
import type { Kysely } from "kysely";
import type { Job } from "../../domain/job.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import { rowToJob } from "../job-row.js";
import type { Database } from "../schema.js";

/**
 * The job as it stands after the claim (Preparing, its phase held by `owner` until now + ttlMs), or undefined
 * when no job is in `from` (New; or Preparing and unclaimed: an earlier preparer died and may have left chunks).
 */
export async function claimNextPreparation(
  db: Kysely<Database>,
  dialect: StoreDialect,
  from: "New" | "Preparing",
  owner: string,
  now: number,
  ttlMs: number,
): Promise<Job | undefined> {
  // A Preparing job is up for the taking only once nobody holds its phase (the holder's claim ran out); the
  // outer condition repeats the inner one, so the update is a compare-and-set however the statements interleave.
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("jobs")
      .set({ status: "Preparing", phase_owner: owner, phase_expires: now + ttlMs, updated_time: now })
      .where("job_id", "=", (eb) =>
        eb
          .selectFrom("jobs")
          .select("job_id")
          .where("status", "=", from)
          // Always true before Pausing (D31); it keeps the walk a range of jobs_status_queue in queue order.
          .where("held", "=", 0)
          .$if(from === "Preparing", (q) =>
            q.where((w) => w.or([w("phase_owner", "is", null), w("phase_expires", "<", now)])),
          )
          .orderBy("priority", "desc")
          .orderBy("creation_time", "asc")
          .orderBy("job_id", "asc")
          .limit(1)
          .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked()),
      )
      .where("status", "=", from)
      .$if(from === "Preparing", (q) =>
        q.where((w) => w.or([w("phase_owner", "is", null), w("phase_expires", "<", now)])),
      )
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return undefined;
    if (from === "New") {
      await recordEvents(trx, dialect, [
        {
          accountId: row.account_id,
          jobId: row.job_id,
          type: "job.status",
          status: "Preparing",
          payload: { from: "New", to: "Preparing", pausedByUser: false, counts: eventCounts(row) },
          time: now,
        },
      ]);
    }
    return rowToJob(row, now);
  });
}
