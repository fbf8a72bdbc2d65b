/**
 * Takes the next jobs to prepare, and the right to prepare them, in one statement: the first `limit` New jobs in
 * queue order (highest priority, then oldest) move to Preparing with the caller's phase claim; or the first
 * Preparing jobs whose preparer's claim ran out (it died) are claimed as they stand. An engine takes as many as
 * it has room to prepare at once, so a backlog of small jobs costs one claim per batch, not one per job (D49). Like every status move it is a
 * compare-and-set, and New -> Preparing is the transition table's (domain/status.ts); the move has no other
 * bookkeeping (transition-job.ts), so it needs no transaction. On PostgreSQL the candidate row is locked with
 * SKIP LOCKED, so engines sharing the store take different jobs at once; SQLite has one writer. Both candidates
 * are found through jobs_status_queue (migrations.ts): a claim reads `limit` index entries however long the
 * queue. The New jobs' moves are written with their `job.status` events (D34), in one transaction and one insert;
 * a takeover moves nothing and writes none.
 */
import type { Kysely } from "kysely";
import type { Job } from "../../domain/job.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import { rowToJob } from "../job-row.js";
import type { Database } from "../schema.js";

/**
 * The jobs as they stand after the claim (Preparing, their phase held by `owner` until now + ttlMs), in queue
 * order: at most `limit`, and none when no job is in `from` (New; or Preparing and unclaimed: an earlier preparer
 * died and may have left chunks).
 */
export async function claimNextPreparations(
  db: Kysely<Database>,
  dialect: StoreDialect,
  from: "New" | "Preparing",
  owner: string,
  now: number,
  ttlMs: number,
  limit = 1,
): Promise<Job[]> {
  // A Preparing job is up for the taking only once nobody holds its phase (the holder's claim ran out); the
  // outer condition repeats the inner one, so the update is a compare-and-set however the statements interleave.
  // The candidates are picked once, in a materialised CTE: as `job_id IN (subquery)` PostgreSQL may run the
  // subquery again for every row it updates (a nested-loop semi join), and with SKIP LOCKED each run picks more.
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .with(
        (cte) => cte("picked").materialized(),
        (q) =>
          q
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
            .limit(limit)
            .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked()),
      )
      .updateTable("jobs")
      .set({ status: "Preparing", phase_owner: owner, phase_expires: now + ttlMs, updated_time: now })
      .where("job_id", "in", (eb) => eb.selectFrom("picked").select("picked.job_id"))
      .where("status", "=", from)
      .$if(from === "Preparing", (q) =>
        q.where((w) => w.or([w("phase_owner", "is", null), w("phase_expires", "<", now)])),
      )
      .returningAll()
      .execute();
    // RETURNING keeps no order: the queue's, as the subquery took them.
    rows.sort(
      (a, b) =>
        b.priority - a.priority ||
        a.creation_time - b.creation_time ||
        (a.job_id < b.job_id ? -1 : a.job_id > b.job_id ? 1 : 0),
    );
    if (from === "New") {
      await recordEvents(
        trx,
        dialect,
        rows.map((row) => ({
          accountId: row.account_id,
          jobId: row.job_id,
          type: "job.status",
          status: "Preparing",
          payload: { from: "New", to: "Preparing", pausedByUser: false, counts: eventCounts(row) },
          time: now,
        })),
      );
    }
    return rows.map((row) => rowToJob(row, now));
  });
}
