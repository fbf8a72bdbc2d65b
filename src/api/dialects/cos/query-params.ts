/**
 * COS query parameters (ListJobs, UpdateJobPriority, UpdateJobStatus), read from the decoded parameters the
 * signature check covered. Names match case-insensitively, as they are signed; codes follow the COS
 * documents (InvalidArgument for bad values, InvalidRequest for a missing priority).
 */
import { invalidArgument, invalidRequest } from "../../../domain/errors.js";
import { isJobStatus, type JobStatus } from "../../../domain/status.js";
import type { ListJobsQuery } from "../../../service/types.js";
import type { QueryParam } from "../../auth/request-target.js";
import { jobPriorityOf, pageSizeOf, requestedJobStatusOf, type StatusQuery } from "../shared/query-values.js";
import { PRIORITY_MESSAGE } from "./create-job-request.js";

export const COS_DEFAULT_MAX_RESULTS = 1000;

/** All values of a parameter, however often it is repeated. */
function values(params: readonly QueryParam[], name: string): string[] {
  const lower = name.toLowerCase();
  const matching = params.filter((p) => p.name.toLowerCase() === lower);
  if (new Set(matching.map((p) => p.name)).size > 1) {
    throw invalidArgument(`The parameter ${name} is sent under several spellings.`);
  }
  return matching.map((p) => p.value);
}

function single(params: readonly QueryParam[], name: string): string | undefined {
  const v = values(params, name);
  if (v.length > 1) throw invalidArgument(`The parameter ${name} may be given only once.`);
  return v[0];
}

/**
 * `jobStatuses` may be repeated and each value may list several statuses separated by commas
 * (`?jobStatuses=Active,Complete&jobStatuses=Failed`). An empty value means no filter.
 */
export function parseListJobsQuery(params: readonly QueryParam[]): ListJobsQuery {
  const statuses: JobStatus[] = [];
  const raw = values(params, "jobStatuses");
  if (raw.some((v) => v.trim() !== "")) {
    for (const item of raw.flatMap((v) => v.split(","))) {
      const s = item.trim();
      if (!isJobStatus(s))
        throw invalidArgument(`Parameter jobStatuses is invalid: "${s.slice(0, 64)}" is not a job status.`);
      if (!statuses.includes(s)) statuses.push(s);
    }
  }
  const max = single(params, "maxResults");
  let maxResults = COS_DEFAULT_MAX_RESULTS;
  if (max !== undefined) {
    const n = pageSizeOf(max);
    if (n === undefined || n < 1 || n > 1000) {
      throw invalidArgument("The maxResults parameter must be an integer between 1 and 1000.");
    }
    maxResults = n;
  }
  const nextToken = single(params, "nextToken");
  if (nextToken !== undefined) {
    const bytes = Buffer.byteLength(nextToken);
    if (bytes < 1 || bytes > 64) throw invalidArgument("The nextToken parameter is invalid.");
  }
  return {
    ...(statuses.length > 0 ? { statuses } : {}),
    maxResults,
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

export function parsePriorityQuery(params: readonly QueryParam[]): number {
  const v = single(params, "priority");
  if (v === undefined) throw invalidRequest("The priority parameter is required.");
  const n = jobPriorityOf(v);
  if (n === undefined) throw invalidArgument(PRIORITY_MESSAGE);
  return n;
}

export type { StatusQuery };

export function parseStatusQuery(params: readonly QueryParam[]): StatusQuery {
  const requested = requestedJobStatusOf(single(params, "requestedJobStatus"));
  const reason = single(params, "statusUpdateReason");
  if (reason !== undefined && Buffer.byteLength(reason) > 256) {
    throw invalidArgument("The statusUpdateReason parameter must be at most 256 bytes long.");
  }
  return { requested, reason: reason === "" ? undefined : reason };
}
