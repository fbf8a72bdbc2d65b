/**
 * The JSON API's PATCH of a job's description: the description column (what listings read, migration 0006)
 * and the spec's copy (what a description of the whole job reads) change together, in one transaction; on
 * PostgreSQL the row is locked first, so two concurrent changes never leave the two copies different. Its
 * `job.description` event (D34) is the transaction's last statement.
 */
import type { Kysely } from "kysely";
import type { JobStatus } from "../../domain/status.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

/** False when the job is gone. */
export async function updateDescription(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  description: string,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("jobs")
      .select(["spec", "account_id", "status", "total_tasks", "succeeded", "failed"])
      .where("job_id", "=", jobId)
      .$if(dialect === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    if (row === undefined) return false;
    const spec = { ...(JSON.parse(row.spec) as Record<string, unknown>), description };
    await trx
      .updateTable("jobs")
      .set({ spec: JSON.stringify(spec), description, updated_time: now })
      .where("job_id", "=", jobId)
      .execute();
    await recordEvents(trx, dialect, [
      {
        accountId: row.account_id,
        jobId,
        type: "job.description",
        status: row.status as JobStatus,
        payload: { description, counts: eventCounts(row) },
        time: now,
      },
    ]);
    return true;
  });
}
