/**
 * One reader's stream of job events (D34): one account's, or one of its jobs'. It joins the feed first, then
 * sends the stored events after the reader's last id up to the feed's cursor (read in pages, waiting for the
 * reader between pages), then the live events the feed hands out, dropping any at or below the last id sent:
 * no gap and no duplicate at the seam. A reader resuming from before what retention kept, or from an id the log
 * never reached (another store), gets a `reset` instead: the client re-reads its jobs and goes on from there.
 * While one of the stream's jobs runs, its progress is sent at least once a second (`progress`, not durable).
 */
import { isDomainError } from "../domain/errors.js";
import type { Job } from "../domain/job.js";
import type { JobEvent } from "../domain/job-event.js";
import type { JobStatus } from "../domain/status.js";
import type { EventLogBounds, JobStore } from "../store/job-store.js";
import type { JobEventFeed } from "./job-event-feed.js";
import type { JobProgress, JobServiceApi } from "./types.js";

/** What a stream sends: a durable event, a reset (with the id to go on from), a job's progress. */
export type EventStreamItem =
  | { readonly kind: "event"; readonly event: JobEvent }
  | { readonly kind: "reset"; readonly id: number; readonly reason: "expired" | "unknown-id" }
  | { readonly kind: "progress"; readonly job: Job; readonly progress: JobProgress };

/** Where a stream sends: a promise means "wait before sending more" (the reader is slow). */
export type EventSink = (item: EventStreamItem) => void | Promise<void>;

export interface EventStreamRequest {
  readonly accountId: string;
  /** One job's events; without it, every job of the account. */
  readonly jobId?: string;
  /** The last event id the reader has (Last-Event-ID): the stream goes on after it. */
  readonly after?: number;
}

export interface OpenEventStream {
  /**
   * Sends the catch-up (or a reset), then the live events, and the running jobs' progress every second; rejects
   * when the catch-up cannot be read (the stream should then end: the reader resumes with its last id).
   */
  start(): Promise<void>;
  close(): void;
}

export interface EventStreamParts {
  readonly store: Pick<JobStore, "readScopeEvents" | "readEventLogBounds">;
  readonly feed: JobEventFeed;
  readonly service: Pick<JobServiceApi, "describeJob" | "describeJobProgress" | "searchJobs">;
  /** How often the running jobs' progress is sent (default 1,000 ms). */
  readonly progressMs?: number;
}

/** The statuses in which a job's progress moves: it has chunks running. */
const RUNNING: ReadonlySet<JobStatus> = new Set(["Active", "Pausing"]);
const CATCH_UP_PAGE = 500;
/** The most running jobs of an account whose progress one stream sends. */
const MAX_PROGRESS_JOBS = 50;

/**
 * Opens the stream: joins the feed and reads where the log stands, sending nothing yet (start() does); a job
 * that is not the account's is NoSuchJob, and an unavailable store a StoreUnavailableError, before anything is
 * sent. Close it when the reader goes away.
 */
export async function openEventStream(
  parts: EventStreamParts,
  request: EventStreamRequest,
  sink: EventSink,
): Promise<OpenEventStream> {
  const { accountId, jobId } = request;
  /** The stream's jobs that run now: read once the feed is joined, then kept by the live events. */
  const running = new Set<string>();
  let closed = false;
  let lastSent = 0;
  let buffered: JobEvent[] | undefined = [];
  const mine = (e: JobEvent) => e.accountId === accountId && (jobId === undefined || e.jobId === jobId);
  const send = (event: JobEvent) => {
    if (closed || event.id <= lastSent) return;
    lastSent = event.id;
    if (event.type === "job.status" && event.payload.to !== undefined) {
      if (RUNNING.has(event.payload.to)) running.add(event.jobId);
      else running.delete(event.jobId);
    }
    if (event.type === "job.deleted") running.delete(event.jobId);
    void sink({ kind: "event", event });
  };
  const subscription = await parts.feed.subscribe((events) => {
    for (const e of events) {
      if (!mine(e)) continue;
      if (buffered) buffered.push(e);
      else send(e);
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    closed = true;
    subscription.unsubscribe();
    if (timer) clearInterval(timer);
  };
  let bounds: EventLogBounds;
  try {
    // Read after joining the feed: whatever moved before the cursor is in this read, whatever moves after it
    // comes as a live event and keeps the set.
    if (jobId !== undefined) {
      const job = await parts.service.describeJob(accountId, jobId);
      if (RUNNING.has(job.status)) running.add(jobId);
    } else {
      const page = await parts.service.searchJobs(accountId, { statuses: [...RUNNING], limit: MAX_PROGRESS_JOBS });
      for (const job of page.jobs) running.add(job.jobId);
    }
    bounds = await parts.store.readEventLogBounds();
  } catch (e) {
    close();
    throw e;
  }
  const cursor = subscription.cursor;

  const catchUp = async () => {
    const after = request.after ?? (jobId !== undefined ? 0 : cursor);
    if (request.after !== undefined && (after < bounds.purgedThrough || after > bounds.latest)) {
      lastSent = cursor;
      await sink({ kind: "reset", id: cursor, reason: after > bounds.latest ? "unknown-id" : "expired" });
    } else {
      lastSent = after;
      for (let from = after; from < cursor && !closed; ) {
        const page = await parts.store.readScopeEvents({ accountId, jobId }, from, cursor, CATCH_UP_PAGE);
        for (const e of page) {
          if (e.id <= lastSent || closed) continue;
          lastSent = e.id;
          await sink({ kind: "event", event: e });
        }
        from = page.length === CATCH_UP_PAGE ? page[page.length - 1].id : cursor;
      }
      // The catch-up went through the cursor (or the reader is already past it: another server's feed is ahead).
      lastSent = Math.max(after, cursor);
    }
    const waiting = buffered ?? [];
    buffered = undefined;
    for (const e of waiting) send(e);
  };

  const sendProgress = async () => {
    for (const id of [...running].slice(0, MAX_PROGRESS_JOBS)) {
      if (closed) return;
      try {
        const { job, progress } = await parts.service.describeJobProgress(accountId, id);
        // A job read as no longer running has a job.status event on its way that says so (and takes it out of the
        // set): a progress event must not tell a reader the job ended before that event does.
        if (!closed && RUNNING.has(job.status)) void sink({ kind: "progress", job, progress });
      } catch (e) {
        // Gone (deleted) or the store is down this second: nothing to show now.
        if (isDomainError(e) && e.kind === "NoSuchJob") running.delete(id);
      }
    }
  };

  return {
    async start() {
      await catchUp();
      if (closed) return;
      let inFlight = false;
      timer = setInterval(() => {
        if (inFlight || running.size === 0) return;
        inFlight = true;
        void sendProgress().finally(() => {
          inFlight = false;
        });
      }, parts.progressMs ?? 1_000);
    },
    close,
  };
}
