/**
 * The webhook outbox (D42). The fan-out turns job events (D34, written in each change's transaction) into
 * delivery rows by a durable cursor: the rows of a batch of events and the cursor's move past them are one
 * transaction, which moves the cursor only from where it was read (compare-and-set), so a crash loses nothing,
 * and two servers racing write the batch once. Deliverers claim due rows for a lease: on PostgreSQL with `FOR
 * UPDATE SKIP LOCKED`, so servers sharing the store never claim the same row; a row is due only when no earlier
 * row of its webhook and job is still pending (in order per job). An attempt's outcome is recorded only by the
 * holder of the row's lease.
 */
import { type Insertable, type Kysely, sql } from "kysely";
import type { Delivery, DeliveryState } from "../../notifications/types.js";
import type { StoreDialect } from "../connect.js";
import type { Database, WebhookDeliveriesTable } from "../schema.js";

export type NewDelivery = Omit<
  Insertable<WebhookDeliveriesTable>,
  "id" | "attempts" | "last_status" | "last_error" | "lease_owner" | "lease_expires" | "finished_at" | "state"
>;

/** A claimed row: what the deliverer needs to send it. */
export interface ClaimedDelivery {
  readonly id: number;
  readonly webhookId: string;
  readonly accountId: string;
  readonly jobId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
  readonly attempts: number;
  readonly giveUpAt: number;
}

/** Rows per insert: 11 parameters each, well inside SQLite's and PostgreSQL's limits. */
const INSERT_BATCH = 200;

export async function readCursor(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom("webhook_cursor").select("through_event").executeTakeFirst();
  return Number(row?.through_event ?? 0);
}

/**
 * With no webhook in the store, moves the cursor to the newest event in one statement and answers true: there is
 * no one to hand the events to, and the first webhook created starts from there instead of reading the history
 * since. Answers false (nothing moved) when a webhook exists. Event ids become visible in increasing order
 * (record-events.ts), so no id below the newest can still commit. A webhook created while this runs sees only
 * events written after it (fan-out.ts), as when the events were read one by one.
 */
export async function passEventsWithoutWebhooks(db: Kysely<Database>): Promise<boolean> {
  const newest = sql<number>`(select max(id) from job_events)`;
  const moved = await db
    .updateTable("webhook_cursor")
    .set({ through_event: sql<number>`case when ${newest} > through_event then ${newest} else through_event end` })
    .where("singleton", "=", 1)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom("webhooks").select("webhook_id"))))
    .executeTakeFirst();
  return moved.numUpdatedRows === 1n;
}

/**
 * Writes the deliveries and moves the cursor from `from` to `to`, in one transaction; false (nothing written)
 * when the cursor is no longer at `from` (another server handed these events out first).
 */
export async function writeDeliveries(
  db: Kysely<Database>,
  from: number,
  to: number,
  deliveries: readonly NewDelivery[],
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable("webhook_cursor")
      .set({ through_event: to })
      .where("singleton", "=", 1)
      .where("through_event", "=", from)
      .executeTakeFirst();
    if (moved.numUpdatedRows !== 1n) return false;
    for (let i = 0; i < deliveries.length; i += INSERT_BATCH) {
      await trx
        .insertInto("webhook_deliveries")
        .values(deliveries.slice(i, i + INSERT_BATCH).map((d) => ({ ...d, state: "pending", attempts: 0 })))
        .execute();
    }
    return true;
  });
}

/**
 * Claims up to `limit` due rows for `owner` until `now + leaseMs`: pending, due, not leased (or the lease ran
 * out), and the first pending row of their webhook and job. Oldest first.
 */
export async function claimDeliveries(
  db: Kysely<Database>,
  dialect: StoreDialect,
  owner: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom("webhook_deliveries as d")
      .select("d.id")
      .where("d.state", "=", "pending")
      .where("d.next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("d.lease_expires", "is", null), eb("d.lease_expires", "<", now)]))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("webhook_deliveries as e")
              .select("e.id")
              .whereRef("e.webhook_id", "=", "d.webhook_id")
              .whereRef("e.job_id", "=", "d.job_id")
              .whereRef("e.id", "<", "d.id")
              .where("e.state", "=", "pending"),
          ),
        ),
      )
      .orderBy("d.id")
      .limit(limit)
      .$if(dialect === "postgres", (q) => q.forUpdate().skipLocked())
      .execute();
    if (due.length === 0) return [];
    const rows = await trx
      .updateTable("webhook_deliveries")
      .set({ lease_owner: owner, lease_expires: now + leaseMs })
      .where(
        "id",
        "in",
        due.map((r) => Number(r.id)),
      )
      .returning([
        "id",
        "webhook_id",
        "account_id",
        "job_id",
        "event_id",
        "event_type",
        "body",
        "attempts",
        "give_up_at",
      ])
      .execute();
    return rows
      .map((r) => ({
        id: Number(r.id),
        webhookId: r.webhook_id,
        accountId: r.account_id,
        jobId: r.job_id,
        eventId: r.event_id,
        eventType: r.event_type,
        body: r.body,
        attempts: Number(r.attempts),
        giveUpAt: Number(r.give_up_at),
      }))
      .sort((a, b) => a.id - b.id);
  });
}

export interface AttemptRecord {
  readonly state: DeliveryState;
  readonly status: number | null;
  readonly error: string | null;
  /** When it is tried next (pending), or unchanged. */
  readonly nextAttemptAt: number;
  readonly now: number;
}

/** Records an attempt and gives the lease back; false when `owner` no longer holds the row's lease. */
export async function recordAttempt(
  db: Kysely<Database>,
  id: number,
  owner: string,
  attempt: AttemptRecord,
): Promise<boolean> {
  const r = await db
    .updateTable("webhook_deliveries")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      state: attempt.state,
      last_status: attempt.status,
      last_error: attempt.error === null ? null : attempt.error.slice(0, 500),
      next_attempt_at: attempt.nextAttemptAt,
      lease_owner: null,
      lease_expires: null,
      finished_at: attempt.state === "pending" ? null : attempt.now,
    }))
    .where("id", "=", id)
    .where("lease_owner", "=", owner)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/** A page of the webhook's deliveries, newest first, with ids below `before` (a cursor). */
export async function listDeliveries(
  db: Kysely<Database>,
  webhookId: string,
  accountId: string,
  before: number | undefined,
  limit: number,
): Promise<Delivery[]> {
  const rows = await db
    .selectFrom("webhook_deliveries")
    .select([
      "id",
      "webhook_id",
      "job_id",
      "event_id",
      "event_type",
      "state",
      "attempts",
      "last_status",
      "last_error",
      "next_attempt_at",
      "created_at",
      "finished_at",
    ])
    .where("webhook_id", "=", webhookId)
    .where("account_id", "=", accountId)
    .$if(before !== undefined, (q) => q.where("id", "<", before as number))
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    webhookId: r.webhook_id,
    eventId: r.event_id,
    type: r.event_type,
    jobId: r.job_id,
    state: r.state as DeliveryState,
    attempts: Number(r.attempts),
    ...(r.last_status !== null ? { lastStatus: Number(r.last_status) } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    ...(r.state === "pending" ? { nextAttemptAt: new Date(Number(r.next_attempt_at)) } : {}),
    createdAt: new Date(Number(r.created_at)),
    ...(r.finished_at !== null ? { finishedAt: new Date(Number(r.finished_at)) } : {}),
  }));
}

/** Purges finished deliveries older than `before`, a bounded batch. */
export async function purgeFinishedDeliveries(db: Kysely<Database>, before: number, max: number): Promise<number> {
  const old = await db
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("state", "<>", "pending")
    .where("created_at", "<", before)
    .orderBy("id")
    .limit(max)
    .execute();
  if (old.length === 0) return 0;
  const r = await db
    .deleteFrom("webhook_deliveries")
    .where(
      "id",
      "in",
      old.map((o) => Number(o.id)),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
