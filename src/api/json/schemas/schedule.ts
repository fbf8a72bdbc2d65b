/**
 * Schedules (D43): POST /schedules' body, a schedule as answered, pages of schedules and of a schedule's runs.
 * A schedule's job template is a CreateJobRequest (without clientRequestToken: each run's token is made from the
 * schedule and its due time) whose manifest generator's filter may give `createdBeforeRelative` and
 * `createdAfterRelative`, ISO-8601 durations resolved against each run's due time.
 */
import { type Static, type TObject, type TSchema, Type } from "typebox";
import { ManifestGeneratorSchema } from "./model.js";
import { CreateJobRequestSchema } from "./requests.js";

const closed = { additionalProperties: false } as const;

const Duration = (what: string) =>
  Type.String({
    minLength: 2,
    maxLength: 64,
    description:
      `${what}, as an ISO-8601 duration before each run's due time: weeks, days (24 h), hours, minutes, seconds ` +
      '("P30D", "P1W", "PT12H"). Resolved into the job\'s absolute date when the run creates it.',
  });

const generatorProperties = ManifestGeneratorSchema.properties as Record<string, TSchema>;
const filterProperties = (generatorProperties.filter as unknown as TObject).properties as Record<string, TSchema>;

const TemplateGeneratorSchema = Type.Object(
  {
    ...generatorProperties,
    filter: Type.Optional(
      Type.Object(
        {
          ...filterProperties,
          createdBeforeRelative: Type.Optional(
            Duration("Objects last modified more than this long before the run (instead of createdBefore)"),
          ),
          createdAfterRelative: Type.Optional(
            Duration("Objects last modified less than this long before the run (instead of createdAfter)"),
          ),
        },
        closed,
      ),
    ),
  },
  {
    ...closed,
    title: "ScheduleManifestGenerator",
    description: "A ManifestGenerator whose filter may give its dates relative to each run's due time.",
  },
);

const { clientRequestToken: _token, ...jobProperties } = CreateJobRequestSchema.properties as Record<string, TSchema>;

export const ScheduleJobTemplateSchema = Type.Object(
  { ...jobProperties, manifestGenerator: Type.Optional(TemplateGeneratorSchema) },
  {
    ...closed,
    title: "ScheduleJobTemplate",
    description:
      "The job each run creates: a CreateJobRequest without clientRequestToken (each run's is " +
      "`schedule:<scheduleId>:<due time in ms>`), whose manifest generator's dates may be relative.",
  },
);
export type ScheduleJobTemplateJson = Static<typeof ScheduleJobTemplateSchema>;

const CatchUp = Type.Enum(["latest", "all"], {
  description:
    "What a run does when several due times passed unrun (the servers were down): latest (default) runs the " +
    "latest of them once and skips the others; all runs each, oldest first.",
});

export const CreateScheduleRequestSchema = Type.Object(
  {
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    cron: Type.String({
      minLength: 1,
      maxLength: 256,
      description:
        'A cron expression: 5 fields (minute hour day-of-month month weekday, e.g. "0 2 * * *"), or 6 with seconds ' +
        "first; nicknames such as @daily. Read in timeZone, DST included.",
    }),
    timeZone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "An IANA time zone (default UTC)." }),
    ),
    catchUp: Type.Optional(CatchUp),
    paused: Type.Optional(Type.Boolean({ description: "Create it paused (default false)." })),
    job: ScheduleJobTemplateSchema,
  },
  { ...closed, title: "CreateScheduleRequest" },
);
export type CreateScheduleRequestJson = Static<typeof CreateScheduleRequestSchema>;

const Instant = Type.String({ format: "date-time" });
const RunOutcome = Type.Enum(["created", "already_created", "failed"], {
  description:
    "created: this run made the job; already_created: a run of the same due time had made it (another server, " +
    "or one that stopped before recording it); failed: no job (see detail).",
});

export const ScheduleSchema = Type.Object(
  {
    scheduleId: Type.String(),
    description: Type.Optional(Type.String()),
    cron: Type.String(),
    timeZone: Type.String(),
    catchUp: CatchUp,
    paused: Type.Boolean(),
    nextDueAt: Type.Union([Instant, Type.Null()], { description: "The next due time; null while paused." }),
    lastRun: Type.Union([
      Type.Object({ dueAt: Instant, jobId: Type.Union([Type.String(), Type.Null()]), outcome: RunOutcome }, closed),
      Type.Null(),
    ]),
    job: ScheduleJobTemplateSchema,
    createdAt: Instant,
    updatedAt: Instant,
  },
  { ...closed, title: "Schedule" },
);
export type ScheduleJson = Static<typeof ScheduleSchema>;

const Cursor = Type.Union([Type.String(), Type.Null()], {
  description: "Pass as `cursor` for the next page; null on the last.",
});

export const SchedulePageSchema = Type.Object(
  { schedules: Type.Array(ScheduleSchema), nextCursor: Cursor },
  { ...closed, title: "SchedulePage" },
);

export const ScheduleRunSchema = Type.Object(
  {
    dueAt: Instant,
    jobId: Type.Union([Type.String(), Type.Null()]),
    jobStatus: Type.Union([Type.String(), Type.Null()], {
      description: "The job's status now; null when the run made none or the job was deleted since.",
    }),
    outcome: RunOutcome,
    detail: Type.Optional(Type.String({ description: "Why a failed run made no job." })),
    recordedAt: Instant,
  },
  { ...closed, title: "ScheduleRun" },
);

export const ScheduleRunPageSchema = Type.Object(
  { runs: Type.Array(ScheduleRunSchema), nextCursor: Cursor },
  { ...closed, title: "ScheduleRunPage" },
);

export const MAX_SCHEDULE_PAGE = 1_000;

export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SCHEDULE_PAGE, description: "Default 100." })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  closed,
);
export type PageQueryJson = Static<typeof PageQuerySchema>;

export const ScheduleIdParamSchema = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9-]+$" });
