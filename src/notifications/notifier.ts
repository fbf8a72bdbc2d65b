/**
 * The webhook notifier of one server (D42): every `pollIntervalMs` (or at once when woken) it hands out new job
 * events (fan-out.ts) and then delivers what is due: it claims rows for a lease (several servers on one
 * PostgreSQL never claim the same row, and a row is due only after its job's earlier rows are done), sends them
 * in parallel (one per webhook and job at a time, so in order per job), and records each attempt: delivered,
 * tried again after a backoff with jitter, or given up once the next try would come after the delivery's
 * `give_up_at` (created + retryForMs). The destination is checked against the allow-list again before each
 * attempt; a refused or vanished webhook's delivery is given up. A server that dies mid-attempt leaves its lease
 * to run out; another server (or the same one restarted) sends the row again: delivery is at least once.
 * Delivered and given-up rows are purged after DELIVERY_RETENTION_MS (7 days), at most hourly.
 * `tick()` runs one pass (tests drive it with an injected clock); store outages are logged and waited out.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { WebhookMeter } from "../metrics/webhook-meter.js";
import type { JobStore } from "../store/job-store.js";
import type { ClaimedDelivery, StoreWebhooks } from "../store/webhooks/store-webhooks.js";
import { AllowedHosts } from "./allowed-hosts.js";
import { backoffDelay } from "./backoff.js";
import { type AttemptResult, attemptDelivery } from "./deliverer.js";
import { FAN_OUT_BATCH, fanOutBatch } from "./fan-out.js";
import type { NotificationPolicy } from "./notification-policy.js";
import type { SigningWebhook } from "./types.js";

export interface NotifierDeps {
  readonly jobs: Pick<JobStore, "readEventsAfter" | "getJob" | "readFailureCauses">;
  readonly webhooks: StoreWebhooks;
  readonly policy: NotificationPolicy;
  readonly now: () => number;
  readonly log: Logger;
  readonly meter?: WebhookMeter;
  readonly random?: () => number;
  /** Rows claimed per pass (default 32). */
  readonly claimLimit?: number;
}

/** Passes of fan-out and of claims per tick at most, so one tick stays bounded. */
const MAX_ROUNDS = 50;
/**
 * The shortest time from one pass's start to the next that a wake asks for: a burst of job changes (CreateJobs
 * wake the notifier, each) costs a pass every MIN_WAKE_GAP_MS at most, not one after another while the burst
 * lasts (D48). Real, monotonic time: it paces real timers, so an injected clock does not stall it.
 */
const MIN_WAKE_GAP_MS = 200;
/** Delivered and given-up deliveries are kept this long (as job events are by default), then purged. */
export const DELIVERY_RETENTION_MS = 7 * 86_400_000;
/** How often (by the notifier's clock) finished deliveries are purged, a bounded batch at a time. */
const PURGE_EVERY_MS = 3_600_000;
const PURGE_BATCH = 1000;

export class WebhookNotifier {
  /** This notifier's lease owner name. */
  readonly owner = `n-${randomUUID()}`;
  private readonly allowed: AllowedHosts;
  private readonly configHooks: ReadonlyMap<string, SigningWebhook>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;
  private loggedOutage = false;
  private purgedAt = Number.NEGATIVE_INFINITY;
  /** performance.now() when the last pass started. */
  private passStarted = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: NotifierDeps) {
    this.allowed = new AllowedHosts(deps.policy.allowedHosts);
    this.configHooks = new Map(deps.policy.webhooks.map((w) => [w.id, w]));
  }

  private get leaseMs() {
    return this.deps.policy.timeoutMs * 2 + 10_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks soon (something was written): at once, or MIN_WAKE_GAP_MS after the last pass started. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(this.wakeGap());
  }

  private wakeGap(): number {
    return Math.max(0, MIN_WAKE_GAP_MS - (performance.now() - this.passStarted));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.passStarted = performance.now();
      this.running = this.tick()
        .then(
          () => {
            this.loggedOutage = false;
          },
          (err) => {
            if (!this.loggedOutage) this.deps.log.warn({ err }, "webhook notifier pass failed; trying again");
            this.loggedOutage = true;
          },
        )
        .finally(() => {
          this.running = undefined;
          if (this.stopped) return;
          const woken = this.again;
          this.again = false;
          this.schedule(woken ? this.wakeGap() : this.deps.policy.pollIntervalMs);
        });
    }, ms);
    this.timer.unref?.();
  }

  /** One pass: hand out new events, then deliver what is due. Returns the attempts made. */
  async tick(): Promise<number> {
    for (let i = 0; i < MAX_ROUNDS; i++) {
      const moved = await fanOutBatch({
        jobs: this.deps.jobs,
        webhooks: this.deps.webhooks,
        configWebhooks: this.deps.policy.webhooks,
        retryForMs: this.deps.policy.retryForMs,
        source: this.deps.policy.source,
        now: this.deps.now,
      });
      // Less than a full batch: it has caught up; what is written from now on wakes the next pass.
      if (moved < FAN_OUT_BATCH) break;
    }
    let attempts = 0;
    for (let i = 0; i < MAX_ROUNDS; i++) {
      const claimed = await this.deps.webhooks.claim(
        this.owner,
        this.deps.now(),
        this.leaseMs,
        this.deps.claimLimit ?? 32,
      );
      if (claimed.length === 0) break;
      await Promise.all(claimed.map((d) => this.deliver(d)));
      attempts += claimed.length;
    }
    await this.purgeOld();
    return attempts;
  }

  /** At most hourly: finished deliveries older than DELIVERY_RETENTION_MS go, so the outbox does not grow forever. */
  private async purgeOld(): Promise<void> {
    const now = this.deps.now();
    if (now - this.purgedAt < PURGE_EVERY_MS) return;
    this.purgedAt = now;
    await this.deps.webhooks.purgeFinished(now - DELIVERY_RETENTION_MS, PURGE_BATCH);
  }

  private async hookOf(d: ClaimedDelivery): Promise<SigningWebhook | undefined> {
    return this.configHooks.get(d.webhookId) ?? (await this.deps.webhooks.get(d.accountId, d.webhookId));
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const hook = await this.hookOf(d);
    const refusal = hook === undefined ? "the webhook is no longer configured" : this.allowed.refusal(hook.url);
    if (hook === undefined || refusal !== undefined) {
      await this.giveUp(d, { outcome: "network", error: `not sent: ${refusal}` });
      return;
    }
    const result = await attemptDelivery(
      { url: hook.url, secret: hook.secret, eventId: d.eventId, body: d.body },
      this.deps.policy.timeoutMs,
      this.deps.now(),
    );
    this.deps.meter?.attempted(result.outcome);
    const now = this.deps.now();
    if (result.outcome === "ok") {
      await this.deps.webhooks.recordAttempt(d.id, this.owner, {
        state: "delivered",
        status: result.status ?? null,
        error: null,
        nextAttemptAt: now,
        now,
      });
      return;
    }
    const next =
      now +
      backoffDelay(
        { baseMs: this.deps.policy.backoffBaseMs, maxMs: this.deps.policy.backoffMaxMs },
        d.attempts + 1,
        this.deps.random,
      );
    if (next > d.giveUpAt) {
      await this.giveUp(d, result);
      return;
    }
    await this.deps.webhooks.recordAttempt(d.id, this.owner, {
      state: "pending",
      status: result.status ?? null,
      error: result.error ?? null,
      nextAttemptAt: next,
      now,
    });
  }

  private async giveUp(d: ClaimedDelivery, result: AttemptResult): Promise<void> {
    const now = this.deps.now();
    const recorded = await this.deps.webhooks.recordAttempt(d.id, this.owner, {
      state: "gave_up",
      status: result.status ?? null,
      error: result.error ?? null,
      nextAttemptAt: now,
      now,
    });
    if (recorded) {
      this.deps.meter?.gaveUp();
      this.deps.log.warn({ webhook: d.webhookId, event: d.eventId, job: d.jobId }, "webhook delivery given up");
    }
  }
}
