/**
 * Job events (D34): what changed about a job, in the order the store recorded it. Written in the transaction
 * of each change (store/events/record-events.ts), streamed by the JSON API as Server-Sent Events, and the event
 * types webhooks will notify. Each has a durable, increasing id; `status` is the job's status after the change.
 */
import type { JobStatus } from "./status.js";

/**
 * - `job.created`: the job was accepted (status New).
 * - `job.status`: its status moved (`from` -> `to`); every move of the transition table, engine's or user's.
 * - `job.confirmed`: confirmed while still Preparing (OSS); it goes to Ready instead of Suspended.
 * - `job.user_paused`, `job.user_resumed`: a user held a Pausing or Paused job where it stands, or let it go
 *   (D31); a user's pause of an Active or Ready job is a `job.status` with `pausedByUser` true.
 * - `job.priority`, `job.description`, `job.tags`: those were changed.
 * - `job.deleted`: the job was deleted (a user's DeleteJob, or retention); its earlier events went with it.
 * - `job.progress`: the job's recorded tasks (succeeded + failed) crossed a tenth of its total (`percent` 10, 20,
 *   ... 100), written in the transaction that records the chunk that crossed it (D42), so each milestone is
 *   written exactly once, whatever crashes.
 */
export const JOB_EVENT_TYPES = [
  "job.created",
  "job.status",
  "job.confirmed",
  "job.user_paused",
  "job.user_resumed",
  "job.priority",
  "job.description",
  "job.tags",
  "job.deleted",
  "job.progress",
] as const;

export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** The job's recorded task counts when the event was written (total null until the manifest is counted). */
export interface JobEventCounts {
  readonly total: number | null;
  readonly succeeded: number;
  readonly failed: number;
}

/** What an event says besides its type and status: small, and only what the type has to tell. */
export interface JobEventPayload {
  readonly from?: JobStatus;
  readonly to?: JobStatus;
  readonly reason?: string;
  readonly pausedByUser?: boolean;
  readonly priority?: number;
  readonly description?: string | null;
  readonly tags?: readonly { readonly key: string; readonly value: string }[];
  /** `job.deleted`: a user's delete, or retention's purge. */
  readonly deletedBy?: "user" | "retention";
  /** `job.progress`: the milestone crossed, a multiple of 10. */
  readonly percent?: number;
  readonly counts?: JobEventCounts;
}

export interface JobEvent {
  readonly id: number;
  readonly accountId: string;
  readonly jobId: string;
  readonly type: JobEventType;
  readonly status: JobStatus;
  readonly payload: JobEventPayload;
  readonly time: Date;
}

/** An event about to be written: everything but the id the store gives it. */
export type NewJobEvent = Omit<JobEvent, "id" | "time"> & { readonly time: number };
