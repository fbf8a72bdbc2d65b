/** What clients send the JSON API: bodies and query strings, each validated against the schema named here. */
import { type Static, Type } from "typebox";
import { JobStatusSchema, OperationKindSchema } from "./job.js";
import { ManifestGeneratorSchema, ManifestSchema, OperationSchema, ReportSchema, TagList } from "./model.js";

const closed = { additionalProperties: false } as const;

export const MAX_PRIORITY = 2147483647;

export const CreateJobRequestSchema = Type.Object(
  {
    operation: OperationSchema,
    manifest: Type.Optional(ManifestSchema),
    manifestGenerator: Type.Optional(ManifestGeneratorSchema),
    report: ReportSchema,
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PRIORITY, description: "Default 10." })),
    confirmationRequired: Type.Optional(Type.Boolean({ description: "Default false (D4)." })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    clientRequestToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "Makes the create idempotent: the same token with the same job returns that job (D5).",
      }),
    ),
    tags: Type.Optional(TagList),
    roleArn: Type.Optional(Type.String({ maxLength: 2048 })),
    dryRun: Type.Optional(
      Type.Boolean({
        description:
          "Count the tasks and act on none: each task is recorded as succeeded with the message " +
          "'Dry run: not acted on', so the counts and the report say what the job would do (D45).",
      }),
    ),
  },
  { ...closed, title: "CreateJobRequest", description: "Exactly one of manifest and manifestGenerator." },
);
export type CreateJobRequest = Static<typeof CreateJobRequestSchema>;

export const UpdateJobRequestSchema = Type.Object(
  {
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PRIORITY })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { ...closed, title: "UpdateJobRequest", minProperties: 1 },
);
export type UpdateJobRequest = Static<typeof UpdateJobRequestSchema>;

export const StatusChangeRequestSchema = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
  { ...closed, title: "StatusChangeRequest" },
);
export type StatusChangeRequest = Static<typeof StatusChangeRequestSchema>;

export const PutTagsRequestSchema = Type.Object({ tags: TagList }, { ...closed, title: "PutTagsRequest" });

/** The query of GET /jobs, as parsed (query.ts turns repeated and numeric parameters into these types). */
export const ListJobsQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Array(JobStatusSchema, { description: "Repeat for several statuses." })),
    operation: Type.Optional(OperationKindSchema),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "Text in the description or id." })),
    tag: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 386,
        pattern: "^[^:]+:",
        description: "key:value, a tag the job carries (the value may contain colons; it may be empty).",
      }),
    ),
    createdAfter: Type.Optional(Type.String({ format: "date-time" })),
    createdBefore: Type.Optional(Type.String({ format: "date-time" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: "Default 100." })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  closed,
);
export type ListJobsQueryJson = Static<typeof ListJobsQuerySchema>;

export const JobIdParamSchema = Type.String({ minLength: 1, maxLength: 64 });
