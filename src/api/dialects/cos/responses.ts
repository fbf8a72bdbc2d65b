/**
 * COS response bodies (COS DescribeJob / ListJobs / CreateJob / UpdateJob* documents, seeds 000, 002, 003).
 * Elements are written in the documents' (alphabetical) order; optional elements are left out when the job
 * has no value for them. Timestamps are ISO-8601 seconds with `Z` (D3). Jobs created through other dialects
 * render too: their operation appears under its COS or extension name (operation.ts), their references as
 * they were sent.
 *
 * Deliberate differences from the COS document's example:
 * - a job without failures has an empty `<FailureReasons></FailureReasons>`, not one JobFailure with empty
 *   code and reason (which a client would count as a failure);
 * - ProgressSummary has no Timers (COS has none); a total not yet counted (-1 in the model) shows as 0;
 * - a Google dry run (D47) shows `<DryRun>true</DryRun>`, an extension.
 */
import type { Job, JobSummary, Manifest, ProgressSummary, ReportConfig } from "../../../domain/job.js";
import { el, leaf, optLeaf, toXml, type XmlNode } from "../../xml/build.js";
import { renderFailureReasons } from "../shared/failure-reasons.js";
import { COS_OPERATION_NAMES, renderCosOperation } from "./operation.js";
import { formatCosTimestamp } from "./timestamps.js";

// CreateJob and UpdateJob* answers are the same in every dialect.
export {
  renderCreateJobResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "../shared/job-results.js";

export function renderDescribeJobResult(job: Job): string {
  return toXml(el("DescribeJobResult", renderJob(job)));
}

export function renderListJobsResult(jobs: readonly JobSummary[], nextToken: string | undefined): string {
  return toXml(
    el(
      "ListJobsResult",
      el(
        "Jobs",
        jobs.map((j) =>
          el(
            "member",
            leaf("CreationTime", formatCosTimestamp(j.creationTime)),
            optLeaf("Description", j.description),
            leaf("JobId", j.jobId),
            leaf("Operation", COS_OPERATION_NAMES[j.operation.kind]),
            leaf("Priority", j.priority),
            renderProgress(j.progress),
            leaf("Status", j.status),
            j.terminationDate && leaf("TerminationDate", formatCosTimestamp(j.terminationDate)),
          ),
        ),
      ),
      optLeaf("NextToken", nextToken),
    ),
  );
}

/** The `<Job>` element of DescribeJobResult, with every element of the COS document's Job table. */
export function renderJob(job: Job): XmlNode {
  return el(
    "Job",
    leaf("ClientRequestToken", job.clientRequestToken),
    leaf("ConfirmationRequired", job.confirmationRequired),
    leaf("CreationTime", formatCosTimestamp(job.creationTime)),
    optLeaf("Description", job.description),
    // An objbatch extension (D47): a Google dry run counts its tasks and acts on none.
    job.dryRun === true && leaf("DryRun", true),
    renderFailureReasons(job.failureReasons, "JobFailure"),
    leaf("JobId", job.jobId),
    job.manifest && renderManifest(job.manifest),
    renderCosOperation(job.operation),
    leaf("Priority", job.priority),
    renderProgress(job.progress),
    renderReport(job.report, job.dialect === "cos"),
    leaf("RoleArn", job.roleArn),
    leaf("Status", job.status),
    optLeaf("StatusUpdateReason", job.statusUpdateReason),
    optLeaf("SuspendedCause", job.suspendedCause),
    job.suspendedDate && leaf("SuspendedDate", formatCosTimestamp(job.suspendedDate)),
    job.terminationDate && leaf("TerminationDate", formatCosTimestamp(job.terminationDate)),
  );
}

function renderManifest(m: Manifest): XmlNode {
  const loc = m.location;
  // OSS jobs name the manifest by bucket and object; COS clients get the object ARN form (D2).
  const objectArn = loc.objectArn ?? `${loc.bucket.arn}/${loc.key}`;
  return el(
    "Manifest",
    el("Location", optLeaf("ETag", loc.etag), leaf("ObjectArn", objectArn), optLeaf("ObjectVersionId", loc.versionId)),
    el(
      "Spec",
      m.fields.length > 0 &&
        el(
          "Fields",
          m.fields.map((f) => leaf("member", f)),
        ),
      leaf("Format", m.format),
    ),
  );
}

function renderProgress(p: ProgressSummary): XmlNode {
  return el(
    "ProgressSummary",
    leaf("NumberOfTasksFailed", p.failed),
    leaf("NumberOfTasksSucceeded", p.succeeded),
    leaf("TotalNumberOfTasks", Math.max(p.total, 0)),
  );
}

function renderReport(r: ReportConfig, createdByCos: boolean): XmlNode {
  // Another dialect's report format word (Report_CSV_20180820) means the same CSV report: show COS's word.
  const format = r.format === undefined ? undefined : createdByCos ? r.format : "Report_CSV_V1";
  return el(
    "Report",
    r.bucket && leaf("Bucket", r.bucket.arn),
    leaf("Enabled", r.enabled),
    optLeaf("Format", format),
    optLeaf("Prefix", r.prefix),
    optLeaf("ReportScope", r.scope),
  );
}
