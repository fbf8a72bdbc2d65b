/**
 * One attempt to deliver one CloudEvent (D42): a POST of the event as `application/cloudevents+json`, signed
 * (signature.ts) with the attempt's timestamp, cut after `timeoutMs` however far it got (connecting, waiting for
 * the answer, reading it). Any 2xx is a success; any other status (3xx included: redirects are not followed, so
 * an allowed host cannot send objbatch elsewhere) an http_error, a timeout or a failed connection its own
 * outcome. The answer's body is not read.
 */
import { signedHeaders } from "./signature.js";
import type { AttemptOutcome } from "./types.js";

export interface AttemptResult {
  readonly outcome: AttemptOutcome;
  readonly status?: number;
  readonly error?: string;
}

/** What one attempt sends where, signed with which secret. */
export interface OutgoingEvent {
  readonly url: string;
  readonly secret: string;
  readonly eventId: string;
  readonly body: string;
}

export async function attemptDelivery(
  delivery: OutgoingEvent,
  timeoutMs: number,
  nowMs: number,
): Promise<AttemptResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      redirect: "manual",
      signal: controller.signal,
      headers: {
        "content-type": "application/cloudevents+json; charset=utf-8",
        "user-agent": "objbatch-webhooks/1",
        ...signedHeaders(delivery.secret, delivery.eventId, Math.floor(nowMs / 1000), delivery.body),
      },
      body: delivery.body,
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { outcome: "ok", status: response.status };
    return { outcome: "http_error", status: response.status, error: `HTTP ${response.status}` };
  } catch (e) {
    if (controller.signal.aborted) return { outcome: "timeout", error: `no answer within ${timeoutMs} ms` };
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { outcome: "network", error: cause?.code ?? cause?.message ?? (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
