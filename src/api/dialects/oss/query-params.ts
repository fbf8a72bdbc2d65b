/**
 * OSS query parameters: which operation a request to `/` names (its sub-resource), and the parameters of
 * DescribeJob, ListJobs, UpdateJobPriority and UpdateJobStatus. Names match exactly (OSS parameters are
 * case-sensitive); a parameter given twice is an error rather than a guess.
 *
 * ListJobs (the OSS ListJobs documentation): `batchJobStatuses` filters by status, several separated by `|` with spaces allowed
 * (`Active | Cancelled`); `max-keys` is 1-1000, default 100; `continuation-token` is 1-1024 characters of
 * A-Z a-z 0-9 and `+ : / = ? # - _`, the NextToken of the previous page.
 */
import { invalidArgument } from "../../../domain/errors.js";
import { isJobStatus, type JobStatus } from "../../../domain/status.js";
import type { ListJobsQuery } from "../../../service/types.js";
import type { QueryParam } from "../../auth/request-target.js";
import { jobPriorityOf, pageSizeOf, requestedJobStatusOf, type StatusQuery } from "../shared/query-values.js";
import { OSS_EC, OssCodedError } from "./errors.js";

export const OSS_DEFAULT_MAX_KEYS = 100;
export const OSS_MAX_MAX_KEYS = 1000;

export type OssSubResource = "batchJob" | "batchJobPriority" | "batchJobStatus";
const SUB_RESOURCES: readonly OssSubResource[] = ["batchJob", "batchJobPriority", "batchJobStatus"];

const CONTINUATION_TOKEN = /^[A-Za-z0-9+:/=?#_-]{1,1024}$/;
/**
 * OSS documents 44 characters of A-Z a-z 0-9 (base64 with `=` padding in its examples); objbatch's own ids are
 * UUIDs with `-`. Both shapes pass; anything else cannot name a job.
 */
const JOB_ID = /^[A-Za-z0-9=_-]{1,64}$/;

function single(params: readonly QueryParam[], name: string): string | undefined {
  const matching = params.filter((p) => p.name === name);
  if (matching.length > 1) throw invalidArgument(`The parameter ${name} may be given only once.`);
  return matching[0]?.value;
}

/** The batch sub-resource the request names, or undefined when it names none. Two of them is an error. */
export function subResourceOf(params: readonly QueryParam[]): OssSubResource | undefined {
  const named = SUB_RESOURCES.filter((s) => params.some((p) => p.name === s));
  if (named.length > 1) {
    throw invalidArgument(`A request may name only one of ${SUB_RESOURCES.join(", ")}; it names ${named.join(", ")}.`);
  }
  const [found] = named;
  if (found !== undefined && single(params, found) !== "") {
    throw invalidArgument(`The sub-resource ${found} takes no value.`);
  }
  return found;
}

/**
 * A batchJobId whose percent-encoding does not decode (`%ZZ`, bytes that are not UTF-8) is a malformed job ID like
 * any other, so it gets the same EC rather than the generic answer to an undecodable query. Checked on the
 * request target as received, before the query as a whole is decoded.
 */
export function rejectUndecodableJobId(url: string): void {
  const start = url.indexOf("?");
  if (start === -1) return;
  const end = url.indexOf("#", start);
  for (const part of url.slice(start + 1, end === -1 ? undefined : end).split("&")) {
    const eq = part.indexOf("=");
    if ((eq === -1 ? part : part.slice(0, eq)) !== "batchJobId") continue;
    try {
      decodeURIComponent(part.slice(eq + 1).replace(/\+/g, " "));
    } catch {
      throw new OssCodedError("InvalidArgument", "The batchJobId is not a valid job ID.", OSS_EC.invalidJobId);
    }
  }
}

/** The one batchJobId; given more than once it is malformed, with the job ID's EC. */
function jobIdParam(params: readonly QueryParam[]): string | undefined {
  const matching = params.filter((p) => p.name === "batchJobId");
  if (matching.length > 1) {
    throw new OssCodedError("InvalidArgument", "The parameter batchJobId may be given only once.", OSS_EC.invalidJobId);
  }
  return matching[0]?.value;
}

/** `batchJobId` when present (DescribeJob); undefined when absent (ListJobs). */
export function optionalJobId(params: readonly QueryParam[]): string | undefined {
  const v = jobIdParam(params);
  if (v === undefined) return undefined;
  return checkJobId(v);
}

export function requiredJobId(params: readonly QueryParam[]): string {
  const v = jobIdParam(params);
  if (v === undefined) {
    throw new OssCodedError("InvalidArgument", "The batchJobId parameter is required.", OSS_EC.invalidJobId);
  }
  return checkJobId(v);
}

function checkJobId(v: string): string {
  if (!JOB_ID.test(v)) {
    throw new OssCodedError(
      "InvalidArgument",
      `The batchJobId "${v.slice(0, 64)}" is not a valid job ID.`,
      OSS_EC.invalidJobId,
    );
  }
  return v;
}

export function parseListJobsQuery(params: readonly QueryParam[]): ListJobsQuery {
  const statuses: JobStatus[] = [];
  const raw = single(params, "batchJobStatuses");
  if (raw !== undefined && raw.trim() !== "") {
    for (const item of raw.split("|")) {
      const s = item.trim();
      if (!isJobStatus(s)) {
        throw invalidArgument(`The batchJobStatuses parameter is invalid: "${s.slice(0, 64)}" is not a job status.`);
      }
      if (!statuses.includes(s)) statuses.push(s);
    }
  }
  const max = single(params, "max-keys");
  let maxResults = OSS_DEFAULT_MAX_KEYS;
  if (max !== undefined) {
    const n = pageSizeOf(max);
    if (n === undefined || n < 1 || n > OSS_MAX_MAX_KEYS) {
      throw invalidArgument(`The max-keys parameter must be an integer between 1 and ${OSS_MAX_MAX_KEYS}.`);
    }
    maxResults = n;
  }
  const token = single(params, "continuation-token");
  if (token !== undefined && !CONTINUATION_TOKEN.test(token)) {
    throw invalidArgument(
      "The continuation-token parameter must be 1 to 1024 characters of A-Z, a-z, 0-9 and + : / = ? # - _.",
    );
  }
  return {
    ...(statuses.length > 0 ? { statuses } : {}),
    maxResults,
    ...(token !== undefined ? { nextToken: token } : {}),
  };
}

export function parseTargetPriority(params: readonly QueryParam[]): number {
  const v = single(params, "targetPriority");
  if (v === undefined) throw invalidArgument("The targetPriority parameter is required.");
  const n = jobPriorityOf(v);
  if (n === undefined) {
    throw invalidArgument("The targetPriority parameter must be an integer between 0 and 2147483647.");
  }
  return n;
}

export type { StatusQuery };

/**
 * `requestedJobStatus` is Ready or Cancelled, or objbatch's extension Paused (D31). OSS calls
 * `statusUpdateReason` optional for Ready; objbatch keeps it optional for Cancelled too (as S3 Control does).
 * When given it is 1 to 256 characters, as OSS documents: an empty value is refused.
 */
export function parseStatusQuery(params: readonly QueryParam[]): StatusQuery {
  const requested = requestedJobStatusOf(single(params, "requestedJobStatus"));
  const reason = single(params, "statusUpdateReason");
  if (reason !== undefined && (reason === "" || [...reason].length > 256)) {
    throw invalidArgument("The statusUpdateReason parameter must be 1 to 256 characters long.");
  }
  return { requested, reason };
}
