/**
 * A user's change to one of a job's mutable columns, written with the event that reports it (D34) in one
 * transaction:
 * - UpdateJobPriority: the new priority, which the engine's scheduler reads on its next tick (D13), with its
 *   `job.priority` event.
 * - PutJobTagging and DeleteJobTagging: the tags, replaced whole, with their `job.tags` event. A running job's
 *   chunks pick up the new tags (its objbatch:max-requests-per-second cap, engine/rate-limit.ts) from their next
 *   chunk on.
 * The description is not one column but two copies (update-description.ts).
 */
import type { Kysely } from "kysely";
import type { Tag } from "../../domain/job.js";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

export type JobFieldChange =
  | { readonly field: "priority"; readonly priority: number }
  | { readonly field: "tags"; readonly tags: readonly Tag[] };

/** False when the job is gone. */
export async function updateJobField(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  change: JobFieldChange,
  now: number,
): Promise<boolean> {
  const { column, type, payload } = describe(change);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("jobs")
      .set({ ...column, updated_time: now })
      .where("job_id", "=", jobId)
      .returning(["account_id", "status", "total_tasks", "succeeded", "failed"])
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type,
        status: row.status as JobStatus,
        payload: { ...payload, counts: eventCounts(row) },
        time: now,
      },
    ]);
    return true;
  });
}

/** The column a change writes, and the event that reports it. */
function describe(change: JobFieldChange) {
  if (change.field === "priority") {
    return {
      column: { priority: change.priority },
      type: "job.priority",
      payload: { priority: change.priority },
    } as const;
  }
  const tags = change.tags.map((t) => ({ key: t.key, value: t.value }));
  return { column: { tags: JSON.stringify(tags) }, type: "job.tags", payload: { tags } } as const;
}
