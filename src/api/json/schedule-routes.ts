/**
 * Schedules: recurring jobs of the signing account (D43), over the ScheduleService:
 *
 *   GET    /schedules                      the account's schedules, oldest first, with a cursor
 *   POST   /schedules                      create (201): a cron expression in a time zone and a job template
 *   GET    /schedules/{scheduleId}         one schedule, its next due time and its last run
 *   POST   /schedules/{scheduleId}/pause   no run until resumed
 *   POST   /schedules/{scheduleId}/resume  runs again from its first due time after now
 *   DELETE /schedules/{scheduleId}         no run again; the jobs it made stay
 *   GET    /schedules/{scheduleId}/jobs    its runs, latest due time first: each one's job, or why none
 *
 * A template is refused with the problems POST /jobs would give its job (under `/job`, schedule-template.ts),
 * checked with its relative dates resolved at the time of the request. Another account's schedule answers
 * exactly like a missing one (404 no-such-schedule).
 */
import type { Schedule } from "../../domain/schedule.js";
import { cronProblem } from "../../schedules/cron.js";
import type { ScheduleService } from "../../schedules/schedule-service.js";
import type { ScheduleCursor, ScheduleRunWithJob } from "../../store/schedules/store-schedules.js";
import { ProblemError, validationProblem } from "./problems.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute } from "./route.js";
import { checkScheduleTemplate } from "./schedule-template.js";
import {
  type CreateScheduleRequestJson,
  CreateScheduleRequestSchema,
  PageQuerySchema,
  ScheduleIdParamSchema,
  type ScheduleJson,
  SchedulePageSchema,
  ScheduleRunPageSchema,
  ScheduleSchema,
} from "./schemas/schedule.js";
import { checked } from "./validation.js";

export const DEFAULT_SCHEDULE_PAGE = 100;

const SCHEDULE = { description: "The schedule.", schema: ScheduleSchema };
const PARAMS = { scheduleId: ScheduleIdParamSchema };
const NOT_FOUND = { 404: "No such schedule (another account's schedule answers the same), or no such route." };

export function scheduleRoutes(service: ScheduleService | undefined, now: () => number = Date.now): JsonRoute[] {
  const notServed = new ProblemError(
    501,
    "not-implemented",
    "Not implemented",
    "This server has no schedules (it was started without them).",
  );
  // Every route is declared (and documented) either way; without the service each answers 501.
  const schedules = (): ScheduleService => {
    if (!service) throw notServed;
    return service;
  };
  /** A route that reads or changes one schedule and answers it. */
  const oneSchedule = (
    method: "GET" | "POST",
    suffix: string,
    operationId: string,
    summary: string,
    act: "get" | "pause" | "resume",
  ): JsonRoute => ({
    method,
    path: `/schedules/:scheduleId${suffix}`,
    operationId,
    summary,
    authenticated: true,
    params: PARAMS,
    responses: { 200: SCHEDULE },
    problemNotes: NOT_FOUND,
    handler: async ({ account, params }) => ({
      status: 200,
      body: scheduleView(await schedules()[act](account.id, scheduleIdOf(params))),
    }),
  });
  return [
    {
      method: "GET",
      path: "/schedules",
      operationId: "listSchedules",
      summary: "List the account's schedules, oldest first",
      authenticated: true,
      query: PageQuerySchema,
      responses: { 200: { description: "A page of schedules.", schema: SchedulePageSchema } },
      handler: async ({ account, query }) => {
        const parsed = checked(PageQuerySchema, queryObject(query, ["limit"]), "query");
        const after = parsed.cursor === undefined ? undefined : decodeScheduleCursor(parsed.cursor);
        const page = await schedules().list(account.id, parsed.limit ?? DEFAULT_SCHEDULE_PAGE, after);
        return {
          status: 200,
          body: {
            schedules: page.schedules.map(scheduleView),
            nextCursor: page.next === undefined ? null : encodeScheduleCursor(page.next),
          },
        };
      },
    },
    {
      method: "POST",
      path: "/schedules",
      operationId: "createSchedule",
      summary: "Create a schedule: a job template run on a cron expression in a time zone",
      description:
        "Each due time creates one job, whichever servers run the schedulers and however often they restart: " +
        "its clientRequestToken is `schedule:<scheduleId>:<due time in ms>`. The template's manifest generator " +
        "filter may give `createdBeforeRelative` / `createdAfterRelative` (ISO-8601 durations), resolved against " +
        "each run's due time. The template is checked as POST /jobs checks a job (problems under `/job`).",
      authenticated: true,
      body: CreateScheduleRequestSchema,
      responses: { 201: { description: "The new schedule.", schema: ScheduleSchema } },
      problems: [429],
      problemNotes: { 429: "The account has as many schedules as it may (config schedules.maxPerAccount)." },
      handler: async ({ account, body }) => {
        const request = body as CreateScheduleRequestJson;
        const timeZone = request.timeZone ?? "UTC";
        const problem = cronProblem({ cron: request.cron, timeZone });
        if (problem) {
          throw validationProblem("The schedule is not valid: 1 problem(s).", [
            { pointer: `/${problem.field}`, detail: problem.detail },
          ]);
        }
        const template = request.job as Record<string, unknown>;
        checkScheduleTemplate(template, account.id, now());
        const schedule = await schedules().create(account.id, {
          ...(request.description !== undefined ? { description: request.description } : {}),
          cron: request.cron,
          timeZone,
          catchUp: request.catchUp ?? "latest",
          paused: request.paused ?? false,
          template,
        });
        return {
          status: 201,
          body: scheduleView(schedule),
          headers: { location: `/api/v1/schedules/${schedule.scheduleId}` },
        };
      },
    },
    oneSchedule("GET", "", "getSchedule", "A schedule, its next due time and its last run", "get"),
    oneSchedule(
      "POST",
      "/pause",
      "pauseSchedule",
      "Pause a schedule: no run until it is resumed (a run already under way finishes)",
      "pause",
    ),
    oneSchedule(
      "POST",
      "/resume",
      "resumeSchedule",
      "Resume a paused schedule from its first due time after now (times passed while paused never run)",
      "resume",
    ),
    {
      method: "DELETE",
      path: "/schedules/:scheduleId",
      operationId: "deleteSchedule",
      summary: "Delete a schedule and its runs' records; the jobs it made stay",
      authenticated: true,
      params: PARAMS,
      responses: { 204: { description: "The schedule is gone." } },
      problemNotes: NOT_FOUND,
      handler: async ({ account, params }) => {
        await schedules().delete(account.id, scheduleIdOf(params));
        return { status: 204 };
      },
    },
    {
      method: "GET",
      path: "/schedules/:scheduleId/jobs",
      operationId: "listScheduleJobs",
      summary: "The schedule's runs, latest due time first: the job each made (and its status now), or why none",
      authenticated: true,
      params: PARAMS,
      query: PageQuerySchema,
      responses: { 200: { description: "A page of the schedule's runs.", schema: ScheduleRunPageSchema } },
      problemNotes: NOT_FOUND,
      handler: async ({ account, params, query }) => {
        const parsed = checked(PageQuerySchema, queryObject(query, ["limit"]), "query");
        const before = parsed.cursor === undefined ? undefined : decodeRunCursor(parsed.cursor);
        const page = await schedules().runs(
          account.id,
          scheduleIdOf(params),
          parsed.limit ?? DEFAULT_SCHEDULE_PAGE,
          before,
        );
        return {
          status: 200,
          body: {
            runs: page.runs.map(runView),
            nextCursor: page.next === undefined ? null : String(page.next),
          },
        };
      },
    },
  ];
}

export function scheduleView(s: Schedule): ScheduleJson {
  return {
    scheduleId: s.scheduleId,
    ...(s.description !== undefined ? { description: s.description } : {}),
    cron: s.cron,
    timeZone: s.timeZone,
    catchUp: s.catchUp,
    paused: s.paused,
    nextDueAt: s.nextDueAt === undefined ? null : iso(s.nextDueAt),
    lastRun:
      s.lastRun === undefined
        ? null
        : { dueAt: iso(s.lastRun.dueAt), jobId: s.lastRun.jobId ?? null, outcome: s.lastRun.outcome },
    job: s.template as ScheduleJson["job"],
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function runView(r: ScheduleRunWithJob) {
  return {
    dueAt: iso(r.dueAt),
    jobId: r.jobId ?? null,
    jobStatus: r.jobStatus ?? null,
    outcome: r.outcome,
    ...(r.detail !== undefined ? { detail: r.detail } : {}),
    recordedAt: iso(r.recordedAt),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function scheduleIdOf(params: Readonly<Record<string, string>>): string {
  const id = params.scheduleId ?? "";
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw new ProblemError(404, "no-such-schedule", "No such schedule", `There is no schedule ${id.slice(0, 64)}.`);
  }
  return id;
}

const badCursor = () =>
  validationProblem("The cursor is not valid.", [{ pointer: "?cursor", detail: "not a cursor this API gave" }]);

function encodeScheduleCursor(c: ScheduleCursor): string {
  return Buffer.from(`${c.createdAt}.${c.scheduleId}`).toString("base64url");
}

function decodeScheduleCursor(cursor: string): ScheduleCursor {
  const m = /^(\d{1,15})\.([A-Za-z0-9-]{1,64})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw badCursor();
  return { createdAt: Number(m[1]), scheduleId: m[2] as string };
}

function decodeRunCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw badCursor();
  return Number(cursor);
}
