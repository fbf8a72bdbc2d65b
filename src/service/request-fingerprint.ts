/**
 * A request's fingerprint for idempotency (D5): two requests with one clientRequestToken are "the same request"
 * when their fingerprints match. Keys are sorted and undefined values dropped, so the order fields arrive in and
 * absent optional fields do not matter.
 */
import { createHash } from "node:crypto";
import type { JobSpec } from "../domain/job.js";

/** Two CreateJob requests are "the same request" when everything but the dialect's echo details matches. */
export function requestFingerprint(request: JobSpec | Readonly<Record<string, unknown>>): string {
  return createHash("sha256").update(stableStringify(request)).digest("hex");
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
