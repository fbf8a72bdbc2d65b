/**
 * The accounts' webhooks as the JSON API sees them (D42): create (the URL checked against the operator's
 * allow-list, a secret made when none is given, at most MAX_WEBHOOKS per account), list (the operator's
 * config-file webhooks of the account first, marked read-only), read, delete (not a config one), test (one
 * signed `objbatch.webhook.test` CloudEvent sent now, not through the outbox, its outcome answered) and the
 * deliveries of one webhook, newest first. Another account's webhook answers exactly like a missing one.
 * Refusals are WebhookRefusals, which the API turns into problems.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Tag } from "../domain/job.js";
import type { StoreWebhooks } from "../store/webhooks/store-webhooks.js";
import { AllowedHosts } from "./allowed-hosts.js";
import type { CloudEvent } from "./cloud-events.js";
import { type AttemptResult, attemptDelivery } from "./deliverer.js";
import type { NotificationPolicy } from "./notification-policy.js";
import { newWebhookSecret } from "./signature.js";
import { type Delivery, type SigningWebhook, TEST_EVENT_TYPE, type Webhook, type WebhookEventType } from "./types.js";

export const MAX_WEBHOOKS = 20;

export type WebhookRefusalKind = "webhook-not-allowed" | "too-many-webhooks" | "webhook-read-only" | "no-such-webhook";

export class WebhookRefusal extends Error {
  constructor(
    readonly kind: WebhookRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

export function isWebhookRefusal(e: unknown): e is WebhookRefusal {
  return e instanceof WebhookRefusal;
}

export interface NewWebhook {
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  readonly tags?: readonly Tag[];
  readonly secret?: string;
  readonly description?: string;
}

export interface TestOutcome extends AttemptResult {
  readonly eventId: string;
}

export interface WebhooksApi {
  create(accountId: string, request: NewWebhook): Promise<{ webhook: Webhook; secret: string }>;
  list(accountId: string): Promise<Webhook[]>;
  get(accountId: string, webhookId: string): Promise<Webhook>;
  delete(accountId: string, webhookId: string): Promise<void>;
  test(accountId: string, webhookId: string): Promise<TestOutcome>;
  deliveries(accountId: string, webhookId: string, before: number | undefined, limit: number): Promise<Delivery[]>;
}

/** The webhook without its secret. */
function publicOf(w: SigningWebhook): Webhook {
  const { secret: _secret, ...rest } = w;
  return rest;
}

export class WebhookService implements WebhooksApi {
  private readonly allowed: AllowedHosts;

  constructor(
    private readonly store: StoreWebhooks,
    private readonly policy: NotificationPolicy,
    private readonly now: () => number,
  ) {
    this.allowed = new AllowedHosts(policy.allowedHosts);
  }

  async create(accountId: string, request: NewWebhook): Promise<{ webhook: Webhook; secret: string }> {
    const refusal = this.allowed.refusal(request.url);
    if (refusal !== undefined) throw new WebhookRefusal("webhook-not-allowed", refusal);
    if ((await this.store.count(accountId)) >= MAX_WEBHOOKS) {
      throw new WebhookRefusal("too-many-webhooks", `An account may have at most ${MAX_WEBHOOKS} webhooks.`);
    }
    const webhook: SigningWebhook = {
      id: `wh_${randomBytes(10).toString("hex")}`,
      accountId,
      url: request.url,
      events: [...new Set(request.events)],
      tags: request.tags ?? [],
      ...(request.description !== undefined ? { description: request.description } : {}),
      createdAt: new Date(this.now()),
      source: "api",
      secret: request.secret ?? newWebhookSecret(),
    };
    await this.store.insert(webhook);
    return { webhook: publicOf(webhook), secret: webhook.secret };
  }

  async list(accountId: string): Promise<Webhook[]> {
    const config = this.policy.webhooks.filter((w) => w.accountId === accountId);
    return [...config, ...(await this.store.ofAccounts([accountId]))].map(publicOf);
  }

  async get(accountId: string, webhookId: string): Promise<Webhook> {
    return publicOf(await this.signing(accountId, webhookId));
  }

  async delete(accountId: string, webhookId: string): Promise<void> {
    const hook = await this.signing(accountId, webhookId);
    if (hook.source === "config") {
      throw new WebhookRefusal(
        "webhook-read-only",
        `${webhookId} is defined in the config file by the operator and cannot be changed through the API.`,
      );
    }
    if (!(await this.store.delete(accountId, webhookId))) throw noSuchWebhook(webhookId);
  }

  async test(accountId: string, webhookId: string): Promise<TestOutcome> {
    const hook = await this.signing(accountId, webhookId);
    const refusal = this.allowed.refusal(hook.url);
    if (refusal !== undefined) throw new WebhookRefusal("webhook-not-allowed", refusal);
    const now = this.now();
    const event: CloudEvent = {
      specversion: "1.0",
      id: `test-${randomUUID()}`,
      source: this.policy.source,
      type: TEST_EVENT_TYPE,
      subject: webhookId,
      time: new Date(now).toISOString(),
      datacontenttype: "application/json",
      data: { webhookId, accountId },
    };
    const result = await attemptDelivery(
      { url: hook.url, secret: hook.secret, eventId: event.id, body: JSON.stringify(event) },
      this.policy.timeoutMs,
      now,
    );
    return { ...result, eventId: event.id };
  }

  async deliveries(accountId: string, webhookId: string, before: number | undefined, limit: number) {
    await this.signing(accountId, webhookId);
    return this.store.deliveries(webhookId, accountId, before, limit);
  }

  private async signing(accountId: string, webhookId: string): Promise<SigningWebhook> {
    const config = this.policy.webhooks.find((w) => w.id === webhookId && w.accountId === accountId);
    const hook = config ?? (await this.store.get(accountId, webhookId));
    if (hook === undefined) throw noSuchWebhook(webhookId);
    return hook;
  }
}

function noSuchWebhook(webhookId: string): WebhookRefusal {
  return new WebhookRefusal("no-such-webhook", `The account has no webhook ${webhookId.slice(0, 80)}.`);
}
