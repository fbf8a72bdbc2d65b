/**
 * How many jobs are in each status, for the jobs-by-status gauge of /metrics (metrics/job-counts.ts reads it at
 * most every few seconds). One grouped count: the status index's leading column serves it, at the cost of the
 * jobs kept (finished ones until their retention ends, D8), never of a tick (the engine never reads it, D19).
 */
import type { Kysely } from "kysely";
import { isJobStatus, type JobStatus } from "../../domain/status.js";
import type { Database } from "../schema.js";

export async function countJobsByStatus(db: Kysely<Database>): Promise<Map<JobStatus, number>> {
  const rows = await db
    .selectFrom("jobs")
    .select((eb) => ["status", eb.fn.countAll<number | string | bigint>().as("n")])
    .groupBy("status")
    .execute();
  const counts = new Map<JobStatus, number>();
  for (const row of rows) if (isJobStatus(row.status)) counts.set(row.status, Number(row.n));
  return counts;
}
