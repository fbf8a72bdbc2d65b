/**
 * The answers to CreateJob, UpdateJobPriority and UpdateJobStatus. COS, OSS and S3 Control write these
 * three bodies identically (same element names and order), so each dialect's responses.ts re-exports them;
 * S3 Control passes its namespace for the root element.
 */
import type { Job } from "../../../domain/job.js";
import { el, leaf, optLeaf, toXml } from "../../xml/build.js";

export function renderCreateJobResult(jobId: string, xmlns?: string): string {
  return toXml(el("CreateJobResult", leaf("JobId", jobId)), { xmlns });
}

export function renderUpdateJobPriorityResult(job: Pick<Job, "jobId" | "priority">, xmlns?: string): string {
  return toXml(el("UpdateJobPriorityResult", leaf("JobId", job.jobId), leaf("Priority", job.priority)), { xmlns });
}

export function renderUpdateJobStatusResult(
  job: Pick<Job, "jobId" | "status" | "statusUpdateReason">,
  xmlns?: string,
): string {
  return toXml(
    el(
      "UpdateJobStatusResult",
      leaf("JobId", job.jobId),
      leaf("Status", job.status),
      optLeaf("StatusUpdateReason", job.statusUpdateReason),
    ),
    { xmlns },
  );
}
