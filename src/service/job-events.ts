/**
 * The job events a front-end may stream (D34): one feed per process (job-event-feed.ts) shared by every open
 * stream (job-event-stream.ts). The JSON API's SSE routes open streams through this; webhooks will listen to the
 * same feed.
 */
import type { Logger } from "pino";
import type { JobStore } from "../store/job-store.js";
import { JobEventFeed } from "./job-event-feed.js";
import { type EventSink, type EventStreamRequest, type OpenEventStream, openEventStream } from "./job-event-stream.js";
import type { JobServiceApi } from "./types.js";

export type { EventSink, EventStreamItem, EventStreamRequest, OpenEventStream } from "./job-event-stream.js";

export interface JobEventsApi {
  /**
   * Opens a stream of the account's (or one job's) events, sending the catch-up after `request.after` first;
   * NoSuchJob before anything is sent when the job is not the account's.
   */
  open(request: EventStreamRequest, sink: EventSink): Promise<OpenEventStream>;
}

export interface JobEventsOptions {
  readonly store: JobStore;
  readonly service: Pick<JobServiceApi, "describeJob" | "describeJobProgress" | "searchJobs">;
  readonly log?: Logger;
  /** The feed's pause between polls (default 250 ms). */
  readonly pollMs?: number;
  /** How often running jobs' progress is sent (default 1,000 ms). */
  readonly progressMs?: number;
}

export class JobEvents implements JobEventsApi {
  readonly feed: JobEventFeed;

  constructor(private readonly options: JobEventsOptions) {
    this.feed = new JobEventFeed({ store: options.store, log: options.log, intervalMs: options.pollMs });
  }

  open(request: EventStreamRequest, sink: EventSink): Promise<OpenEventStream> {
    const { store, service, progressMs } = this.options;
    return openEventStream({ store, feed: this.feed, service, progressMs }, request, sink);
  }

  close(): void {
    this.feed.close();
  }
}
