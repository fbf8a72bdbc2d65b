/**
 * Records a counted manifest: the job's total tasks, and the manifest's ETag that every chunk read is pinned
 * to (null for a generated manifest, whose chunks carry their tasks).
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function setPrepared(
  db: Kysely<Database>,
  jobId: string,
  totalTasks: number,
  manifestEtag: string | null,
  now: number,
) {
  await db
    .updateTable("jobs")
    .set({ total_tasks: totalTasks, manifest_etag: manifestEtag, updated_time: now })
    .where("job_id", "=", jobId)
    .execute();
}
