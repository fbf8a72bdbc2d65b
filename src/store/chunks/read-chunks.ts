/**
 * Read-only views of a job's chunks: how much is left, and the report rows in manifest order.
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

const PAGE = 200;

/** The report rows of every done chunk, in chunk order, a page of chunks at a time. */
export async function* reportRows(
  db: Kysely<Database>,
  jobId: string,
  which: "succeeded" | "failed",
): AsyncGenerator<string> {
  const column = which === "succeeded" ? "succeeded_rows" : "failed_rows";
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom("chunks")
      .select(["seq", column])
      .where("job_id", "=", jobId)
      .where("state", "=", "done")
      .where("seq", ">", after)
      .where(column, "is not", null)
      .orderBy("seq")
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const text = (row as Record<string, unknown>)[column] as string | null;
      if (text) yield text;
      after = row.seq;
    }
    if (rows.length < PAGE) return;
  }
}
