/**
 * Exactly-once accounting: a chunk's results are recorded and added to the job's counters in one
 * transaction, and only by the holder of the chunk's current lease. A worker whose lease was taken over
 * (it was presumed dead) finds its token gone and its results are discarded: the new holder counts them.
 * A done chunk's inline tasks are never read again, so they are dropped here to give the space back; in their
 * place it keeps the tasks it never attempted (the job was cancelled or failed while it ran), for a rerun of
 * the job's unsucceeded tasks (D35).
 * The chunk's failures by cause are added to the job's in the same transaction (D27), so they are exact too.
 */
import type { Kysely } from "kysely";
import type { FailureCause } from "../../domain/failure-causes.js";
import { addFailureCauses } from "../jobs/failure-causes.js";
import type { Database } from "../schema.js";

export interface ChunkResults {
  readonly succeeded: number;
  readonly failed: number;
  /** Report rows, or null when the report does not keep them. */
  readonly succeededRows: string | null;
  readonly failedRows: string | null;
  /** The chunk's failed tasks by (HTTP status, error code), whatever the report keeps (D27). */
  readonly causes?: readonly FailureCause[];
  /**
   * The chunk's tasks it never attempted, as inline tasks (manifest/inline-tasks.ts): set only when the job
   * stopped while it ran. Kept in the chunk's `tasks` (D35).
   */
  readonly unrunTasks?: string | null;
}

export async function completeChunk(
  db: Kysely<Database>,
  jobId: string,
  seq: number,
  leaseToken: string,
  results: ChunkResults,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable("chunks")
      .set({
        state: "done",
        lease_token: null,
        lease_expires: null,
        succeeded: results.succeeded,
        failed: results.failed,
        succeeded_rows: results.succeededRows,
        failed_rows: results.failedRows,
        tasks: results.unrunTasks ?? null,
        // Its tasks move from live progress to the job's counters in this transaction (D30).
        live_succeeded: 0,
        live_failed: 0,
      })
      .where("job_id", "=", jobId)
      .where("seq", "=", seq)
      .where("lease_token", "=", leaseToken)
      .where("state", "=", "leased")
      .executeTakeFirst();
    if (done.numUpdatedRows !== 1n) return false;
    await trx
      .updateTable("jobs")
      .set((eb) => ({
        succeeded: eb("succeeded", "+", results.succeeded),
        failed: eb("failed", "+", results.failed),
        updated_time: now,
      }))
      .where("job_id", "=", jobId)
      .execute();
    if (results.causes && results.causes.length > 0) await addFailureCauses(trx, jobId, results.causes);
    return true;
  });
}
