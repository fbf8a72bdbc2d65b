/**
 * Live progress (D30): what running chunks have done before they are recorded.
 *
 * A chunk's lease holder writes the counts of its current run about once a second. A count is never lowered:
 * a chunk handed back or taken over keeps what its earlier run showed until the new run passes it, so a job's
 * progress stands still instead of going back. Recording the chunk (complete-chunk.ts) zeroes them in the same
 * transaction that adds its results to the job's counters, so a task moves from live to recorded at once.
 *
 * Reads add the live counts of a job's chunks to its recorded counters in the same statement (one snapshot),
 * through the partial index chunks_live_progress, which holds only chunks with something to show: as many as
 * run at once, never the job's thousands of chunks. The engine's own reads (failure threshold, completion) never
 * see live counts; they are for showing progress only.
 */
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";

export interface LiveChunkProgress {
  readonly jobId: string;
  readonly seq: number;
  readonly leaseToken: string;
  readonly succeeded: number;
  readonly failed: number;
}

/** Writes running chunks' counts, each only while `leaseToken` holds the chunk, never lowering one. */
export async function recordLiveProgress(db: Kysely<Database>, chunks: readonly LiveChunkProgress[]): Promise<void> {
  if (chunks.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const c of chunks) {
      await trx
        .updateTable("chunks")
        .set({
          live_succeeded: sql<number>`case when live_succeeded < ${c.succeeded} then ${c.succeeded} else live_succeeded end`,
          live_failed: sql<number>`case when live_failed < ${c.failed} then ${c.failed} else live_failed end`,
        })
        .where("job_id", "=", c.jobId)
        .where("seq", "=", c.seq)
        .where("lease_token", "=", c.leaseToken)
        .where("state", "=", "leased")
        .execute();
    }
  });
}

/** The columns a live-progress read adds to a row of `jobs`: sums over its chunks (null or a string: cast them). */
export interface LiveProgressColumns {
  readonly live_succeeded?: number | string | null;
  readonly live_failed?: number | string | null;
}

/** Selects the live counts of each job's chunks beside the job's columns (correlated, by chunks_live_progress). */
export function liveProgressColumns(eb: ExpressionBuilder<Database, "jobs">) {
  const sum = (column: "live_succeeded" | "live_failed") =>
    eb
      .selectFrom("chunks")
      .select(sql<number | string | null>`sum(${sql.ref(column)})`.as("n"))
      .whereRef("chunks.job_id", "=", "jobs.job_id")
      .where(sql<boolean>`live_succeeded + live_failed > 0`)
      .as(column);
  return [sum("live_succeeded"), sum("live_failed")];
}
