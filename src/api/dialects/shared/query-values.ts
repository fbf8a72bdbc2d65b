/**
 * Values of job query parameters read the same way in every dialect: a priority, a page size and the
 * requested status of UpdateJobStatus. How parameters are looked up (COS matches names case-insensitively,
 * OSS and S3 Control exactly), their names and the error each dialect answers stay in its query-params.ts.
 */
import { invalidArgument } from "../../../domain/errors.js";

export const MAX_JOB_PRIORITY = 2147483647;

/** A decimal priority 0-2147483647 (leading zeros allowed), or undefined when `value` is not one. */
export function jobPriorityOf(value: string): number | undefined {
  const m = /^0*(\d{1,10})$/.exec(value);
  const n = m === null ? Number.NaN : Number(m[1]);
  return n >= 0 && n <= MAX_JOB_PRIORITY ? n : undefined;
}

/** A decimal page size of at most four digits (leading zeros allowed), or undefined; callers check the range. */
export function pageSizeOf(value: string): number | undefined {
  const m = /^0*(\d{1,4})$/.exec(value);
  return m === null ? undefined : Number(m[1]);
}

export interface StatusQuery {
  readonly requested: "Ready" | "Cancelled" | "Paused";
  readonly reason: string | undefined;
}

/**
 * `requestedJobStatus` of UpdateJobStatus: Ready or Cancelled, or objbatch's extension Paused (D31: pauses the job
 * for its user; Ready on a job its user paused resumes it), else InvalidArgument.
 */
export function requestedJobStatusOf(value: string | undefined): StatusQuery["requested"] {
  if (value !== "Ready" && value !== "Cancelled" && value !== "Paused") {
    throw invalidArgument("The requestedJobStatus parameter must be Ready, Cancelled or Paused.");
  }
  return value;
}
