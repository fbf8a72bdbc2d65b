/**
 * The JSON of a job event as the SSE routes send it in `data:` (D34), and of the `reset` and `progress` events.
 * Documented in the OpenAPI document; the stream itself is text/event-stream.
 */
import { type Static, Type } from "typebox";
import { JOB_EVENT_TYPES } from "../../../domain/job-event.js";
import { JobStatusSchema, ProgressSchema } from "./job.js";

const closed = { additionalProperties: false } as const;

export const JobEventSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1, description: "The event's id, also its SSE `id:`; increasing." }),
    type: Type.Enum([...JOB_EVENT_TYPES], { description: "Also the SSE `event:` field." }),
    jobId: Type.String(),
    status: JobStatusSchema,
    time: Type.String({ format: "date-time" }),
    details: Type.Object(
      {
        from: Type.Optional(JobStatusSchema),
        to: Type.Optional(JobStatusSchema),
        reason: Type.Optional(Type.String()),
        pausedByUser: Type.Optional(Type.Boolean()),
        priority: Type.Optional(Type.Integer()),
        description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        tags: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Type.String() }, closed))),
        deletedBy: Type.Optional(Type.Enum(["user", "retention"])),
        percent: Type.Optional(
          Type.Integer({ minimum: 10, maximum: 100, description: "job.progress: the tenth of the tasks crossed." }),
        ),
        counts: Type.Optional(
          Type.Object(
            {
              total: Type.Union([Type.Integer(), Type.Null()]),
              succeeded: Type.Integer(),
              failed: Type.Integer(),
            },
            closed,
          ),
        ),
      },
      closed,
    ),
  },
  { ...closed, title: "JobEvent" },
);
export type JobEventJson = Static<typeof JobEventSchema>;

export const ProgressEventSchema = Type.Object(
  { jobId: Type.String(), status: JobStatusSchema, progress: ProgressSchema },
  { ...closed, title: "JobProgressEvent" },
);

export const EventsQuerySchema = Type.Object(
  {
    lastEventId: Type.Optional(
      Type.String({
        pattern: "^[0-9]{1,15}$",
        description: "Resume after this event id, for clients that cannot send the Last-Event-ID header.",
      }),
    ),
  },
  closed,
);

export const EVENT_STREAM_DESCRIPTION =
  "Server-Sent Events. Each durable event: `id:` its id, `event:` its type (job.created, job.status, ...), " +
  "`data:` a JobEvent. `event: progress` (no id), at least once a second while a job of the stream runs: " +
  '`{"jobId", "status", "progress"}` with the progress of GET /jobs/{jobId}. `event: reset` (with an id to go on ' +
  'from): `{"reason": "expired" | "unknown-id"}`, when the Last-Event-ID given is older than what is kept or was ' +
  "never issued: re-read the jobs, then carry on. Comments (`: heartbeat`) every 15 s keep idle proxies open.";
