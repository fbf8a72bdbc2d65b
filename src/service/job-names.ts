/**
 * Job names (JobSpec.jobName, the Google dialect's jobId, D46): unique in an account, looked up by name. A job
 * created with a name carries the client request token `gcs-name:<sha256 of the name, 48 hex digits>`; the store's
 * unique (account, token) key then refuses a second job of that name, and its index finds the job by name, so no
 * column or migration is needed (the token column holds 64 characters, a name up to 128).
 */
import { createHash } from "node:crypto";

export function jobNameToken(jobName: string): string {
  return `gcs-name:${createHash("sha256").update(jobName).digest("hex").slice(0, 48)}`;
}
