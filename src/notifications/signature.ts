/**
 * Signing a webhook delivery as Standard Webhooks (standardwebhooks.com) does, which Svix, Stripe-style
 * receivers and their libraries verify (D42): the headers `webhook-id` (the CloudEvent's id, the same on every
 * attempt), `webhook-timestamp` (seconds since the epoch of this attempt) and `webhook-signature: v1,<base64 of
 * HMAC-SHA256("<id>.<timestamp>.<body>")>`, keyed by the secret's bytes (`whsec_<base64>`: the base64 part
 * decoded). A receiver recomputes it, compares in constant time, refuses a timestamp too far from its clock
 * (a replay of an old delivery) and remembers ids it has handled (a delivery may come more than once).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

/** A new secret: 24 random bytes, as Standard Webhooks writes them. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString("base64")}`;
}

/** The key's bytes: the base64 after `whsec_`, or (any other secret) its UTF-8 bytes. */
export function secretKey(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
}

export function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The three headers of one attempt. */
export function signedHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signature(secret, id, timestampSeconds, body),
  };
}

/**
 * A receiver's check (used by the tests; the README shows the same in a few lines): the signature matches one
 * of the header's space-separated `v1,` entries and the timestamp is within `toleranceSeconds` of `now`.
 */
export function verifySignature(
  secret: string,
  headers: { readonly id?: string; readonly timestamp?: string; readonly signature?: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const { id, timestamp, signature: given } = headers;
  if (id === undefined || timestamp === undefined || given === undefined) return false;
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, id, ts, body));
  return given.split(" ").some((candidate) => {
    const c = Buffer.from(candidate);
    return c.length === expected.length && timingSafeEqual(c, expected);
  });
}
