/**
 * The chunks of a finished job that never ran to the end (D35): skipped ones (the job was cancelled or failed
 * first), with their byte ranges of a CSV manifest or their inline tasks, and done ones that stopped part way
 * (the job stopped while they ran), with the tasks they never attempted inline. A page at a time in seq order,
 * so a rerun of the tasks that got no result reads a few chunks at a time however many were left.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export interface UnrunChunk {
  readonly seq: number;
  /** The byte range of a CSV manifest, end exclusive; (0, 0) when `tasks` is set. */
  readonly startByte: number;
  readonly endByte: number;
  readonly firstRecord: number;
  readonly records: number;
  /**
   * Inline tasks (manifest/inline-tasks.ts): a skipped chunk's, or the unattempted ones of a done chunk; null for
   * a byte range, and for inline chunks skipped before D35.
   */
  readonly tasks: string | null;
}

/** Up to `limit` chunks of the job not done, with seq above `afterSeq`, in seq order. */
export async function readUnrunChunks(
  db: Kysely<Database>,
  jobId: string,
  afterSeq: number,
  limit: number,
): Promise<UnrunChunk[]> {
  const rows = await db
    .selectFrom("chunks")
    .select(["seq", "start_byte", "end_byte", "first_record", "records", "tasks"])
    .where("job_id", "=", jobId)
    .where("seq", ">", afterSeq)
    .where((eb) => eb.or([eb("state", "<>", "done"), eb("tasks", "is not", null)]))
    .orderBy("seq")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    startByte: Number(r.start_byte),
    endByte: Number(r.end_byte),
    firstRecord: Number(r.first_record),
    records: Number(r.records),
    tasks: r.tasks,
  }));
}
