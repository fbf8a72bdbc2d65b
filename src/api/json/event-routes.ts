/**
 * Job events as Server-Sent Events (D34):
 *
 *   GET /events                  every job of the signing account
 *   GET /jobs/{jobId}/events     one job (from its first event, unless resumed)
 *
 * `Last-Event-ID` (or `?lastEventId=` for clients that cannot set headers; the header wins) resumes after that
 * id: first the stored events after it, then live ones, with no gap or duplicate. Without it, a job's stream
 * starts from the job's first event and the account's from now. While a job of the stream runs, a `progress`
 * event (no id) at least once a second; a `: heartbeat` comment every 15 s. A reader resuming from before what
 * is kept gets `event: reset`. An unknown or foreign job is 404 before the stream starts; a store that is down,
 * 503. The stream ends when the client goes away or the server closes (every open stream is ended first).
 */
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { JobEvent } from "../../domain/job-event.js";
import type { EventStreamItem, JobEventsApi } from "../../service/job-events.js";
import type { QueryParam } from "../auth/request-target.js";
import { jobIdOf } from "./job-routes.js";
import { jobView } from "./job-view.js";
import { ProblemError, validationProblem } from "./problems.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute, RouteAnswer } from "./route.js";
import { EVENT_STREAM_DESCRIPTION, EventsQuerySchema, type JobEventJson } from "./schemas/events.js";
import { type SseOptions, SseStream } from "./sse-stream.js";
import { checked } from "./validation.js";

/** The open streams, so that closing the server can end them (an open response would hold the close forever). */
export class OpenStreams {
  private readonly streams = new Set<SseStream>();
  private closing = false;

  /** Keeps the stream until it ends; one opened once the server is closing is ended at once. */
  add(stream: SseStream): void {
    if (this.closing) {
      stream.end();
      return;
    }
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
  }

  get size(): number {
    return this.streams.size;
  }

  endAll(): void {
    this.closing = true;
    for (const stream of [...this.streams]) stream.end();
  }
}

export function eventRoutes(events: JobEventsApi | undefined, open: OpenStreams, sse: SseOptions = {}): JsonRoute[] {
  const stream = async (request: FastifyRequest, query: readonly QueryParam[], accountId: string, jobId?: string) => {
    if (events === undefined) {
      throw new ProblemError(501, "not-implemented", "Not implemented", "This server streams no job events.");
    }
    const after = lastEventIdOf(request, query);
    const body = new SseStream(sse);
    const opened = await events
      .open({ accountId, jobId, after }, (item) => sendItem(body, item))
      .catch((e) => {
        body.end();
        throw e;
      });
    open.add(body);
    body.onClose(() => opened.close());
    // Started once the handler has answered (the body is piped only then): the catch-up waits for the reader.
    setImmediate(() => {
      opened.start().catch((e) => {
        request.log.warn({ err: e }, "job event stream ended: its catch-up could not be read");
        body.end();
      });
    });
    return {
      status: 200,
      stream: { body: body.body, contentType: "text/event-stream; charset=utf-8" },
      headers: { "cache-control": "no-cache", "x-accel-buffering": "no" },
    } satisfies RouteAnswer;
  };
  const responses = {
    200: {
      description: EVENT_STREAM_DESCRIPTION,
      contentType: "text/event-stream",
      schema: Type.String({ description: "`id:`, `event:` and `data:` lines; data is JSON (JobEvent)." }),
    },
  };
  return [
    {
      method: "GET",
      path: "/events",
      operationId: "streamAccountEvents",
      summary: "Stream the events of every job of the account (Server-Sent Events)",
      description: "Resumable with the Last-Event-ID header or `lastEventId`; without either, from now on.",
      authenticated: true,
      query: EventsQuerySchema,
      responses,
      problems: [501],
      handler: async ({ request, query, account }) => stream(request, query, account.id),
    },
    {
      method: "GET",
      path: "/jobs/:jobId/events",
      operationId: "streamJobEvents",
      summary: "Stream a job's events and progress (Server-Sent Events)",
      description:
        "From the job's first event, or after the Last-Event-ID header (or `lastEventId`). 404 before the " +
        "stream starts when the job is not the account's.",
      authenticated: true,
      query: EventsQuerySchema,
      responses,
      problems: [501],
      handler: async ({ request, query, account, params }) => stream(request, query, account.id, jobIdOf(params)),
    },
  ];
}

/** Writes one item of the stream as SSE. */
function sendItem(body: SseStream, item: EventStreamItem): Promise<void> {
  switch (item.kind) {
    case "event":
      return body.send({ id: item.event.id, event: item.event.type, data: eventJson(item.event) });
    case "reset":
      return body.send({ id: item.id, event: "reset", data: { reason: item.reason } });
    case "progress":
      return body.send({
        event: "progress",
        data: { jobId: item.job.jobId, status: item.job.status, progress: jobView(item.job, item.progress).progress },
      });
  }
}

export function eventJson(event: JobEvent): JobEventJson {
  return {
    id: event.id,
    type: event.type,
    jobId: event.jobId,
    status: event.status,
    time: event.time.toISOString(),
    details: { ...event.payload } as JobEventJson["details"],
  };
}

/** Last-Event-ID, else ?lastEventId=: a decimal id; anything else is a 400 problem. */
function lastEventIdOf(request: FastifyRequest, query: readonly QueryParam[]): number | undefined {
  const fromQuery = checked(EventsQuerySchema, queryObject(query), "query").lastEventId;
  const header = request.headers["last-event-id"];
  if (header !== undefined) {
    const value = (Array.isArray(header) ? header[0] : header).trim();
    if (!/^[0-9]{1,15}$/.test(value)) {
      throw validationProblem("The Last-Event-ID header must be an event id this API sent (a decimal number).", [
        { pointer: "Last-Event-ID", detail: "not a decimal event id" },
      ]);
    }
    return Number(value);
  }
  return fromQuery === undefined ? undefined : Number(fromQuery);
}
