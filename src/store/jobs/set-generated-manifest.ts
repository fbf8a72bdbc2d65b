/**
 * Records where a manifest generator wrote the manifest it generated (EnableManifestOutput), which the job's
 * description then shows as its GeneratedManifestDescriptor.
 */
import type { Kysely } from "kysely";
import type { GeneratedManifestDescriptor } from "../../domain/job.js";
import type { Database } from "../schema.js";

export async function setGeneratedManifest(
  db: Kysely<Database>,
  jobId: string,
  descriptor: GeneratedManifestDescriptor,
  now: number,
) {
  await db
    .updateTable("jobs")
    .set({ generated_manifest: JSON.stringify(descriptor), updated_time: now })
    .where("job_id", "=", jobId)
    .execute();
}
