/**
 * The config file's `notifications` section (D42), with its defaults:
 *
 *   allowedHosts        hosts (or *.domain, host:port) webhooks may call; empty (default): webhooks are refused
 *   webhooks            the operator's webhooks, each for one account (read-only through the API)
 *   retryForSeconds     how long a delivery is tried again before it gives up (default 86400, 24 h)
 *   timeoutMs           one attempt's limit, connection to the end of the answer (default 10000)
 *   backoffBaseMs       the first retry's wait, doubled each time, with jitter (default 1000)
 *   backoffMaxMs        the longest wait between two attempts (default 3600000, 1 h)
 *   pollIntervalMs      how often a server looks for new events and due deliveries (default 1000)
 *   source              the CloudEvents `source` of every event (default "urn:objbatch")
 */
import { Type } from "typebox";
import type { Tag } from "../domain/job.js";
import { AllowedHosts, parseHostRule } from "./allowed-hosts.js";
import { type SigningWebhook, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./types.js";

export interface NotificationPolicy {
  readonly allowedHosts: readonly string[];
  readonly webhooks: readonly SigningWebhook[];
  readonly retryForMs: number;
  readonly timeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly pollIntervalMs: number;
  readonly source: string;
}

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicy = {
  allowedHosts: [],
  webhooks: [],
  retryForMs: 24 * 3600 * 1000,
  timeoutMs: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 3600 * 1000,
  pollIntervalMs: 1_000,
  source: "urn:objbatch",
};

const TAG = Type.Object(
  {
    key: Type.String({ minLength: 1, description: "The tag's key." }),
    value: Type.String({ description: "The value the job's tag must have." }),
  },
  { additionalProperties: false, title: "tag" },
);

const CONFIG_WEBHOOK_SCHEMA = Type.Object(
  {
    id: Type.String({ pattern: "^[A-Za-z0-9_-]{1,48}$", description: "The webhook's name; its id is config:<id>." }),
    accountId: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })], {
      description: "The account whose jobs' events it receives.",
    }),
    url: Type.String({ minLength: 1, description: "Where events are POSTed; its host must be in allowedHosts." }),
    events: Type.Array(Type.Enum([...WEBHOOK_EVENT_TYPES]), { minItems: 1, description: "The CloudEvent types." }),
    tags: Type.Optional(Type.Array(TAG, { description: "Only jobs carrying every one of these tags." })),
    secret: Type.String({ minLength: 16, writeOnly: true, description: "The signing key (whsec_<base64> or text)." }),
    description: Type.Optional(Type.String({ description: "What it is for, shown in the API's listing." })),
  },
  { additionalProperties: false, title: "webhook" },
);

export const NOTIFICATIONS_SCHEMA = Type.Object(
  {
    allowedHosts: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'Hosts webhooks may call: "host", "*.domain", "host:port" (default none: webhooks refused).',
      }),
    ),
    webhooks: Type.Optional(Type.Array(CONFIG_WEBHOOK_SCHEMA, { description: "The operator's webhooks." })),
    retryForSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 30 * 24 * 3600, description: "How long a delivery is retried (86400)." }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 300_000, description: "One attempt's time limit (10000)." }),
    ),
    backoffBaseMs: Type.Optional(Type.Integer({ minimum: 1, description: "The first retry's wait (1000)." })),
    backoffMaxMs: Type.Optional(Type.Integer({ minimum: 1, description: "The longest wait between attempts." })),
    pollIntervalMs: Type.Optional(
      Type.Integer({ minimum: 10, maximum: 60_000, description: "How often new events are looked for (1000)." }),
    ),
    source: Type.Optional(Type.String({ minLength: 1, description: 'CloudEvents source (default "urn:objbatch").' })),
  },
  { additionalProperties: false, description: "Job notifications by webhook (notifications/notification-policy.ts)." },
);

type ConfigWebhook = {
  id: string;
  accountId: string | number;
  url: string;
  events: WebhookEventType[];
  tags?: Tag[];
  secret: string;
  description?: string;
};

export interface NotificationsSection {
  allowedHosts?: string[];
  webhooks?: ConfigWebhook[];
  retryForSeconds?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  pollIntervalMs?: number;
  source?: string;
}

/** The policy from the section; throws (a message naming the field) on a bad host rule or a repeated id. */
export function notificationPolicyOf(section: NotificationsSection = {}): NotificationPolicy {
  const d = DEFAULT_NOTIFICATION_POLICY;
  (section.allowedHosts ?? []).forEach((entry, i) => {
    try {
      parseHostRule(entry);
    } catch (e) {
      throw new Error(`allowedHosts[${i}]: ${(e as Error).message}`);
    }
  });
  const seen = new Set<string>();
  const allowed = new AllowedHosts(section.allowedHosts ?? []);
  const webhooks = (section.webhooks ?? []).map((w, i): SigningWebhook => {
    if (seen.has(w.id)) throw new Error(`webhooks[${i}]: id ${w.id} is used twice`);
    const refusal = allowed.refusal(w.url);
    if (refusal !== undefined) throw new Error(`webhooks[${i}].url: ${refusal}`);
    seen.add(w.id);
    return {
      id: `config:${w.id}`,
      accountId: String(w.accountId),
      url: w.url,
      events: [...new Set(w.events)],
      tags: w.tags ?? [],
      ...(w.description !== undefined ? { description: w.description } : {}),
      createdAt: new Date(0),
      source: "config",
      secret: w.secret,
    };
  });
  return {
    allowedHosts: section.allowedHosts ?? d.allowedHosts,
    webhooks,
    retryForMs: section.retryForSeconds !== undefined ? section.retryForSeconds * 1000 : d.retryForMs,
    timeoutMs: section.timeoutMs ?? d.timeoutMs,
    backoffBaseMs: section.backoffBaseMs ?? d.backoffBaseMs,
    backoffMaxMs: Math.max(section.backoffMaxMs ?? d.backoffMaxMs, section.backoffBaseMs ?? d.backoffBaseMs),
    pollIntervalMs: section.pollIntervalMs ?? d.pollIntervalMs,
    source: section.source ?? d.source,
  };
}
