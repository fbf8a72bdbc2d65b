/**
 * The fan-out (D42): job events after the outbox's cursor, in id order, become delivery rows, one per webhook
 * that wants them: the webhook's account, one of its event types, every tag of its filter on the job (read when
 * the batch is handed out; a deleted job has none), and an event written after the webhook was created. The rows
 * and the cursor's move are one transaction (store/webhooks/webhook-outbox.ts); a server that loses the race for
 * a batch writes nothing and reads on from the new cursor. Each row holds the CloudEvent as it will be sent, so
 * every attempt sends the same bytes.
 */
import type { Job, Tag } from "../domain/job.js";
import type { JobEvent } from "../domain/job-event.js";
import type { JobStore } from "../store/job-store.js";
import type { NewDelivery, StoreWebhooks } from "../store/webhooks/store-webhooks.js";
import { type CloudEvent, cloudEventOf, endsJob, finishedEventOf } from "./cloud-events.js";
import type { SigningWebhook } from "./types.js";

export interface FanOutDeps {
  readonly jobs: Pick<JobStore, "readEventsAfter" | "getJob" | "readFailureCauses">;
  readonly webhooks: Pick<StoreWebhooks, "cursor" | "ofAccounts" | "writeDeliveries" | "passEventsWithoutWebhooks">;
  /** The operator's webhooks (config file). */
  readonly configWebhooks: readonly SigningWebhook[];
  readonly retryForMs: number;
  readonly source: string;
  readonly now: () => number;
}

export const FAN_OUT_BATCH = 200;

/** Hands out one batch; how many events it moved past (0: none new, or another server took the batch). */
export async function fanOutBatch(deps: FanOutDeps, batch = FAN_OUT_BATCH): Promise<number> {
  // With no webhook anywhere, a pass is one statement that moves the cursor past every event, instead of reading
  // them 200 at a time (in a burst of CreateJobs, that was a third of the API server's statements).
  if (deps.configWebhooks.length === 0 && (await deps.webhooks.passEventsWithoutWebhooks())) return 0;
  const from = await deps.webhooks.cursor();
  const events = await deps.jobs.readEventsAfter(from, batch);
  if (events.length === 0) return 0;
  const accounts = [...new Set(events.map((e) => e.accountId))];
  const hooks = [
    ...deps.configWebhooks.filter((w) => accounts.includes(w.accountId)),
    ...(await deps.webhooks.ofAccounts(accounts)),
  ];
  const now = deps.now();
  const jobs = new Map<string, Promise<Job | undefined>>();
  const jobOf = (jobId: string) => {
    let job = jobs.get(jobId);
    if (job === undefined) {
      job = deps.jobs.getJob(jobId, now);
      jobs.set(jobId, job);
    }
    return job;
  };
  const rows: NewDelivery[] = [];
  for (const event of events) {
    const wanting = hooks.filter((h) => h.accountId === event.accountId && event.time >= h.createdAt);
    if (wanting.length === 0) continue;
    const cloudEvents = await cloudEventsOf(event, deps, jobOf);
    const job = wanting.some((h) => h.tags.length > 0) ? await jobOf(event.jobId) : undefined;
    for (const hook of wanting) {
      if (!carriesAll(job?.tags ?? [], hook.tags)) continue;
      for (const ce of cloudEvents) {
        if (!hook.events.includes(ce.type as never)) continue;
        rows.push({
          webhook_id: hook.id,
          account_id: event.accountId,
          job_id: event.jobId,
          event_id: ce.id,
          event_type: ce.type,
          body: JSON.stringify(ce),
          next_attempt_at: now,
          give_up_at: now + deps.retryForMs,
          created_at: now,
        });
      }
    }
  }
  const to = events[events.length - 1].id;
  return (await deps.webhooks.writeDeliveries(from, to, rows)) ? events.length : 0;
}

async function cloudEventsOf(
  event: JobEvent,
  deps: FanOutDeps,
  jobOf: (jobId: string) => Promise<Job | undefined>,
): Promise<CloudEvent[]> {
  const base = cloudEventOf(event, deps.source);
  if (!endsJob(event)) return [base];
  const [job, causes] = await Promise.all([jobOf(event.jobId), deps.jobs.readFailureCauses(event.jobId)]);
  return [base, finishedEventOf(event, deps.source, { job, causes })];
}

function carriesAll(tags: readonly Tag[], wanted: readonly Tag[]): boolean {
  return wanted.every((w) => tags.some((t) => t.key === w.key && t.value === w.value));
}
