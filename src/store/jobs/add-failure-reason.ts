/**
 * Appends an entry to a job's FailureReasons without changing its status (the finaliser says so when the
 * report could not be written). One statement that appends the entry's JSON to the stored array as text, so
 * two appends at once both land: there is no read-modify-write for a concurrent writer to fall between.
 * The column is always written by JSON.stringify (compact, ending in "]"), here and in transition-job.ts.
 */
import { type Kysely, sql } from "kysely";
import type { JobFailure } from "../../domain/job.js";
import type { Database } from "../schema.js";

export async function addFailureReason(db: Kysely<Database>, jobId: string, failure: JobFailure, now: number) {
  const entry = JSON.stringify({ code: failure.code, reason: failure.reason });
  await db
    .updateTable("jobs")
    .set({
      failure_reasons: sql<string>`case when failure_reasons = '[]'
        then '[' || cast(${entry} as text) || ']'
        else substr(failure_reasons, 1, length(failure_reasons) - 1) || ',' || cast(${entry} as text) || ']' end`,
      updated_time: now,
    })
    .where("job_id", "=", jobId)
    .execute();
}
