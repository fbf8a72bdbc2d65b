/**
 * Fences a finishing job's unfinished chunks: pending ones will never run, and a worker still holding an
 * expired lease can no longer record results after the report has been written. Inline tasks of skipped
 * chunks are kept: they are the only record of which tasks never got a result, which a rerun of the job's
 * unsucceeded tasks reads (D35); they go with the job when it is deleted or purged.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function abandonUnfinishedChunks(db: Kysely<Database>, jobId: string) {
  await db
    .updateTable("chunks")
    .set({ state: "skipped", lease_token: null, lease_expires: null, live_succeeded: 0, live_failed: 0 })
    .where("job_id", "=", jobId)
    .where("state", "in", ["pending", "leased"])
    .execute();
}
