/** A job's completion report as the JSON API shows it (GET /jobs/{id}/report, D29). */
import { type Static, Type } from "typebox";

const closed = { additionalProperties: false } as const;

export const TASK_STATUSES = ["succeeded", "failed"] as const;
export const TaskStatusSchema = Type.Enum([...TASK_STATUSES], { description: "The status of the file's tasks." });
/** A results file's number within its status (a status gets a further file when one reaches its part limit). */
export const MAX_REPORT_FILE_INDEX = 999_999;
export const ReportFileIndexSchema = Type.Integer({ minimum: 0, maximum: MAX_REPORT_FILE_INDEX });

export const ReportFileSchema = Type.Object(
  {
    taskStatus: TaskStatusSchema,
    index: ReportFileIndexSchema,
    key: Type.String({ description: "The file's key in the report bucket." }),
    bytes: Type.Integer({ minimum: 0, description: "Bytes written so far; all of them once completed." }),
    md5: Type.Optional(Type.String({ description: "The MD5 of the whole file (hex), once completed." })),
    completed: Type.Boolean(),
    downloadPath: Type.Union([Type.String(), Type.Null()], {
      description: "Where to GET the file's CSV (signed like any request); null until the file is completed.",
    }),
  },
  { ...closed, title: "ReportFile" },
);

const ManifestResult = Type.Object({
  TaskExecutionStatus: Type.String(),
  Bucket: Type.String(),
  MD5Checksum: Type.String(),
  Key: Type.String(),
});

export const JobReportSchema = Type.Object(
  {
    jobId: Type.String(),
    enabled: Type.Boolean({ description: "False when the job writes no completion report (then no files)." }),
    bucket: Type.Optional(Type.String({ description: "The report bucket's plain name." })),
    prefix: Type.Optional(Type.String()),
    format: Type.String(),
    scope: Type.Enum(["AllTasks", "FailedTasksOnly"]),
    state: Type.Enum(["none", "writing", "complete"], {
      description:
        "none: no report; writing: the job has not finished, results files are written as it runs; complete: " +
        "the job has finished and its manifest.json is written.",
    }),
    manifest: Type.Optional(
      Type.Object(
        {
          key: Type.String({ description: "manifest.json's key in the report bucket." }),
          Format: Type.String(),
          ReportCreationDate: Type.String(),
          Results: Type.Array(ManifestResult),
          ReportSchema: Type.String(),
        },
        {
          description:
            "The report's manifest.json as written, with its key; present once the job has finished and the " +
            "manifest could be read (absent when writing it failed, see the job's failureReasons).",
        },
      ),
    ),
    files: Type.Array(ReportFileSchema),
  },
  { ...closed, title: "JobReport" },
);
export type JobReportJson = Static<typeof JobReportSchema>;
