/**
 * The long-running operations of the Google dialect (google.longrunning.Operation, D46). CreateJob answers one;
 * objbatch keeps no separate record of it: the operation is the job it created, named by the job's objbatch id
 * (`projects/{p}/locations/global/operations/{objbatch job id}`), and every job, whichever dialect created it,
 * has one. It is `done` when the job has finished: with `response` (the Job) when it SUCCEEDED, with `error`
 * CANCELLED (code 1) when it was CANCELED and an error naming the job's failure reasons when it FAILED.
 * `metadata` is an OperationMetadata with the Job as it is now.
 *
 * Also the jobs' bucket operations (one per job, since an objbatch job covers one bucket), named by the bucket.
 */
import type { FailureCause } from "../../../domain/failure-causes.js";
import type { Job } from "../../../domain/job.js";
import { isTerminal } from "../../../domain/status.js";
import { RPC_CODES } from "./errors.js";
import { countersOf, errorSummariesOf, renderJob, STATE_OF_STATUS, timestamp } from "./job-resource.js";
import { bucketOperationName, googleJobIdOf, operationName } from "./names.js";
import { renderTransformation } from "./transformations.js";

const TYPES = "type.googleapis.com/google.cloud.storagebatchoperations.v1";

export function renderOperation(project: string, job: Job, causes: readonly FailureCause[]): Record<string, unknown> {
  const name = operationName(project, job.jobId);
  const resource = renderJob(project, job, causes);
  const done = isTerminal(job.status);
  const out: Record<string, unknown> = {
    name,
    metadata: {
      "@type": `${TYPES}.OperationMetadata`,
      operation: name,
      createTime: timestamp(job.creationTime),
      ...(job.terminationDate !== undefined ? { endTime: timestamp(job.terminationDate) } : {}),
      requestedCancellation: job.status === "Cancelling" || job.status === "Cancelled",
      apiVersion: "v1",
      job: resource,
    },
    done,
  };
  if (!done) return out;
  if (job.status === "Complete") out.response = { "@type": `${TYPES}.Job`, ...resource };
  else if (job.status === "Cancelled") out.error = { code: RPC_CODES.CANCELLED, message: "The job was cancelled." };
  else {
    const reasons = job.failureReasons.map((f) => `${f.code}: ${f.reason}`).join("; ");
    out.error = {
      code: RPC_CODES.INTERNAL,
      message: reasons === "" ? "The job failed." : `The job failed: ${reasons}`,
    };
  }
  return out;
}

/** The job's one BucketOperation. */
export function renderBucketOperation(
  project: string,
  job: Job,
  causes: readonly FailureCause[],
): Record<string, unknown> | undefined {
  const source = job.manifestGenerator?.sourceBucket.bucket ?? job.manifest?.location.bucket.bucket;
  if (source === undefined) return undefined;
  const objects =
    job.manifestGenerator !== undefined
      ? {
          prefixList: (() => {
            const g = job.manifestGenerator;
            const prefixes = g.prefix !== undefined ? [g.prefix] : (g.filter?.keyNameConstraint?.matchAnyPrefix ?? []);
            return prefixes.length === 0 ? {} : { includedObjectPrefixes: [...prefixes] };
          })(),
        }
      : { manifest: { manifestLocation: `gs://${source}/${job.manifest!.location.key}` } };
  const state = STATE_OF_STATUS[job.status];
  return {
    name: bucketOperationName(project, googleJobIdOf(job), source),
    bucketName: source,
    ...objects,
    ...renderTransformation(job.operation),
    createTime: timestamp(job.creationTime),
    ...(state !== "QUEUED" ? { startTime: timestamp(job.creationTime) } : {}),
    ...(job.terminationDate !== undefined ? { completeTime: timestamp(job.terminationDate) } : {}),
    counters: countersOf(job.progress),
    ...(causes.length > 0 ? { errorSummaries: errorSummariesOf(causes) } : {}),
    state,
  };
}
