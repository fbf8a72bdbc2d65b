/**
 * The accounts' webhooks (D42): created, read and deleted, always within one account (another account's webhook
 * answers like a missing one). Deleting a webhook deletes its deliveries in the same transaction. The fan-out
 * reads the webhooks of the accounts whose events it is handing out (webhooks_account).
 */
import type { Kysely } from "kysely";
import type { Tag } from "../../domain/job.js";
import type { SigningWebhook, WebhookEventType } from "../../notifications/types.js";
import type { Database, WebhooksTable } from "../schema.js";

function rowToWebhook(row: WebhooksTable): SigningWebhook {
  return {
    id: row.webhook_id,
    accountId: row.account_id,
    url: row.url,
    events: JSON.parse(row.event_types) as WebhookEventType[],
    tags: JSON.parse(row.tag_filter) as Tag[],
    ...(row.description !== null ? { description: row.description } : {}),
    createdAt: new Date(Number(row.created_at)),
    source: "api",
    secret: row.secret,
  };
}

export async function insertWebhook(db: Kysely<Database>, webhook: SigningWebhook): Promise<void> {
  await db
    .insertInto("webhooks")
    .values({
      webhook_id: webhook.id,
      account_id: webhook.accountId,
      url: webhook.url,
      event_types: JSON.stringify(webhook.events),
      tag_filter: JSON.stringify(webhook.tags),
      secret: webhook.secret,
      description: webhook.description ?? null,
      created_at: webhook.createdAt.getTime(),
    })
    .execute();
}

/** The account's webhooks, oldest first (an account has few: the API caps them). */
export async function accountWebhooks(db: Kysely<Database>, accountIds: readonly string[]): Promise<SigningWebhook[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("account_id", "in", [...accountIds])
    .orderBy("created_at")
    .orderBy("webhook_id")
    .execute();
  return rows.map(rowToWebhook);
}

export async function getWebhook(
  db: Kysely<Database>,
  accountId: string,
  webhookId: string,
): Promise<SigningWebhook | undefined> {
  const row = await db
    .selectFrom("webhooks")
    .selectAll()
    .where("webhook_id", "=", webhookId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return row === undefined ? undefined : rowToWebhook(row);
}

/** Deletes the webhook and its deliveries; false when the account has no such webhook. */
export async function deleteWebhook(db: Kysely<Database>, accountId: string, webhookId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .deleteFrom("webhooks")
      .where("webhook_id", "=", webhookId)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (r.numDeletedRows !== 1n) return false;
    await trx.deleteFrom("webhook_deliveries").where("webhook_id", "=", webhookId).execute();
    return true;
  });
}

export async function countAccountWebhooks(db: Kysely<Database>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom("webhooks")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
