/** Rerun, clone and task results (D35): POST /jobs/{id}/rerun, POST /jobs/{id}/clone, GET /jobs/{id}/tasks. */
import { type Static, Type } from "typebox";
import { ReportSchema, TagSchema } from "./model.js";
import { TaskStatusSchema } from "./report.js";
import { MAX_PRIORITY } from "./requests.js";

const closed = { additionalProperties: false } as const;

/** What a rerun or a clone may change of the source job; everything else is the source's. */
const overrides = {
  description: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, description: "Default: the source job's description." }),
  ),
  priority: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_PRIORITY, description: "Default: the source job's priority." }),
  ),
  confirmationRequired: Type.Optional(Type.Boolean({ description: "Default false (D4)." })),
  report: Type.Optional(ReportSchema),
  clientRequestToken: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "Makes the request idempotent: a retry with the same token and the same request answers the job the first " +
        "one created (200), whatever happened in between; the same token with another request is a 409.",
    }),
  ),
  tags: Type.Optional(
    Type.Array(TagSchema, {
      maxItems: 50,
      description: "Added to the source job's tags; a key the source has takes the value given here.",
    }),
  ),
};

export const RerunRequestSchema = Type.Object(
  {
    scope: Type.Enum(["failed", "notSucceeded"], {
      description:
        "failed: the tasks whose result is failed; notSucceeded: those and the tasks that never got a result " +
        "(a cancelled or failed job's unrun chunks).",
    }),
    errorCodes: Type.Optional(
      Type.Array(Type.String({ maxLength: 256 }), {
        minItems: 1,
        maxItems: 100,
        description: "Only the failed tasks with one of these error codes (as GET /failures lists them).",
      }),
    ),
    ...overrides,
  },
  {
    ...closed,
    title: "RerunRequest",
    description:
      "A new job with the same operation, report settings, priority and role as the source, over exactly the " +
      "tasks the scope names, tagged objbatch:rerun-of=<id>.",
  },
);
export type RerunRequestJson = Static<typeof RerunRequestSchema>;

export const CloneRequestSchema = Type.Object(overrides, {
  ...closed,
  title: "CloneRequest",
  description: "A new job with the source's manifest (or generator) and operation, tagged objbatch:clone-of=<id>.",
});
export type CloneRequestJson = Static<typeof CloneRequestSchema>;

export const MAX_TASK_PAGE = 1000;

/** The query of GET /jobs/{id}/tasks, as parsed (numbers as numbers). */
export const TaskResultsQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Enum(["succeeded", "failed"], { description: "Default failed." })),
    errorCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: "Only the failed tasks with this error code." }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TASK_PAGE, description: "Default 100." })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  closed,
);
export type TaskResultsQueryJson = Static<typeof TaskResultsQuerySchema>;

export const TaskResultSchema = Type.Object(
  {
    bucket: Type.String(),
    key: Type.String({ description: "The object's key, decoded." }),
    versionId: Type.Union([Type.String(), Type.Null()]),
    status: TaskStatusSchema,
    httpStatus: Type.Integer(),
    errorCode: Type.String({ description: "Empty on success." }),
    resultMessage: Type.String(),
  },
  { ...closed, title: "TaskResult" },
);

export const TaskResultPageSchema = Type.Object(
  {
    tasks: Type.Array(TaskResultSchema),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description:
        "Pass it back (with the same status and errorCode) for the next page; null when the completed results " +
        "files have no more rows. A page may hold fewer tasks than limit and still have a next one.",
    }),
  },
  { ...closed, title: "TaskResultPage" },
);
