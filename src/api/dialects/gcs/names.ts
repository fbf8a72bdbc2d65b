/**
 * The Google dialect's resource names (D46): `projects/{project}/locations/global/jobs/{jobId}`, its operations
 * `.../operations/{operationId}` and bucket operations `.../jobs/{jobId}/bucketOperations/{bucket}`.
 *
 * A job's Google job id is the name its creator chose (JobSpec.jobName, the CreateJob `jobId`), or, for a job
 * created without one (or through another dialect), objbatch's own job id. Uniqueness of a chosen name in an
 * account rides on the job store's unique client request token (D5, service/job-names.ts): a second create with
 * the name finds the first (ALREADY_EXISTS, or the same job for a retry with the same requestId), and a name is
 * looked up through the same token's index. An operation's id is the objbatch job id of the job it created.
 */
import { jobNameToken } from "../../../service/job-names.js";
import { badField } from "./errors.js";

export const LOCATION = "global";

/**
 * CreateJob's jobId: at most 128 characters of those a DNS name may hold (RFC 1123: letters, digits, hyphens,
 * dots), starting and ending with a letter or digit. Lower case only, as Google's resource ids are.
 */
const JOB_ID = /^[a-z0-9](?:[a-z0-9.-]{0,126}[a-z0-9])?$/;

/** The objbatch job ids (UUIDs) a job created without a name shows as its Google job id. */
const OBJBATCH_JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId) || jobId.includes("..")) {
    throw badField(
      "job_id",
      "must be 1-128 lower-case letters, digits, hyphens or dots (a DNS name, RFC 1123), starting and ending with a letter or digit.",
    );
  }
  return jobId;
}

/** A path segment that may be a job id at all; anything else (`..`, `%2F`, 300 characters) names no job. */
export function isPlausibleJobId(value: string): boolean {
  return JOB_ID.test(value) || OBJBATCH_JOB_ID.test(value);
}

/** The client request token a job created with this name carries (service/job-names.ts). */
export const nameToken = jobNameToken;

/** The token of a create with a requestId and no jobId. */
export function requestToken(requestId: string): string {
  return `gcs-request:${requestId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** requestId: a UUID, not the zero one (the reference's rule). */
export function checkRequestId(requestId: string): string {
  if (!UUID.test(requestId) || /^[0-]+$/.test(requestId)) {
    throw badField("request_id", "must be a valid UUID other than 00000000-0000-0000-0000-000000000000.");
  }
  return requestId.toLowerCase();
}

export function parentName(project: string): string {
  return `projects/${project}/locations/${LOCATION}`;
}

export function jobResourceName(project: string, googleJobId: string): string {
  return `${parentName(project)}/jobs/${googleJobId}`;
}

export function operationName(project: string, operationId: string): string {
  return `${parentName(project)}/operations/${operationId}`;
}

export function bucketOperationName(project: string, googleJobId: string, bucket: string): string {
  return `${jobResourceName(project, googleJobId)}/bucketOperations/${bucket}`;
}

/** The Google job id a job shows: the name it was created with, or its objbatch id. */
export function googleJobIdOf(job: { readonly jobId: string; readonly jobName?: string }): string {
  return job.jobName ?? job.jobId;
}
