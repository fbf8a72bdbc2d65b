/**
 * The webhooks' part of the job store (D42): the accounts' webhooks and the delivery outbox, on the same
 * StoreConnection as the JobStore (one pool, one place where store outages surface), so every server sharing
 * the store shares them. Store errors propagate to the caller unchanged.
 */
import type { Kysely } from "kysely";
import type { Delivery, SigningWebhook } from "../../notifications/types.js";
import type { StoreDialect } from "../connect.js";
import type { Database } from "../schema.js";
import {
  type AttemptRecord,
  type ClaimedDelivery,
  claimDeliveries,
  listDeliveries,
  type NewDelivery,
  passEventsWithoutWebhooks,
  purgeFinishedDeliveries,
  readCursor,
  recordAttempt,
  writeDeliveries,
} from "./webhook-outbox.js";
import { accountWebhooks, countAccountWebhooks, deleteWebhook, getWebhook, insertWebhook } from "./webhook-rows.js";

export type { AttemptRecord, ClaimedDelivery, NewDelivery } from "./webhook-outbox.js";

export class StoreWebhooks {
  constructor(private readonly conn: { readonly db: Kysely<Database>; readonly dialect: StoreDialect }) {}

  private get db() {
    return this.conn.db;
  }

  insert(webhook: SigningWebhook): Promise<void> {
    return insertWebhook(this.db, webhook);
  }

  ofAccounts(accountIds: readonly string[]): Promise<SigningWebhook[]> {
    return accountWebhooks(this.db, accountIds);
  }

  get(accountId: string, webhookId: string): Promise<SigningWebhook | undefined> {
    return getWebhook(this.db, accountId, webhookId);
  }

  delete(accountId: string, webhookId: string): Promise<boolean> {
    return deleteWebhook(this.db, accountId, webhookId);
  }

  count(accountId: string): Promise<number> {
    return countAccountWebhooks(this.db, accountId);
  }

  cursor(): Promise<number> {
    return readCursor(this.db);
  }

  /** With no webhook in the store, moves the cursor to the newest event: true; false when one exists. */
  passEventsWithoutWebhooks(): Promise<boolean> {
    return passEventsWithoutWebhooks(this.db);
  }

  writeDeliveries(from: number, to: number, deliveries: readonly NewDelivery[]): Promise<boolean> {
    return writeDeliveries(this.db, from, to, deliveries);
  }

  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
    return claimDeliveries(this.db, this.conn.dialect, owner, now, leaseMs, limit);
  }

  recordAttempt(id: number, owner: string, attempt: AttemptRecord): Promise<boolean> {
    return recordAttempt(this.db, id, owner, attempt);
  }

  deliveries(webhookId: string, accountId: string, before: number | undefined, limit: number): Promise<Delivery[]> {
    return listDeliveries(this.db, webhookId, accountId, before, limit);
  }

  purgeFinished(before: number, max: number): Promise<number> {
    return purgeFinishedDeliveries(this.db, before, max);
  }
}
