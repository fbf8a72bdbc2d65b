/**
 * Gives a leased chunk back unfinished (graceful shutdown): the next worker runs it from the start.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function releaseChunk(db: Kysely<Database>, jobId: string, seq: number, leaseToken: string) {
  await db
    .updateTable("chunks")
    .set({ state: "pending", lease_token: null, lease_expires: null })
    .where("job_id", "=", jobId)
    .where("seq", "=", seq)
    .where("lease_token", "=", leaseToken)
    .where("state", "=", "leased")
    .execute();
}
