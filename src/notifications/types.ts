/**
 * Webhooks (D42): what an account subscribes to, and what became of each delivery. A webhook is the account's
 * (created through /api/v1/webhooks, kept in the store) or the operator's (the config file's
 * `notifications.webhooks`, read-only through the API). Every delivery is one CloudEvent for one webhook.
 */
import type { Tag } from "../domain/job.js";

/**
 * The CloudEvent types a webhook may ask for: one per job event type (domain/job-event.ts) prefixed with
 * `objbatch.`, and `objbatch.job.finished`, the summary sent after the status event that ends a job.
 */
export const WEBHOOK_EVENT_TYPES = [
  "objbatch.job.created",
  "objbatch.job.status",
  "objbatch.job.progress",
  "objbatch.job.finished",
  "objbatch.job.confirmed",
  "objbatch.job.user_paused",
  "objbatch.job.user_resumed",
  "objbatch.job.priority",
  "objbatch.job.description",
  "objbatch.job.tags",
  "objbatch.job.deleted",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The CloudEvent a webhook's test sends (never stored). */
export const TEST_EVENT_TYPE = "objbatch.webhook.test";

export interface Webhook {
  readonly id: string;
  readonly accountId: string;
  readonly url: string;
  readonly events: readonly WebhookEventType[];
  /** A job must carry every one of these tags for its events to be sent (none: every job). */
  readonly tags: readonly Tag[];
  readonly description?: string;
  /** Events written before it are not sent to it. */
  readonly createdAt: Date;
  /** "config": the operator's, from the config file, read-only through the API. */
  readonly source: "api" | "config";
}

/** A webhook with the key its deliveries are signed with. */
export interface SigningWebhook extends Webhook {
  readonly secret: string;
}

export type DeliveryState = "pending" | "delivered" | "gave_up";

export interface Delivery {
  readonly id: number;
  readonly webhookId: string;
  /** The CloudEvent's id (and webhook-id). */
  readonly eventId: string;
  readonly type: string;
  readonly jobId: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly lastStatus?: number;
  readonly lastError?: string;
  /** While pending: when it is tried next (it may wait for an earlier event of its job first). */
  readonly nextAttemptAt?: Date;
  readonly createdAt: Date;
  readonly finishedAt?: Date;
}

/** How one attempt ended, as the metrics count it (D40's catalog: webhook deliveries by outcome). */
export type AttemptOutcome = "ok" | "http_error" | "timeout" | "network";
