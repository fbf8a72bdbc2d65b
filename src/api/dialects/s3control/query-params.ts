/**
 * S3 Control query parameters (ListJobs, UpdateJobPriority, UpdateJobStatus), read from the decoded
 * parameters the signature covered. Names are exact (SigV4 signs them as sent).
 *
 * ListJobs problems are InvalidRequestException (the one client error ListJobs declares); the others are
 * BadRequestException. An unknown nextToken is InvalidNextTokenException, from the service.
 */
import { invalidArgument } from "../../../domain/errors.js";
import { isJobStatus, type JobStatus } from "../../../domain/status.js";
import type { ListJobsQuery } from "../../../service/types.js";
import type { QueryParam } from "../../auth/request-target.js";
import { jobPriorityOf, pageSizeOf, requestedJobStatusOf, type StatusQuery } from "../shared/query-values.js";
import { S3ControlError } from "./errors.js";

export const S3CONTROL_DEFAULT_MAX_RESULTS = 1000;
const NEXT_TOKEN = /^[A-Za-z0-9+:/=?#_-]{1,1024}$/;

function values(params: readonly QueryParam[], name: string): string[] {
  return params.filter((p) => p.name === name).map((p) => p.value);
}

function single(params: readonly QueryParam[], name: string, fail: (m: string) => Error): string | undefined {
  const v = values(params, name);
  if (v.length > 1) throw fail(`The parameter ${name} may be given only once.`);
  return v[0];
}

const invalidListRequest = (message: string) => new S3ControlError(400, "InvalidRequestException", message);

/**
 * `jobStatuses` may be repeated (as the SDKs send a list) and each value may list several statuses separated by
 * commas (D6). `maxResults` 0-1000 (the model's range), default 1000; 0 asks for no jobs at all and gets an empty
 * page without a NextToken, as S3's other listings answer a maximum of 0.
 */
export function parseListJobsQuery(params: readonly QueryParam[]): ListJobsQuery {
  const statuses: JobStatus[] = [];
  for (const item of values(params, "jobStatuses").flatMap((v) => v.split(","))) {
    const s = item.trim();
    if (s === "") continue;
    if (!isJobStatus(s)) {
      throw invalidListRequest(`The jobStatuses parameter is invalid: "${s.slice(0, 64)}" is not a job status.`);
    }
    if (!statuses.includes(s)) statuses.push(s);
  }
  const max = single(params, "maxResults", invalidListRequest);
  let maxResults = S3CONTROL_DEFAULT_MAX_RESULTS;
  if (max !== undefined) {
    const n = pageSizeOf(max);
    if (n === undefined || n > 1000) {
      throw invalidListRequest("The maxResults parameter must be an integer between 0 and 1000.");
    }
    maxResults = n;
  }
  const nextToken = single(params, "nextToken", invalidListRequest);
  if (nextToken !== undefined && !NEXT_TOKEN.test(nextToken)) {
    throw new S3ControlError(400, "InvalidNextTokenException", "The nextToken is not valid.");
  }
  return {
    ...(statuses.length > 0 ? { statuses } : {}),
    maxResults,
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

export function parsePriorityQuery(params: readonly QueryParam[]): number {
  const v = single(params, "priority", invalidArgument);
  if (v === undefined) throw invalidArgument("The priority parameter is required.");
  const n = jobPriorityOf(v);
  if (n === undefined) {
    throw invalidArgument("The priority parameter must be an integer between 0 and 2147483647.");
  }
  return n;
}

export type { StatusQuery };

export function parseStatusQuery(params: readonly QueryParam[]): StatusQuery {
  const requested = single(params, "requestedJobStatus", invalidArgument);
  if (requested === undefined) throw invalidArgument("The requestedJobStatus parameter is required.");
  const status = requestedJobStatusOf(requested);
  const reason = single(params, "statusUpdateReason", invalidArgument);
  if (reason !== undefined && [...reason].length > 256) {
    throw invalidArgument("The statusUpdateReason parameter must be at most 256 characters long.");
  }
  return { requested: status, reason: reason === "" ? undefined : reason };
}
