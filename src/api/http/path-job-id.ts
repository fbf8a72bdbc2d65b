/**
 * The job id of a path like `/jobs/:jobId`. Ids are at most 64 bytes in objbatch (COS: 1-64 bytes, AWS: 5-36
 * characters), so a longer one cannot exist and answers NoSuchJob. An empty one is a bad request; the
 * dialects word that differently (COS InvalidRequest, S3 Control InvalidArgument), hence `whenMissing`.
 */
import { type DomainError, noSuchJob } from "../../domain/errors.js";

export const MAX_JOB_ID_BYTES = 64;

export function jobIdFromPath(jobId: string | undefined, whenMissing: (message: string) => DomainError): string {
  const id = jobId ?? "";
  if (id === "") throw whenMissing("The job ID is missing.");
  if (Buffer.byteLength(id) > MAX_JOB_ID_BYTES) throw noSuchJob(id.slice(0, MAX_JOB_ID_BYTES));
  return id;
}
