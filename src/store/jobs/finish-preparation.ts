/**
 * Ends a job's preparing in one statement, where it took four (the counted manifest, a read of the job, the
 * status move, giving up the claim): records the total tasks and the manifest ETag every chunk read is pinned
 * to, moves Preparing -> Ready, or Preparing -> Suspended when the job waits for confirmation (D4), and gives up
 * the preparer's phase claim. Both moves are the transition table's (domain/status.ts) and need only the
 * bookkeeping transition-job.ts does for them (the suspended time and cause); neither touches Active time,
 * termination or failure reasons, so the statement's own conditions are the compare-and-set: the job is still
 * Preparing, and the caller still holds its phase (a preparer whose claim ran out and was taken over finishes
 * nothing). The move's `job.status` event (D34) is written with it, in one transaction, and so are the last
 * chunks the preparer cut (`lastChunks`): a job whose manifest fits in one write of chunks (a small job) is then
 * recorded in one commit instead of two. They are inserted only once the move succeeded, so a preparer whose
 * claim was taken over adds nothing beside its successor's chunks.
 */
import { type Kysely, sql } from "kysely";
import type { NewJobEvent } from "../../domain/job-event.js";
import type { JobStatus } from "../../domain/status.js";
import { type ChunkPlanRow, insertJobChunks, type JobChunkPlanRow } from "../chunks/insert-chunks.js";
import type { StoreDialect } from "../connect.js";
import { eventCounts, recordEvents } from "../events/record-events.js";
import type { Database } from "../schema.js";

export interface PreparedManifest {
  readonly totalTasks: number;
  /** Null for a generated manifest, whose chunks carry their tasks. */
  readonly manifestEtag: string | null;
  /** Why a job that waits for confirmation is Suspended. */
  readonly suspendedCause: string;
  /** Chunks cut but not yet recorded, recorded with the move. */
  readonly lastChunks?: readonly ChunkPlanRow[];
}

/** One job's end of preparing, as finishPreparations takes it. */
export interface FinishingPreparation {
  readonly jobId: string;
  /** The preparer's phase claim: the job is finished only while `owner` still holds it. */
  readonly owner: string;
  readonly manifest: PreparedManifest;
  readonly now: number;
}

/** The status the job moved to (Ready or Suspended), or undefined when it was no longer `owner`'s to finish. */
export async function finishPreparation(
  db: Kysely<Database>,
  dialect: StoreDialect,
  jobId: string,
  owner: string,
  manifest: PreparedManifest,
  now: number,
): Promise<JobStatus | undefined> {
  const [to] = await finishPreparations(db, dialect, [{ jobId, owner, manifest, now }]);
  return to;
}

/**
 * Finishes several jobs' preparing in one transaction (the engine's preparations that end together, gathered by
 * a group commit: D49): one statement moves them all, each by its own compare-and-set, then the last chunks of
 * every job that moved go in one insert and their events in another. For each job, in order, what
 * finishPreparation says.
 */
export async function finishPreparations(
  db: Kysely<Database>,
  dialect: StoreDialect,
  items: readonly FinishingPreparation[],
): Promise<(JobStatus | undefined)[]> {
  return db.transaction().execute(async (trx) => {
    const rows = new Map((await moveOutOfPreparing(trx, items)).map((row) => [row.job_id, row]));
    const moved: (JobStatus | undefined)[] = [];
    const chunks: JobChunkPlanRow[] = [];
    const events: NewJobEvent[] = [];
    for (const { jobId, manifest, now } of items) {
      const row = rows.get(jobId);
      if (row === undefined) {
        moved.push(undefined);
        continue;
      }
      for (const plan of manifest.lastChunks ?? []) chunks.push({ jobId, plan });
      const to = row.status as JobStatus;
      events.push({
        accountId: row.account_id,
        jobId,
        type: "job.status",
        status: to,
        payload: {
          from: "Preparing",
          to,
          ...(to === "Suspended" ? { reason: manifest.suspendedCause } : {}),
          pausedByUser: false,
          counts: eventCounts(row),
        },
        time: now,
      });
      moved.push(to);
    }
    await insertJobChunks(trx, chunks);
    await recordEvents(trx, dialect, events);
    return moved;
  });
}

interface MovedJob {
  readonly job_id: string;
  readonly account_id: string;
  readonly status: string;
  readonly total_tasks: number;
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * The moves of every item in one UPDATE ... FROM a VALUES list (PostgreSQL, and SQLite since 3.33): a job moves
 * only while it is Preparing and its item's owner holds its phase. Returns the rows that moved.
 */
async function moveOutOfPreparing(
  trx: Kysely<Database>,
  items: readonly FinishingPreparation[],
): Promise<readonly MovedJob[]> {
  const values = sql.join(
    items.map(
      ({ jobId, owner, manifest, now }) =>
        sql`(${jobId}, ${owner}, cast(${manifest.totalTasks} as bigint), cast(${manifest.manifestEtag} as text), cast(${now} as bigint), cast(${manifest.suspendedCause} as text))`,
    ),
  );
  const { rows } =
    await sql<MovedJob>`with v(job_id, owner, total_tasks, manifest_etag, now, cause) as (values ${values})
    update jobs set
      total_tasks = v.total_tasks,
      manifest_etag = v.manifest_etag,
      status = case when jobs.confirmed = 1 then 'Ready' else 'Suspended' end,
      suspended_time = case when jobs.confirmed = 1 then jobs.suspended_time else v.now end,
      suspended_cause = case when jobs.confirmed = 1 then jobs.suspended_cause else v.cause end,
      phase_owner = null,
      phase_expires = null,
      updated_time = v.now
    from v
    where jobs.job_id = v.job_id and jobs.status = 'Preparing' and jobs.phase_owner = v.owner
    returning jobs.job_id, jobs.account_id, jobs.status, jobs.total_tasks, jobs.succeeded, jobs.failed`.execute(trx);
  return rows;
}
