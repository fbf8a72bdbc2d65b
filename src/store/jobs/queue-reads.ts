/**
 * The engine's reads of the job queue, each bounded and each served by an index (migrations.ts
 * 0005_control_plane_indexes), so that an engine tick costs the same with ten waiting jobs or a hundred thousand:
 * - the jobs that hold an execution slot or give one up (Active, Pausing: no more than the scheduler lets run),
 *   and the first few Ready and Paused jobs, the only ones that could win a slot this tick;
 * - the first few jobs being finished (Completing, Cancelling, Failing) whose phase nobody else holds;
 * - the states of named jobs (those whose chunks run here);
 * - the oldest Suspended jobs past a time (the confirmation timeout, D4).
 * "First" is the queue order: highest priority, then oldest, then job id (engine/scheduler.ts ranks the same way).
 * A query over several statuses is one query per status, each walking jobs_status_queue, merged here.
 */
import type { Kysely } from "kysely";
import type { JobState } from "../../domain/job-state.js";
import type { JobStatus } from "../../domain/status.js";
import { JOB_STATE_COLUMNS, rowToState } from "../job-row.js";
import type { Database } from "../schema.js";

type QueueQuery = ReturnType<typeof inQueueOrder>;

/**
 * The jobs of one status in queue order (jobs_status_queue), leaving out the jobs a user holds paused (D31):
 * held is 0 outside Pausing and Paused, so this is every job of the other statuses, and the condition keeps
 * the read a range of the index (status, held, priority desc, creation_time, job_id).
 */
function inQueueOrder(db: Kysely<Database>, status: JobStatus) {
  return db
    .selectFrom("jobs")
    .select(JOB_STATE_COLUMNS)
    .where("status", "=", status)
    .where("held", "=", 0)
    .orderBy("priority", "desc")
    .orderBy("creation_time", "asc")
    .orderBy("job_id", "asc");
}

/** Queue order across statuses. */
export function byQueueOrder(a: JobState, b: JobState): number {
  return (
    b.priority - a.priority || a.creationTime - b.creationTime || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0)
  );
}

/** One query per status, `shape` adding conditions and the limit; the rows merged in queue order. */
async function firstOfEach(
  db: Kysely<Database>,
  statuses: readonly JobStatus[],
  shape: (q: QueueQuery) => QueueQuery,
): Promise<JobState[]> {
  const states: JobState[] = [];
  for (const status of statuses) {
    for (const row of await shape(inQueueOrder(db, status)).execute()) states.push(rowToState(row));
  }
  return states.sort(byQueueOrder);
}

/**
 * Every Pausing job, held by a user or not (D31): each waits only for its chunks in flight, and became Pausing
 * from Active, so they are as few as the slots (jobs_status_queue, status prefix).
 */
async function pausingJobStates(db: Kysely<Database>): Promise<JobState[]> {
  const rows = await db.selectFrom("jobs").select(JOB_STATE_COLUMNS).where("status", "=", "Pausing").execute();
  return rows.map(rowToState);
}

/**
 * What the scheduler ranks (engine/scheduler.ts): every Active and Pausing job (the scheduler keeps them to its
 * slots, so they are few), and the first `slots` Ready and the first `slots` Paused jobs that no user holds
 * (D31). The top `slots` of these are the top `slots` of all contenders, so the plan is the one a look at every
 * job would make. The Pausing jobs a user holds are read too: the engine moves them on to Paused.
 */
export function schedulableJobStates(db: Kysely<Database>, slots: number): Promise<JobState[]> {
  return Promise.all([
    firstOfEach(db, ["Active"], (q) => q),
    pausingJobStates(db),
    firstOfEach(db, ["Ready", "Paused"], (q) => q.limit(slots)),
  ]).then(([active, pausing, waiting]) => [...active, ...pausing, ...waiting].sort(byQueueOrder));
}

/** The statuses whose jobs are finished by the finaliser (engine/finalizer.ts). */
export const FINISHING_STATUSES: readonly JobStatus[] = ["Completing", "Cancelling", "Failing"];

/**
 * The first `limit` jobs being finished that `owner` may finish: nobody holds their phase, the holder's claim ran
 * out, or `owner` holds it. Rows claimed by others are skipped as the index is walked; they are as few as the
 * engines finishing jobs at once.
 */
export async function finishingJobStates(
  db: Kysely<Database>,
  owner: string,
  now: number,
  limit: number,
): Promise<JobState[]> {
  const states = await firstOfEach(db, FINISHING_STATUSES, (q) =>
    q
      .where((eb) =>
        eb.or([eb("phase_owner", "is", null), eb("phase_expires", "<", now), eb("phase_owner", "=", owner)]),
      )
      .limit(limit),
  );
  return states.slice(0, limit);
}

/** The states of the named jobs (by primary key), in queue order; missing jobs are left out. */
export async function jobStatesOf(db: Kysely<Database>, jobIds: readonly string[]): Promise<JobState[]> {
  if (jobIds.length === 0) return [];
  const rows = await db.selectFrom("jobs").select(JOB_STATE_COLUMNS).where("job_id", "in", jobIds).execute();
  return rows.map(rowToState).sort(byQueueOrder);
}

/** The oldest `limit` Suspended jobs suspended before `before` (jobs_status_suspended), oldest first. */
export async function suspendedBefore(db: Kysely<Database>, before: number, limit: number): Promise<JobState[]> {
  const rows = await db
    .selectFrom("jobs")
    .select(JOB_STATE_COLUMNS)
    .where("status", "=", "Suspended")
    .where("suspended_time", "<", before)
    .orderBy("suspended_time", "asc")
    .limit(limit)
    .execute();
  return rows.map(rowToState);
}
