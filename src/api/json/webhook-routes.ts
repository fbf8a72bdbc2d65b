/**
 * Webhooks (D42), over the WebhookService:
 *
 *   POST   /webhooks                       a webhook of the account (201, with its secret, shown once)
 *   GET    /webhooks                       the account's webhooks, the operator's (read-only) first
 *   GET    /webhooks/{webhookId}           one
 *   DELETE /webhooks/{webhookId}           delete it and its deliveries (409 for the operator's)
 *   POST   /webhooks/{webhookId}/test      send one signed objbatch.webhook.test now; the outcome
 *   GET    /webhooks/{webhookId}/deliveries its deliveries, newest first: event, job, status, attempts, last
 *                                          HTTP status or error, next attempt
 *
 * A URL whose host the operator did not allow is a 403 that says how to allow it. Another account's webhook
 * answers exactly like a missing one (404).
 */

import type { Delivery, Webhook } from "../../notifications/types.js";
import type { WebhooksApi } from "../../notifications/webhook-service.js";
import { ProblemError } from "./problems.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute } from "./route.js";
import {
  CreatedWebhookSchema,
  type CreateWebhookRequestJson,
  CreateWebhookRequestSchema,
  DeliveriesQuerySchema,
  DeliveryPageSchema,
  WebhookIdParamSchema,
  WebhookListSchema,
  WebhookSchema,
  WebhookTestSchema,
} from "./schemas/webhooks.js";
import { checked } from "./validation.js";

export const DEFAULT_DELIVERY_PAGE = 100;

const params = { webhookId: WebhookIdParamSchema };

export function webhookView(w: Webhook) {
  return {
    id: w.id,
    url: w.url,
    events: [...w.events],
    tags: w.tags.map((t) => ({ key: t.key, value: t.value })),
    description: w.description ?? null,
    createdAt: w.source === "config" ? null : w.createdAt.toISOString(),
    readOnly: w.source === "config",
  };
}

function deliveryView(d: Delivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    type: d.type,
    jobId: d.jobId,
    status: d.state,
    attempts: d.attempts,
    lastHttpStatus: d.lastStatus ?? null,
    lastError: d.lastError ?? null,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}

function unavailable(): never {
  throw new ProblemError(501, "not-implemented", "Not implemented", "This server sends no webhooks.");
}

export function webhookRoutes(webhooks: WebhooksApi | undefined): JsonRoute[] {
  const api = () => webhooks ?? unavailable();
  const idOf = (p: Readonly<Record<string, string>>) => p.webhookId as string;
  return [
    {
      method: "POST",
      path: "/webhooks",
      operationId: "createWebhook",
      summary: "Have the account's job events POSTed to a URL as signed CloudEvents",
      description:
        "Events are CloudEvents 1.0 JSON (structured mode), signed as Standard Webhooks do: webhook-id, " +
        "webhook-timestamp and webhook-signature `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. Delivery is at " +
        "least once, in order per job, retried with backoff for notifications.retryForSeconds. The URL's host must " +
        "be in the operator's notifications.allowedHosts (403 otherwise).",
      authenticated: true,
      body: CreateWebhookRequestSchema,
      responses: {
        201: { description: "The webhook, with its secret (shown only here).", schema: CreatedWebhookSchema },
      },
      problems: [403, 409],
      problemNotes: {
        403: "The URL's host is not allowed by the operator (notifications.allowedHosts).",
        409: "The account has as many webhooks as it may.",
      },
      handler: async ({ account, body }) => {
        const request = body as CreateWebhookRequestJson;
        const { webhook, secret } = await api().create(account.id, {
          url: request.url,
          events: request.events,
          ...(request.tags !== undefined ? { tags: request.tags } : {}),
          ...(request.secret !== undefined ? { secret: request.secret } : {}),
          ...(request.description !== undefined ? { description: request.description } : {}),
        });
        return {
          status: 201,
          body: { ...webhookView(webhook), secret },
          headers: { location: `/api/v1/webhooks/${webhook.id}` },
        };
      },
    },
    {
      method: "GET",
      path: "/webhooks",
      operationId: "listWebhooks",
      summary: "The account's webhooks: the operator's (read-only) and its own",
      authenticated: true,
      responses: { 200: { description: "The webhooks.", schema: WebhookListSchema } },
      handler: async ({ account }) => ({
        status: 200,
        body: { webhooks: (await api().list(account.id)).map(webhookView) },
      }),
    },
    {
      method: "GET",
      path: "/webhooks/:webhookId",
      operationId: "getWebhook",
      summary: "One webhook of the account",
      authenticated: true,
      params,
      responses: { 200: { description: "The webhook.", schema: WebhookSchema } },
      handler: async ({ account, params: p }) => ({
        status: 200,
        body: webhookView(await api().get(account.id, idOf(p))),
      }),
    },
    {
      method: "DELETE",
      path: "/webhooks/:webhookId",
      operationId: "deleteWebhook",
      summary: "Delete a webhook and its deliveries (pending ones are not sent)",
      authenticated: true,
      params,
      responses: { 204: { description: "Deleted." } },
      problems: [409],
      problemNotes: { 409: "The webhook is the operator's (config file): read-only here." },
      handler: async ({ account, params: p }) => {
        await api().delete(account.id, idOf(p));
        return { status: 204 };
      },
    },
    {
      method: "POST",
      path: "/webhooks/:webhookId/test",
      operationId: "testWebhook",
      summary: "Send one signed objbatch.webhook.test CloudEvent now, and answer how it went",
      description: "Sent at once, not through the outbox, and not retried; the answer says what the receiver did.",
      authenticated: true,
      params,
      responses: { 200: { description: "The attempt's outcome.", schema: WebhookTestSchema } },
      problems: [403],
      handler: async ({ account, params: p }) => {
        const r = await api().test(account.id, idOf(p));
        return {
          status: 200,
          body: { eventId: r.eventId, outcome: r.outcome, httpStatus: r.status ?? null, error: r.error ?? null },
        };
      },
    },
    {
      method: "GET",
      path: "/webhooks/:webhookId/deliveries",
      operationId: "listWebhookDeliveries",
      summary: "The webhook's deliveries, newest first, with their attempts",
      authenticated: true,
      params,
      query: DeliveriesQuerySchema,
      responses: { 200: { description: "A page of deliveries.", schema: DeliveryPageSchema } },
      handler: async ({ account, params: p, query }) => {
        const parsed = checked(DeliveriesQuerySchema, queryObject(query, ["limit"]), "query");
        const limit = parsed.limit ?? DEFAULT_DELIVERY_PAGE;
        const before = parsed.cursor !== undefined ? Number(parsed.cursor) : undefined;
        const page = await api().deliveries(account.id, idOf(p), before, limit);
        return {
          status: 200,
          body: {
            deliveries: page.map(deliveryView),
            nextCursor: page.length === limit ? String(page[page.length - 1].id) : null,
          },
        };
      },
    },
  ];
}
