/**
 * Records a prepared job's chunks: byte ranges of the manifest, each holding `records` tasks, or (generated
 * and inventory manifests) the tasks themselves, inline.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export interface ChunkPlanRow {
  readonly seq: number;
  readonly startByte: number;
  readonly endByte: number;
  readonly firstRecord: number;
  readonly records: number;
  /** Inline tasks (manifest/inline-tasks.ts); the byte range is then unused (0, 0). */
  readonly tasks?: string;
}

const ROWS_PER_STATEMENT = 500;

/** A chunk of one of several jobs recorded together (store/jobs/finish-preparation.ts). */
export interface JobChunkPlanRow {
  readonly jobId: string;
  readonly plan: ChunkPlanRow;
}

export function insertChunks(db: Kysely<Database>, jobId: string, plans: readonly ChunkPlanRow[]) {
  return insertJobChunks(
    db,
    plans.map((plan) => ({ jobId, plan })),
  );
}

/** Chunks of any jobs, in as few statements as the rows allow. */
export async function insertJobChunks(db: Kysely<Database>, rows: readonly JobChunkPlanRow[]) {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const values = rows.slice(i, i + ROWS_PER_STATEMENT).map(({ jobId, plan: p }) => ({
      job_id: jobId,
      seq: p.seq,
      start_byte: p.startByte,
      end_byte: p.endByte,
      first_record: p.firstRecord,
      records: p.records,
      tasks: p.tasks ?? null,
      state: "pending",
      attempts: 0,
      succeeded: 0,
      failed: 0,
    }));
    await db.insertInto("chunks").values(values).execute();
  }
}

/** Forgets a job's chunks: before preparing again after a crash, and when a job is purged. */
export async function deleteChunks(db: Kysely<Database>, jobId: string) {
  await db.deleteFrom("chunks").where("job_id", "=", jobId).execute();
}
