/**
 * Writes job events (D34) in the transaction of the change they report. It must be the last statement of that
 * transaction: on PostgreSQL it first takes one transaction-scoped advisory lock shared by every event writer,
 * and only then draws ids from the sequence (the insert, the same statement: D48), so the lock is held from the
 * id's allocation to the commit. A later writer draws its ids only after the earlier one has committed (or
 * rolled back) and released the lock: ids become visible in increasing order, and a reader that tails
 * `id > last` never passes over an id that commits later. Nothing is done after the insert, so the lock is held
 * only for the commit itself, and no writer ever waits for a row lock while holding it (no deadlock). SQLite has
 * one writer at a time, which gives the same order.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { JobEventCounts, NewJobEvent } from "../../domain/job-event.js";
import type { StoreDialect } from "../connect.js";
import type { Database } from "../schema.js";

/** The advisory lock that orders event ids: objbatch's lock space, then "job events". */
export const EVENT_ORDER_LOCK = [0x0b7b_a7c4, 0x0e7e_0001] as const;

/**
 * Inserts the events, in the order given; the transaction must commit right after. On PostgreSQL the lock and the
 * insert are one statement (one round trip): the rows are the lock's one-row result joined to the events' values,
 * so no row (and no id drawn for it from the sequence) exists before the lock is held.
 */
export async function recordEvents(
  trx: Transaction<Database> | Kysely<Database>,
  dialect: StoreDialect,
  events: readonly NewJobEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    account_id: e.accountId,
    job_id: e.jobId,
    type: e.type,
    status: e.status,
    payload: JSON.stringify(e.payload),
    time: e.time,
  }));
  if (dialect !== "postgres") {
    await trx.insertInto("job_events").values(rows).execute();
    return;
  }
  const values = rows.map(
    (r) => sql`(${r.account_id}, ${r.job_id}, ${r.type}, ${r.status}, ${r.payload}, ${r.time}::bigint)`,
  );
  await trx
    .insertInto("job_events")
    .columns(["account_id", "job_id", "type", "status", "payload", "time"])
    .expression(
      sql`select e.account_id, e.job_id, e.type, e.status, e.payload, e.time
        from (select pg_advisory_xact_lock(${EVENT_ORDER_LOCK[0]}, ${EVENT_ORDER_LOCK[1]})) as event_order_lock
        cross join (values ${sql.join(values)}) as e(account_id, job_id, type, status, payload, time)`,
    )
    .execute();
}

/** The counts as an event carries them, from a job row's columns (total -1 while uncounted). */
export function eventCounts(row: {
  readonly total_tasks: number;
  readonly succeeded: number;
  readonly failed: number;
}): JobEventCounts {
  const total = Number(row.total_tasks);
  return { total: total < 0 ? null : total, succeeded: Number(row.succeeded), failed: Number(row.failed) };
}
