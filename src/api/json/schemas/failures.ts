/** GET /jobs/{id}/failures: a job's failed tasks grouped by cause (D27). */
import { type Static, Type } from "typebox";

const closed = { additionalProperties: false } as const;
const Count = Type.Integer({ minimum: 0 });

export const SampleKeySchema = Type.Object(
  {
    bucket: Type.String(),
    key: Type.String(),
    versionId: Type.Optional(Type.String()),
  },
  { ...closed, title: "SampleKey" },
);

export const FailureCauseSchema = Type.Object(
  {
    httpStatus: Type.Integer({ description: "The HTTP status S3 would answer for the task's request." }),
    errorCode: Type.String({ description: "The S3 error code (NoSuchKey, AccessDenied, ...); empty when none." }),
    count: Count,
    sampleKeys: Type.Array(SampleKeySchema, { maxItems: 5, description: "A few of the objects that failed so." }),
  },
  { ...closed, title: "FailureCause" },
);

export const JobFailuresSchema = Type.Object(
  {
    total: Type.Integer({ minimum: 0, description: "Failed tasks recorded so far: the sum of the causes' counts." }),
    causes: Type.Array(FailureCauseSchema, { description: "One per (httpStatus, errorCode), most tasks first." }),
  },
  { ...closed, title: "JobFailures" },
);
export type JobFailuresJson = Static<typeof JobFailuresSchema>;
