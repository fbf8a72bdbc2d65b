/** POST /jobs/preview: its query and its answer (preview/job-preview.ts says what each field means). */
import { type Static, Type } from "typebox";
import { DEFAULT_SAMPLE, DEFAULT_TIMEOUT_MS, MAX_SAMPLE, MAX_TIMEOUT_MS } from "../../../preview/job-preview.js";

const closed = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0 });

export const PreviewQuerySchema = Type.Object(
  {
    sample: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_SAMPLE,
        description: `Tasks to show, from the start of the manifest. Default ${DEFAULT_SAMPLE}.`,
      }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TIMEOUT_MS,
        description:
          `Time for reading the manifest, ms. Default ${DEFAULT_TIMEOUT_MS}. When it runs out, taskCount is a ` +
          "lower bound and complete is false; the sample is always read in full.",
      }),
    ),
  },
  closed,
);
export type PreviewQueryJson = Static<typeof PreviewQuerySchema>;

export const PreviewTaskSchema = Type.Object(
  {
    bucket: Type.String(),
    key: Type.String({ description: "Decoded, as the operation will use it." }),
    versionId: Type.Optional(Type.String()),
    exists: Type.Union([Type.Boolean(), Type.Null()], {
      description:
        "From a HEAD of the object now; null when it could not be asked (see error), e.g. a bucket the job may not use.",
    }),
    size: Type.Optional(Count),
    error: Type.Optional(Type.String({ description: "Why exists is null: the storage's error code." })),
    targetBucket: Type.Optional(Type.String({ description: "PutObjectCopy: the bucket the object is copied to." })),
    targetKey: Type.Optional(Type.String({ description: "PutObjectCopy: the key the object is copied to." })),
  },
  { ...closed, title: "PreviewTask" },
);

export const PreviewProblemSchema = Type.Object(
  {
    code: Type.String({
      description:
        "The code the job or task would fail with: AccessDenied, NoSuchBucket, NoSuchKey, ManifestETagMismatch, " +
        "InvalidManifestRecord, NoMatchingKeys, ...",
    }),
    message: Type.String(),
    line: Type.Optional(Type.Integer({ minimum: 1, description: "The CSV manifest line the record starts on." })),
  },
  { ...closed, title: "PreviewProblem" },
);

export const JobPreviewSchema = Type.Object(
  {
    taskCount: Type.Integer({
      minimum: 0,
      description: "Tasks in the manifest: exact when complete, else those read in time (a lower bound).",
    }),
    complete: Type.Boolean({ description: "True when the whole manifest (or listing) was read." }),
    totalBytes: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "Bytes of the counted tasks, where the source knows sizes (a generated listing).",
      }),
    ),
    sample: Type.Array(PreviewTaskSchema),
    problems: Type.Array(PreviewProblemSchema, {
      description: "At most 100; the rest are counted in omittedProblems.",
    }),
    omittedProblems: Type.Integer({ minimum: 0, description: "Problems found beyond those listed." }),
  },
  { ...closed, title: "JobPreview" },
);
