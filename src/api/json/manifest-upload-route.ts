/**
 * POST /manifests?bucket=<bucket reference>[&roleArn=<role>]: a local manifest's bytes, written by the server into
 * a bucket the account (or the role) may use, at `objbatch-manifests/<sha256>.csv` (service/manifest-uploads.ts,
 * docs/decisions.md D38). The CLI uploads a local file this way and then creates the job with the answer as its
 * manifest location. The body is taken raw (any Content-Type, up to maxManifestUploadBytes, the route's own
 * limit), signed by its SHA-256 like any other body.
 */
import { isDomainError } from "../../domain/errors.js";
import type { ManifestUploadsApi } from "../../service/manifest-uploads.js";
import type { QueryParam } from "../auth/request-target.js";
import { parseBucketRef } from "../bucket-arn.js";
import { ProblemError, validationProblem } from "./problems.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute } from "./route.js";
import { ManifestUploadQuerySchema, ManifestUploadSchema } from "./schemas/manifest-upload.js";
import { checked } from "./validation.js";

export function manifestUploadRoute(uploads: ManifestUploadsApi | undefined, maxBytes: number): JsonRoute {
  return {
    method: "POST",
    path: "/manifests",
    operationId: "uploadManifest",
    summary: "Write a manifest's bytes into a bucket, for a job to use as its manifest",
    description:
      "The body is the manifest as it is (CSV), written at `objbatch-manifests/<sha256>.csv` in `bucket` with the " +
      "server's storage: the same bytes always go to the same key. The bucket must be one the account (and " +
      "`roleArn`, when the account has roles) may use, as for a job. The answer's bucket, key and etag are the " +
      "manifest location of POST /jobs. Larger manifests than this route takes are put into the bucket with any " +
      "S3 tool.",
    authenticated: true,
    query: ManifestUploadQuerySchema,
    rawBody: {
      contentType: "text/csv",
      maxBytes,
      description: "The manifest's bytes; any Content-Type is accepted.",
    },
    responses: { 201: { description: "The manifest, written.", schema: ManifestUploadSchema } },
    problems: [501, 502],
    problemNotes: {
      400: "No or a bad `bucket` (each problem listed in `errors`), an unknown query parameter, or an empty manifest.",
      403:
        "The account (or the role) may not use the bucket (nothing is written), or the signature was already used " +
        "(D15), or a session's X-CSRF-Token is missing.",
      404: "No such bucket.",
      413: `The manifest is larger than the server's maxManifestUploadBytes (${maxBytes} bytes here).`,
      501: "This server has no object storage to write manifests with.",
      502: "The object storage failed to write the manifest (the detail says what it answered).",
      503: "The object storage (or the job store) is unavailable: try again after Retry-After seconds.",
    },
    handler: async ({ account, query, body }) => {
      const { bucket, roleArn } = parseUploadQuery(query);
      const bytes = body as Buffer;
      if (bytes.length === 0) {
        throw validationProblem("The manifest is empty: send its bytes as the body.", [
          { pointer: "", detail: "must not be empty" },
        ]);
      }
      if (uploads === undefined) {
        throw new ProblemError(
          501,
          "not-implemented",
          "Not implemented",
          "This server has no storage to write manifests with.",
        );
      }
      // A job created without a roleArn has "" (create-job-request.ts jobSpecOf): the upload is judged the same.
      return { status: 201, body: await uploads.upload(account, bucket, roleArn ?? "", bytes) };
    },
  };
}

function parseUploadQuery(params: readonly QueryParam[]): { bucket: string; roleArn: string | undefined } {
  const query = checked(ManifestUploadQuerySchema, queryObject(params), "query");
  try {
    return { bucket: parseBucketRef(query.bucket).bucket, roleArn: query.roleArn };
  } catch (e) {
    if (!isDomainError(e)) throw e;
    throw validationProblem(`The bucket is not valid: ${e.message}`, [{ pointer: "?bucket", detail: e.message }]);
  }
}
