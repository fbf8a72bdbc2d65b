/**
 * What deleting jobs does to their events (D34): the jobs' events are deleted with them, in the same
 * transaction, and each job gets one `job.deleted` event instead, which outlives it (until events are purged by
 * age), so a reader of the account's events learns that the job is gone. Used by a user's delete and by
 * retention's purge of finished jobs.
 */
import type { Transaction } from "kysely";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import type { Database, JobsTable } from "../schema.js";
import { eventCounts, recordEvents } from "./record-events.js";

export type DeletedJobRow = Pick<
  JobsTable,
  "job_id" | "account_id" | "status" | "total_tasks" | "succeeded" | "failed"
>;

/** Deletes the jobs' events and writes their `job.deleted` events: the last statements of the transaction. */
export async function deleteEventsOf(
  trx: Transaction<Database>,
  dialect: StoreDialect,
  jobs: readonly DeletedJobRow[],
  deletedBy: "user" | "retention",
  now: number,
): Promise<void> {
  if (jobs.length === 0) return;
  await trx
    .deleteFrom("job_events")
    .where(
      "job_id",
      "in",
      jobs.map((j) => j.job_id),
    )
    .execute();
  await recordEvents(trx, dialect, deletedEvents(jobs, deletedBy, now));
}

export function deletedEvents(jobs: readonly DeletedJobRow[], deletedBy: "user" | "retention", now: number) {
  return jobs.map((j) => ({
    accountId: j.account_id,
    jobId: j.job_id,
    type: "job.deleted" as const,
    status: j.status as JobStatus,
    payload: { deletedBy, counts: eventCounts(j) },
    time: now,
  }));
}
