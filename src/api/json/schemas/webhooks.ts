/** Webhooks (D42): POST/GET /webhooks, GET/DELETE /webhooks/{id}, POST /webhooks/{id}/test, GET .../deliveries. */
import { type Static, Type } from "typebox";
import { WEBHOOK_EVENT_TYPES } from "../../../notifications/types.js";
import { TagSchema } from "./model.js";

const closed = { additionalProperties: false } as const;

export const WebhookIdParamSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  description: "A webhook's id: wh_... for the account's, config:<name> for the operator's.",
});

const EventTypes = Type.Array(Type.Enum([...WEBHOOK_EVENT_TYPES]), {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length,
  description:
    "The CloudEvent types sent: objbatch.job.created, objbatch.job.status (every status change), " +
    "objbatch.job.progress (every tenth of the tasks), objbatch.job.finished (the summary), and the other job events.",
});

export const CreateWebhookRequestSchema = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: "An http or https URL whose host the operator allowed (notifications.allowedHosts).",
    }),
    events: EventTypes,
    tags: Type.Optional(
      Type.Array(TagSchema, { maxItems: 10, description: "Only jobs carrying every one of these tags." }),
    ),
    secret: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        description: "The signing key (whsec_<base64> as Standard Webhooks, or any text); made when left out.",
      }),
    ),
    description: Type.Optional(Type.String({ maxLength: 256 })),
  },
  closed,
);
export type CreateWebhookRequestJson = Static<typeof CreateWebhookRequestSchema>;

export const WebhookSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    events: EventTypes,
    tags: Type.Array(TagSchema),
    description: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "Null for the operator's webhooks.",
    }),
    readOnly: Type.Boolean({ description: "True for a webhook of the config file: it cannot be deleted here." }),
  },
  closed,
);

export const CreatedWebhookSchema = Type.Object(
  {
    ...WebhookSchema.properties,
    secret: Type.String({ description: "The signing key: shown once, here." }),
  },
  closed,
);

export const WebhookListSchema = Type.Object({ webhooks: Type.Array(WebhookSchema) }, closed);

export const WebhookTestSchema = Type.Object(
  {
    eventId: Type.String(),
    outcome: Type.Enum(["ok", "http_error", "timeout", "network"]),
    httpStatus: Type.Union([Type.Integer(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  closed,
);

export const DeliverySchema = Type.Object(
  {
    id: Type.Integer(),
    eventId: Type.String({ description: "The CloudEvent's id (and webhook-id)." }),
    type: Type.String(),
    jobId: Type.String(),
    status: Type.Enum(["pending", "delivered", "gave_up"]),
    attempts: Type.Integer({ minimum: 0 }),
    lastHttpStatus: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    nextAttemptAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
      description: "While pending: when it is tried next (after the job's earlier events).",
    }),
    createdAt: Type.String({ format: "date-time" }),
    finishedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  },
  closed,
);

export const DeliveryPageSchema = Type.Object(
  {
    deliveries: Type.Array(DeliverySchema),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: "Older deliveries: pass as cursor." }),
  },
  closed,
);

export const DeliveriesQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: "Default 100." })),
    cursor: Type.Optional(Type.String({ pattern: "^[0-9]{1,18}$", description: "nextCursor of the page before." })),
  },
  closed,
);
