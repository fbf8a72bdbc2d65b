/**
 * PutJobTagging and DeleteJobTagging: the job's tags, replaced whole, with the `job.tags` event (D34) in one
 * transaction. A running job's chunks pick up the new tags (its objbatch:max-requests-per-second cap,
 * engine/rate-limit.ts) from their next chunk on.
 */
import type { Kysely } from "kysely";
import type { Tag } from "../../domain/job.js";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

/** False when the job is gone. */
export async function setTags(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  tags: readonly Tag[],
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("jobs")
      .set({ tags: JSON.stringify(tags), updated_time: now })
      .where("job_id", "=", jobId)
      .returning(["account_id", "status", "total_tasks", "succeeded", "failed"])
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type: "job.tags",
        status: row.status as JobStatus,
        payload: { tags: tags.map((t) => ({ key: t.key, value: t.value })), counts: eventCounts(row) },
        time: now,
      },
    ]);
    return true;
  });
}
