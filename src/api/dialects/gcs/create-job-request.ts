/**
 * CreateJob's body, a Job resource, read into objbatch's JobSpec (D46). The reference's fields:
 *
 *   description               optional, at most 1024 bytes
 *   bucketList.buckets        exactly one Bucket (the reference allows no more either):
 *     bucket                  the bucket name, as the job's bucket (BucketRef arn `gs://<bucket>`)
 *     prefixList              includedObjectPrefixes: the bucket listed under these prefixes (none, or "", for
 *                             all): one prefix is a KeyPrefixManifestGenerator, several an S3JobManifestGenerator
 *                             with a key-prefix filter (the engine lists the bucket once)
 *     manifest                manifestLocation `gs://bucket/path.csv`: a GCS_BatchOperations_CSV manifest
 *                             (exactly one of prefixList and manifest; wildcards are refused)
 *   one transformation        transformations.ts
 *   loggingConfig             kept and echoed (logActions TRANSFORM, logActionStates SUCCEEDED/FAILED)
 *   dryRun                    count the objects, act on none
 *
 * `projectSource` (whole-project jobs) is UNIMPLEMENTED: an objbatch job covers one bucket. Output-only fields
 * (name, state, times, counters, errorSummaries, isMultiBucketJob, objbatchOperation) are ignored (AIP-203), so a
 * Job read with GET can be sent back. Anything else is INVALID_ARGUMENT with a field violation.
 */
import type { JobSpec, Manifest, ManifestGenerator, Operation } from "../../../domain/job.js";
import { MANIFEST_FIELDS } from "../../../domain/job.js";
import { isValidBucketName } from "../../bucket-arn.js";
import { badField, GoogleApiError } from "./errors.js";
import { type JsonObject, optionalBoolean, optionalString, optionalStringArray, readObject } from "./json-fields.js";
import { parseTransformation, TRANSFORMATION_FIELDS } from "./transformations.js";

/** The priority a Google job runs at: the JSON API's default (the reference has no priority). */
export const GCS_JOB_PRIORITY = 10;
const MAX_PREFIXES = 1000;
const MAX_KEY_BYTES = 1024;

const JOB_FIELDS = ["description", "loggingConfig", "bucketList", "projectSource", "dryRun", ...TRANSFORMATION_FIELDS];
const OUTPUT_ONLY_FIELDS = [
  "name",
  "createTime",
  "scheduleTime",
  "completeTime",
  "counters",
  "errorSummaries",
  "state",
  "isMultiBucketJob",
  "objbatchOperation",
];
const LOG_ACTIONS = ["TRANSFORM"];
const LOG_ACTION_STATES = ["SUCCEEDED", "FAILED"];

/** What a create asks for, but its token (the routes choose it from jobId and requestId). */
export type GcsJobRequest = Omit<JobSpec, "clientRequestToken">;

/** Parses the body; `jobName` is the CreateJob jobId, when given. */
export function parseCreateJobRequest(body: Buffer | undefined, accountId: string, jobName?: string): GcsJobRequest {
  const job = readObject(parseJson(body), "job", JOB_FIELDS, OUTPUT_ONLY_FIELDS);
  if (job.projectSource !== undefined) {
    throw new GoogleApiError(
      "UNIMPLEMENTED",
      "objbatch runs a job over one bucket: projectSource is not supported; use bucketList.",
      { reason: "UNSUPPORTED_SOURCE", fieldViolations: [{ field: "job.projectSource", description: "not supported" }] },
    );
  }
  const description = optionalString(job, "description", "job", 1024);
  const operation: Operation = parseTransformation(job);
  const source = parseBucketList(job.bucketList);
  const dryRun = optionalBoolean(job, "dryRun", "job");
  const loggingConfig = job.loggingConfig === undefined ? undefined : parseLoggingConfig(job.loggingConfig);
  return {
    accountId,
    dialect: "gcs",
    confirmationRequired: false,
    ...(description !== undefined && description !== "" ? { description } : {}),
    priority: GCS_JOB_PRIORITY,
    roleArn: "",
    operation,
    ...source,
    report: { enabled: false },
    ...(dryRun ? { dryRun } : {}),
    ...(loggingConfig !== undefined ? { loggingConfig } : {}),
    ...(jobName !== undefined ? { jobName } : {}),
  };
}

function parseJson(body: Buffer | undefined): unknown {
  if (body === undefined || body.length === 0) throw badField("job", "the request body must be a Job.");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new GoogleApiError("INVALID_ARGUMENT", "Invalid JSON payload received: the body is not valid JSON.", {
      reason: "BAD_REQUEST",
    });
  }
}

function parseBucketList(value: unknown): { manifest: Manifest } | { manifestGenerator: ManifestGenerator } {
  if (value === undefined) throw badField("job.bucketList", "is required: the bucket and objects to transform.");
  const list = readObject(value, "job.bucketList", ["buckets"]);
  const buckets = list.buckets;
  if (!Array.isArray(buckets) || buckets.length !== 1) {
    throw badField("job.bucketList.buckets", "exactly one bucket is supported.");
  }
  const path = "job.bucketList.buckets[0]";
  const b = readObject(buckets[0], path, ["bucket", "prefixList", "manifest"]);
  const bucket = optionalString(b, "bucket", path, 222);
  if (bucket === undefined || !isValidBucketName(bucket)) {
    throw badField(`${path}.bucket`, "must name a bucket (3-63 lower-case letters, digits, dots and hyphens).");
  }
  if ((b.prefixList === undefined) === (b.manifest === undefined)) {
    throw badField(path, "exactly one of prefixList and manifest must be given.");
  }
  const sourceBucket = { arn: `gs://${bucket}`, bucket };
  if (b.manifest !== undefined) {
    const m = readObject(b.manifest, `${path}.manifest`, ["manifestLocation"]);
    return { manifest: manifestOf(optionalString(m, "manifestLocation", `${path}.manifest`, 2048)) };
  }
  const p = readObject(b.prefixList, `${path}.prefixList`, ["includedObjectPrefixes"]);
  const prefixes =
    optionalStringArray(p, "includedObjectPrefixes", `${path}.prefixList`, {
      maxItems: MAX_PREFIXES,
      maxBytes: MAX_KEY_BYTES,
    }) ?? [];
  // "" includes every object, so with it the others add nothing.
  const distinct = prefixes.includes("") ? [] : [...new Set(prefixes)];
  if (distinct.length <= 1) {
    return {
      manifestGenerator: {
        kind: "KeyPrefixManifestGenerator",
        sourceBucket,
        enableManifestOutput: false,
        ...(distinct.length === 1 ? { prefix: distinct[0] } : {}),
      },
    };
  }
  return {
    manifestGenerator: {
      kind: "S3JobManifestGenerator",
      sourceBucket,
      enableManifestOutput: false,
      filter: { keyNameConstraint: { matchAnyPrefix: distinct } },
    },
  };
}

function manifestOf(location: string | undefined): Manifest {
  const path = "job.bucketList.buckets[0].manifest.manifestLocation";
  if (location === undefined || location === "") throw badField(path, "is required.");
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(location);
  if (m === null || !isValidBucketName(m[1]!)) throw badField(path, "must be gs://<bucket>/<object>.");
  const key = m[2]!;
  if (key.includes("*")) throw badField(path, "objbatch reads one manifest object: wildcards are not supported.");
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw badField(path, "the object name is too long.");
  return {
    format: "GCS_BatchOperations_CSV",
    fields: [...MANIFEST_FIELDS],
    location: { objectArn: location, bucket: { arn: `gs://${m[1]}`, bucket: m[1]! }, key },
  };
}

function parseLoggingConfig(value: unknown): NonNullable<JobSpec["loggingConfig"]> {
  const path = "job.loggingConfig";
  const o: JsonObject = readObject(value, path, ["logActions", "logActionStates"]);
  const logActions = optionalStringArray(o, "logActions", path, { maxItems: 10 }) ?? [];
  const logActionStates = optionalStringArray(o, "logActionStates", path, { maxItems: 10 }) ?? [];
  logActions.forEach((a, i) => {
    if (!LOG_ACTIONS.includes(a))
      throw badField(`${path}.logActions[${i}]`, `must be one of ${LOG_ACTIONS.join(", ")}.`);
  });
  logActionStates.forEach((s, i) => {
    if (!LOG_ACTION_STATES.includes(s)) {
      throw badField(`${path}.logActionStates[${i}]`, `must be one of ${LOG_ACTION_STATES.join(", ")}.`);
    }
  });
  if (logActions.length === 0 || logActionStates.length === 0) {
    throw badField(path, "logActions and logActionStates are both required.");
  }
  return { logActions, logActionStates };
}
