/**
 * PutJobTagging and DeleteJobTagging: the job's tags, replaced whole. A running job's chunks pick up the new
 * tags (its objbatch:max-requests-per-second cap, engine/rate-limit.ts) from their next chunk on.
 */
import type { Kysely } from "kysely";
import type { Tag } from "../../domain/job.js";
import type { Database } from "../schema.js";

export async function setTags(db: Kysely<Database>, jobId: string, tags: readonly Tag[], now: number) {
  await db
    .updateTable("jobs")
    .set({ tags: JSON.stringify(tags), updated_time: now })
    .where("job_id", "=", jobId)
    .execute();
}
