/**
 * The event feed (D34): one poller per process tails the job events table (every account's events, in id
 * order, a bounded batch a few times a second) and hands each batch to every listener in memory, so a thousand
 * open streams cost one query, and every process reading one PostgreSQL store sees every event, whoever wrote
 * it. It polls only while someone listens. A store outage is waited out with growing pauses (logged once when it
 * starts and once when it ends), never a crash; the listeners simply get the events late. Ids commit in order
 * (store/events/record-events.ts), so tailing `id > cursor` misses none.
 */
import type { Logger } from "pino";
import type { JobEvent } from "../domain/job-event.js";
import { isStoreUnavailable } from "../store/errors.js";
import type { JobStore } from "../store/job-store.js";

export type EventListener = (events: readonly JobEvent[]) => void;

export interface FeedSubscription {
  /** Every event with an id up to this one was handed out before the listener joined; every later one goes to it. */
  readonly cursor: number;
  unsubscribe(): void;
}

export interface JobEventFeedOptions {
  readonly store: Pick<JobStore, "readEventsAfter" | "readEventLogBounds">;
  readonly log?: Logger;
  /** Pause between polls that found less than a full batch (default 250 ms). */
  readonly intervalMs?: number;
  /** Events read per poll (default 500). */
  readonly batch?: number;
  /** Longest pause between polls while the store fails (default 5 s). */
  readonly maxBackoffMs?: number;
}

export class JobEventFeed {
  private readonly listeners = new Set<EventListener>();
  /** The last id handed out; undefined while nobody listens. */
  private cursor: number | undefined;
  private starting: Promise<number> | undefined;
  private polling = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private failures = 0;

  constructor(private readonly options: JobEventFeedOptions) {}

  /** Adds a listener; rejects (a StoreUnavailableError, say) when the log's end cannot be read to start from. */
  async subscribe(listener: EventListener): Promise<FeedSubscription> {
    if (this.cursor === undefined) {
      this.starting ??= this.options.store
        .readEventLogBounds()
        .then((bounds) => bounds.latest)
        .finally(() => {
          this.starting = undefined;
        });
      const latest = await this.starting;
      if (this.cursor === undefined) this.cursor = latest;
    }
    if (this.closed) throw new Error("the event feed is closed");
    // From here to the return nothing awaits: no batch can be handed out between reading the cursor and joining.
    this.listeners.add(listener);
    if (!this.polling) void this.poll();
    return {
      cursor: this.cursor,
      unsubscribe: () => {
        this.listeners.delete(listener);
      },
    };
  }

  /** How many listen now (an open stream is one). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Stops polling; listeners get nothing more. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.wake?.();
  }

  /** Wakes the poller now (a change was written in this process): a poll sooner, nothing more. */
  nudge(): void {
    this.wake?.();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    const { store, batch = 500, intervalMs = 250, maxBackoffMs = 5_000, log } = this.options;
    while (!this.closed && this.listeners.size > 0 && this.cursor !== undefined) {
      let full = false;
      try {
        const events = await store.readEventsAfter(this.cursor, batch);
        if (this.failures > 0) {
          log?.info({ failedPolls: this.failures }, "job event feed: store available again");
          this.failures = 0;
        }
        if (events.length > 0 && this.cursor !== undefined) {
          this.cursor = events[events.length - 1].id;
          for (const listener of [...this.listeners]) {
            try {
              listener(events);
            } catch (e) {
              log?.error({ err: e }, "job event listener failed");
            }
          }
        }
        full = events.length === batch;
      } catch (e) {
        this.failures++;
        if (this.failures === 1) {
          if (isStoreUnavailable(e)) log?.warn({ err: e.cause ?? e }, "job event feed: store unavailable; retrying");
          else log?.error({ err: e }, "job event feed: reading events failed; retrying");
        }
      }
      if (full) continue;
      const pause =
        this.failures > 0 ? Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(this.failures, 10)) : intervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pause);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
    // Nobody listens: forget where the log was, so the next listener starts from its end, not from here.
    this.polling = false;
    if (this.listeners.size === 0) this.cursor = undefined;
    else if (!this.closed) void this.poll();
  }
}
