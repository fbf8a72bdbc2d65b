/**
 * Reads of job events (D34), always in id order and bounded: the feed's tail of every account's events, the
 * events of one account or one job between two ids (a stream's catch-up after Last-Event-ID), and where the log
 * starts and ends. Each is one index range (the primary key, job_events_account, job_events_job).
 */
import type { Kysely } from "kysely";
import type { JobEvent, JobEventPayload, JobEventType } from "../../domain/job-event.js";
import type { JobStatus } from "../../domain/status.js";
import type { Database, JobEventsTable } from "../schema.js";

type EventRow = Omit<JobEventsTable, "id"> & { id: number };

function rowToEvent(row: EventRow): JobEvent {
  return {
    id: Number(row.id),
    accountId: row.account_id,
    jobId: row.job_id,
    type: row.type as JobEventType,
    status: row.status as JobStatus,
    payload: JSON.parse(row.payload) as JobEventPayload,
    time: new Date(Number(row.time)),
  };
}

/** Every account's events after `after`, the first `limit` of them. */
export async function readEventsAfter(db: Kysely<Database>, after: number, limit: number): Promise<JobEvent[]> {
  const rows = await db
    .selectFrom("job_events")
    .selectAll()
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(rowToEvent);
}

/** Which events a catch-up reads: one account's, or one job's (of that account). */
export interface EventScope {
  readonly accountId: string;
  readonly jobId?: string;
}

/** The scope's events with ids in (after, through], the first `limit` of them. */
export async function readScopeEvents(
  db: Kysely<Database>,
  scope: EventScope,
  after: number,
  through: number,
  limit: number,
): Promise<JobEvent[]> {
  const rows = await db
    .selectFrom("job_events")
    .selectAll()
    .$if(scope.jobId === undefined, (q) => q.where("account_id", "=", scope.accountId))
    .$if(scope.jobId !== undefined, (q) =>
      q.where("job_id", "=", scope.jobId as string).where("account_id", "=", scope.accountId),
    )
    .where("id", ">", after)
    .where("id", "<=", through)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(rowToEvent);
}

/** Where the log stands: the highest id purged by age (a reader resuming below it has lost events), the last id. */
export interface EventLogBounds {
  readonly purgedThrough: number;
  readonly latest: number;
}

export async function readEventLogBounds(db: Kysely<Database>): Promise<EventLogBounds> {
  const horizon = await db.selectFrom("job_event_horizon").select("purged_through").executeTakeFirst();
  const last = await db.selectFrom("job_events").select("id").orderBy("id", "desc").limit(1).executeTakeFirst();
  const purgedThrough = Number(horizon?.purged_through ?? 0);
  return { purgedThrough, latest: Math.max(purgedThrough, Number(last?.id ?? 0)) };
}
