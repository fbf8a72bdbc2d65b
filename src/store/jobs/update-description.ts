/**
 * The JSON API's PATCH of a job's description: the description column (what listings read, migration 0006)
 * and the spec's copy (what a description of the whole job reads) change together, in one transaction; on
 * PostgreSQL the row is locked first, so two concurrent changes never leave the two copies different.
 */
import type { Kysely } from "kysely";
import type { StoreDialect } from "../connect.js";
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
      .select("spec")
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
    return true;
  });
}
