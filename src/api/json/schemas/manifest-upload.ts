/** POST /manifests (D38): its query and its answer, a manifest written into a bucket by the server. */
import { type Static, Type } from "typebox";

const closed = { additionalProperties: false } as const;

export const ManifestUploadQuerySchema = Type.Object(
  {
    bucket: Type.String({
      minLength: 1,
      description:
        "The bucket to write the manifest into: a plain name, `arn:aws:s3:::name`, `qcs::cos:...` or `acs:oss:...` " +
        "(as a job's manifest location takes it).",
    }),
    roleArn: Type.Optional(
      Type.String({
        description:
          "The role whose buckets the upload may use, as the job's roleArn; default none, as a job created " +
          "without one.",
      }),
    ),
  },
  closed,
);
export type ManifestUploadQueryJson = Static<typeof ManifestUploadQuerySchema>;

export const ManifestUploadSchema = Type.Object(
  {
    bucket: Type.String({ description: "The bucket's plain name." }),
    key: Type.String({
      pattern: "^objbatch-manifests/[0-9a-f]{64}\\.csv$",
      description: "`objbatch-manifests/<sha256>.csv`: the same bytes always go to the same key.",
    }),
    etag: Type.String({ description: "The object's ETag as the storage answered it, quoted as S3 quotes it." }),
    size: Type.Integer({ minimum: 1, description: "The manifest's size in bytes." }),
    sha256: Type.String({ pattern: "^[0-9a-f]{64}$", description: "The manifest's SHA-256, hex." }),
  },
  { ...closed, title: "ManifestUpload" },
);
export type ManifestUploadJson = Static<typeof ManifestUploadSchema>;
