/**
 * The jobs the JSON API hands out: the whole job (GET /jobs/{id}), a listing's summary and their progress.
 * Times are ISO-8601 instants in UTC; a count not known yet (the total before the manifest is counted) is null.
 */
import { type Static, Type } from "typebox";
import { JOB_STATUSES } from "../../../domain/status.js";
import {
  BucketReference,
  ManifestGeneratorSchema,
  ManifestSchema,
  OperationSchema,
  ReportSchema,
  TagList,
} from "./model.js";

const closed = { additionalProperties: false } as const;
const Instant = Type.String({ format: "date-time" });
const Count = Type.Integer({ minimum: 0 });

export const JobStatusSchema = Type.Enum([...JOB_STATUSES], { title: "JobStatus" });
export const DialectSchema = Type.Enum(["cos", "oss", "s3control", "json", "gcs"], {
  description: "The job API the job was created through.",
});
export const OPERATION_KINDS = OperationSchema.anyOf.map((branch) => branch.properties.kind.const);
export const OperationKindSchema = Type.Enum(OPERATION_KINDS, { title: "OperationKind" });

export const ProgressSchema = Type.Object(
  {
    total: Type.Union([Count, Type.Null()], { description: "Tasks in the manifest; null until counted." }),
    succeeded: Count,
    failed: Count,
    inFlight: Type.Integer({ minimum: 0, description: "Tasks of chunks being run now (not yet recorded)." }),
    tasksPerSecond: Type.Number({
      minimum: 0,
      description:
        "Finished tasks per second over the last 10 seconds, as this server saw the job's progress when it was " +
        "read; the whole run's average until it has seen 2 seconds of it; 0 once the job has finished, and while " +
        "it is held (Paused, Suspended).",
    }),
    averageTasksPerSecond: Type.Number({
      minimum: 0,
      description: "Finished tasks per second of Active time, over the whole run.",
    }),
    etaSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      description:
        "Seconds until every task is finished at tasksPerSecond; 0 once finished; null when it cannot be told " +
        "(not counted yet, held, or nothing finished lately).",
    }),
    elapsedMs: Type.Integer({ minimum: 0, description: "Time the job has spent Active." }),
  },
  { ...closed, title: "Progress" },
);
export type ProgressJson = Static<typeof ProgressSchema>;

const FailureReason = Type.Object({ code: Type.String(), reason: Type.String() }, closed);

export const JobSchema = Type.Object(
  {
    jobId: Type.String(),
    status: JobStatusSchema,
    dialect: DialectSchema,
    description: Type.Optional(Type.String()),
    priority: Type.Integer({ minimum: 0 }),
    confirmationRequired: Type.Boolean(),
    clientRequestToken: Type.String(),
    roleArn: Type.String(),
    operation: OperationSchema,
    manifest: Type.Optional(ManifestSchema),
    manifestGenerator: Type.Optional(ManifestGeneratorSchema),
    report: ReportSchema,
    tags: TagList,
    creationTime: Instant,
    terminationTime: Type.Optional(Instant),
    suspendedTime: Type.Optional(Instant),
    suspendedCause: Type.Optional(Type.String()),
    statusUpdateReason: Type.Optional(Type.String()),
    pausedByUser: Type.Boolean({
      description:
        "A user paused the job (POST /jobs/{jobId}/pause): it is Pausing or Paused and stays out of the queue " +
        "until resumed. False for a job paused for a higher-priority one, which resumes by itself.",
    }),
    failureReasons: Type.Array(FailureReason),
    generatedManifest: Type.Optional(
      Type.Object(
        {
          format: Type.String(),
          location: Type.Object(
            {
              bucket: BucketReference,
              key: Type.String(),
              versionId: Type.Optional(Type.String()),
              etag: Type.Optional(Type.String()),
            },
            closed,
          ),
        },
        closed,
      ),
    ),
    manifestEtag: Type.Optional(Type.String({ description: "The manifest's ETag as preparing found it (D10)." })),
    dryRun: Type.Optional(
      Type.Boolean({
        description: "The job counts its tasks and acts on none; each is recorded as not acted on (D45).",
      }),
    ),
    jobName: Type.Optional(
      Type.String({ description: "The name the job was created with (the Google dialect's jobId)." }),
    ),
    loggingConfig: Type.Optional(
      Type.Object(
        { logActions: Type.Array(Type.String()), logActionStates: Type.Array(Type.String()) },
        { ...closed, description: "Google's loggingConfig, kept and echoed." },
      ),
    ),
    progress: ProgressSchema,
  },
  { ...closed, title: "Job" },
);
export type JobJson = Static<typeof JobSchema>;

export const JobSummarySchema = Type.Object(
  {
    jobId: Type.String(),
    status: JobStatusSchema,
    dialect: DialectSchema,
    operation: OperationKindSchema,
    description: Type.Optional(Type.String()),
    priority: Type.Integer({ minimum: 0 }),
    creationTime: Instant,
    terminationTime: Type.Optional(Instant),
    progress: Type.Object(
      {
        total: Type.Union([Count, Type.Null()]),
        succeeded: Count,
        failed: Count,
        elapsedActiveSeconds: Count,
      },
      closed,
    ),
  },
  { ...closed, title: "JobSummary" },
);
export type JobSummaryJson = Static<typeof JobSummarySchema>;

export const JobPageSchema = Type.Object(
  {
    jobs: Type.Array(JobSummarySchema),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: "Pass as `cursor` (with the same filters) for the next page; null when there is none.",
    }),
  },
  { ...closed, title: "JobPage" },
);
export type JobPageJson = Static<typeof JobPageSchema>;

export const TagSetSchema = Type.Object({ tags: TagList }, { ...closed, title: "TagSet" });
