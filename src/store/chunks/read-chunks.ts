/**
 * Read-only views of a job's chunks: how much is left, and what they counted.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

export interface ChunkCounts {
  readonly pending: number;
  /** Leased and not expired: a worker is running them now. */
  readonly running: number;
  /** Leased but expired: their worker is presumed dead. */
  readonly stale: number;
  readonly done: number;
  /** Never run: the job was cancelled or failed first. */
  readonly skipped: number;
}

export async function countChunks(db: Kysely<Database>, jobId: string, now: number): Promise<ChunkCounts> {
  const count = (condition: ReturnType<typeof sql>) =>
    sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;
  const row = await db
    .selectFrom("chunks")
    .select([
      count(sql`state = 'pending'`).as("pending"),
      count(sql`state = 'leased' and lease_expires >= ${now}`).as("running"),
      count(sql`state = 'leased' and lease_expires < ${now}`).as("stale"),
      count(sql`state = 'done'`).as("done"),
      count(sql`state = 'skipped'`).as("skipped"),
    ])
    .where("job_id", "=", jobId)
    .executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    running: Number(row.running),
    stale: Number(row.stale),
    done: Number(row.done),
    skipped: Number(row.skipped),
  };
}

/** For tests and diagnostics: the sums of a job's chunk counters, which must equal the job's once it ends. */
export async function sumChunkCounters(
  db: Kysely<Database>,
  jobId: string,
): Promise<{ succeeded: number; failed: number; records: number }> {
  const row = await db
    .selectFrom("chunks")
    .select([
      sql<number>`coalesce(sum(succeeded), 0)`.as("succeeded"),
      sql<number>`coalesce(sum(failed), 0)`.as("failed"),
      sql<number>`coalesce(sum(records), 0)`.as("records"),
    ])
    .where("job_id", "=", jobId)
    .executeTakeFirstOrThrow();
  return { succeeded: Number(row.succeeded), failed: Number(row.failed), records: Number(row.records) };
}

/**
 * Whether any chunk of the job is still to run or running (pending, or leased, expired or not): an Active job
 * with none left is done. Stops at the first such chunk in chunks_job_state, where countChunks reads them all.
 */
export async function hasUnfinishedChunks(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const row = await db
    .selectFrom("chunks")
    .select("seq")
    .where("job_id", "=", jobId)
    .where("state", "in", ["pending", "leased"])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a worker runs a chunk of the job now (leased, the lease not expired): a Pausing job waits for none. */
export async function hasRunningChunks(db: Kysely<Database>, jobId: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom("chunks")
    .select("seq")
    .where("job_id", "=", jobId)
    .where("state", "=", "leased")
    .where("lease_expires", ">=", now)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
