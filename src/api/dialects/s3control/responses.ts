/**
 * S3 Control response bodies (the S3 Control API reference), rooted at the output shape names with elements in the model's
 * order; lists as `<member>` (the JS SDK reads `Jobs.member`), maps as entry/key/value, timestamps ISO-8601 with
 * `Z` (D3). Jobs created through COS or OSS render too: operations under their AWS names (operation.ts),
 * references as they were sent (D2), a report format word of another dialect as AWS's, an OSS
 * KeyPrefixManifestGenerator as an S3JobManifestGenerator, a Google dry run with an extension `<DryRun>` (D47).
 *
 * JobArn is `arn:aws:s3:<region>:<account>:job/<id>`; objbatch has no regions of its own, so the region is the
 * one the client signed for. Every result root declares S3 Control's namespace, as AWS writes it.
 */
import type { Job, JobSummary, Manifest, ProgressSummary, ReportConfig, Tag } from "../../../domain/job.js";
import { el, leaf, optLeaf, toXml, type XmlNode } from "../../xml/build.js";
import { renderFailureReasons } from "../shared/failure-reasons.js";
import * as shared from "../shared/job-results.js";
import { renderGeneratedManifestDescriptor, renderManifestGenerator } from "./manifest-generator.js";
import { S3CONTROL_OPERATION_NAMES } from "./operation.js";
import { renderS3ControlOperation } from "./operation-render.js";
import { formatS3ControlTimestamp } from "./timestamps.js";
import { tagList } from "./xml-shapes.js";

/** The namespace of S3 Control's request and result documents. */
export const S3CONTROL_XMLNS = "http://awss3control.amazonaws.com/doc/2018-08-20/";

const namespaced = { xmlns: S3CONTROL_XMLNS };

// CreateJob and UpdateJob* answers are the same in every dialect, here with the namespace.
export function renderCreateJobResult(jobId: string): string {
  return shared.renderCreateJobResult(jobId, S3CONTROL_XMLNS);
}

export function renderUpdateJobPriorityResult(job: Parameters<typeof shared.renderUpdateJobPriorityResult>[0]): string {
  return shared.renderUpdateJobPriorityResult(job, S3CONTROL_XMLNS);
}

export function renderUpdateJobStatusResult(job: Parameters<typeof shared.renderUpdateJobStatusResult>[0]): string {
  return shared.renderUpdateJobStatusResult(job, S3CONTROL_XMLNS);
}

export function jobArn(region: string, accountId: string, jobId: string): string {
  return `arn:aws:s3:${region}:${accountId}:job/${jobId}`;
}

export function renderDescribeJobResult(job: Job, region: string): string {
  return toXml(el("DescribeJobResult", renderJob(job, region)), namespaced);
}

export function renderListJobsResult(jobs: readonly JobSummary[], nextToken: string | undefined): string {
  return toXml(
    el(
      "ListJobsResult",
      optLeaf("NextToken", nextToken),
      el(
        "Jobs",
        jobs.map((j) =>
          el(
            "member",
            leaf("JobId", j.jobId),
            optLeaf("Description", j.description === "" ? undefined : j.description),
            leaf("Operation", S3CONTROL_OPERATION_NAMES[j.operation.kind]),
            leaf("Priority", j.priority),
            leaf("Status", j.status),
            leaf("CreationTime", formatS3ControlTimestamp(j.creationTime)),
            j.terminationDate && leaf("TerminationDate", formatS3ControlTimestamp(j.terminationDate)),
            renderProgress(j.progress),
          ),
        ),
      ),
    ),
    namespaced,
  );
}

export function renderGetJobTaggingResult(tags: readonly Tag[]): string {
  return toXml(el("GetJobTaggingResult", tagList("Tags", tags)), namespaced);
}

/** The `<Job>` element of DescribeJobResult (JobDescriptor). */
export function renderJob(job: Job, region: string): XmlNode {
  return el(
    "Job",
    leaf("JobId", job.jobId),
    leaf("ConfirmationRequired", job.confirmationRequired),
    optLeaf("Description", job.description === "" ? undefined : job.description),
    leaf("JobArn", jobArn(region, job.accountId, job.jobId)),
    leaf("Status", job.status),
    job.manifest && renderManifest(job.manifest),
    renderS3ControlOperation(job.operation),
    leaf("Priority", job.priority),
    renderProgress(job.progress),
    optLeaf("StatusUpdateReason", job.statusUpdateReason),
    renderFailureReasons(job.failureReasons, "member"),
    renderReport(job.report, job.dialect === "s3control"),
    leaf("CreationTime", formatS3ControlTimestamp(job.creationTime)),
    job.terminationDate && leaf("TerminationDate", formatS3ControlTimestamp(job.terminationDate)),
    leaf("RoleArn", job.roleArn),
    job.suspendedDate && leaf("SuspendedDate", formatS3ControlTimestamp(job.suspendedDate)),
    optLeaf("SuspendedCause", job.suspendedCause),
    job.manifestGenerator && renderManifestGenerator(job.manifestGenerator),
    job.generatedManifest && renderGeneratedManifestDescriptor(job.generatedManifest),
    // An objbatch extension (D47): a Google dry run counts its tasks and acts on none. The SDK skips it.
    job.dryRun === true && leaf("DryRun", true),
  );
}

function renderManifest(m: Manifest): XmlNode {
  const loc = m.location;
  // OSS jobs name the manifest by bucket and object; S3 Control clients get the object ARN form (D2).
  const objectArn = loc.objectArn ?? `arn:aws:s3:::${loc.bucket.bucket}/${loc.key}`;
  return el(
    "Manifest",
    el(
      "Spec",
      leaf("Format", m.format),
      m.fields.length > 0 &&
        el(
          "Fields",
          m.fields.map((f) => leaf("member", f)),
        ),
    ),
    el("Location", leaf("ObjectArn", objectArn), optLeaf("ObjectVersionId", loc.versionId), optLeaf("ETag", loc.etag)),
  );
}

function renderProgress(p: ProgressSummary): XmlNode {
  return el(
    "ProgressSummary",
    // -1 in the model means "not counted yet"; the AWS shape is a count >= 0.
    leaf("TotalNumberOfTasks", Math.max(p.total, 0)),
    leaf("NumberOfTasksSucceeded", p.succeeded),
    leaf("NumberOfTasksFailed", p.failed),
    el("Timers", leaf("ElapsedTimeInActiveSeconds", p.elapsedActiveSeconds)),
  );
}

function renderReport(r: ReportConfig, createdHere: boolean): XmlNode {
  // Another dialect's report format word (Report_CSV_V1) means the same CSV report: show AWS's word.
  const format = r.format === undefined ? undefined : createdHere ? r.format : "Report_CSV_20180820";
  return el(
    "Report",
    r.bucket && leaf("Bucket", r.bucket.arn),
    optLeaf("Format", format),
    leaf("Enabled", r.enabled),
    optLeaf("Prefix", r.prefix === "" ? undefined : r.prefix),
    optLeaf("ReportScope", r.scope),
    optLeaf("ExpectedBucketOwner", r.expectedBucketOwner),
  );
}
