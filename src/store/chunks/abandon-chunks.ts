/**
 * Fences a finishing job's unfinished chunks: pending ones will never run, and a worker still holding an
 * expired lease can no longer record results after the report has been written. Inline tasks of skipped
 * chunks are dropped: nothing will read them.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function abandonUnfinishedChunks(db: Kysely<Database>, jobId: string) {
  await db
    .updateTable("chunks")
    .set({ state: "skipped", lease_token: null, lease_expires: null, tasks: null, live_succeeded: 0, live_failed: 0 })
    .where("job_id", "=", jobId)
    .where("state", "in", ["pending", "leased"])
    .execute();
}
