/**
 * Exactly-once accounting: a chunk's results are recorded and added to the job's counters in one
 * transaction, and only by the holder of the chunk's current lease. A worker whose lease was taken over
 * (it was presumed dead) finds its token gone and its results are discarded: the new holder counts them.
 * A done chunk's inline tasks are never read again, so they are dropped here to give the space back; in their
 * place it keeps the tasks it never attempted (the job was cancelled or failed while it ran), for a rerun of
 * the job's unsucceeded tasks (D35).
 * The chunk's failures by cause are added to the job's in the same transaction (D27), so they are exact too.
 * When the job's recorded tasks cross a tenth of its total, the same transaction ends by writing a
 * `job.progress` event per tenth crossed (D42): each milestone is written once, by the one recording that
 * crossed it (the job row's update orders the chunks of a job), and a crash before the commit writes neither.
 */
import type { Kysely } from "kysely";
import type { FailureCause } from "../../domain/failure-causes.js";
import type { NewJobEvent } from "../../domain/job-event.js";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { recordEvents } from "../events/record-events.js";
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
  dialect: StoreDialect,
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
    const job = await trx
      .updateTable("jobs")
      .set((eb) => ({
        succeeded: eb("succeeded", "+", results.succeeded),
        failed: eb("failed", "+", results.failed),
        updated_time: now,
      }))
      .where("job_id", "=", jobId)
      .returning(["account_id", "status", "total_tasks", "succeeded", "failed"])
      .executeTakeFirst();
    if (results.causes && results.causes.length > 0) await addFailureCauses(trx, jobId, results.causes);
    // The last statements: the event-order lock and the insert (record-events.ts), only when a tenth is crossed.
    if (job !== undefined) await recordEvents(trx, dialect, milestoneEvents(jobId, job, results, now));
    return true;
  });
}

/** The `job.progress` events of the tenths the recorded tasks crossed with this chunk (none if none). */
export function milestoneEvents(
  jobId: string,
  job: { account_id: string; status: string; total_tasks: number; succeeded: number; failed: number },
  results: Pick<ChunkResults, "succeeded" | "failed">,
  now: number,
): NewJobEvent[] {
  const total = Number(job.total_tasks);
  if (total <= 0) return [];
  const after = Number(job.succeeded) + Number(job.failed);
  const before = after - results.succeeded - results.failed;
  const tenth = (done: number) => Math.floor((Math.min(done, total) * 10) / total);
  const events: NewJobEvent[] = [];
  for (let t = tenth(before) + 1; t <= tenth(after); t++) {
    events.push({
      accountId: job.account_id,
      jobId,
      type: "job.progress",
      status: job.status as JobStatus,
      payload: {
        percent: t * 10,
        counts: { total, succeeded: Number(job.succeeded), failed: Number(job.failed) },
      },
      time: now,
    });
  }
  return events;
}
