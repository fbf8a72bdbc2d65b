/**
 * OSS response bodies (OSS CreateJob / DescribeJob / ListJobs / UpdateJob* documentation, the official Go
 * SDK's fixtures). Timestamps are Unix epoch seconds (D3). ProgressSummary carries Timers/ElapsedTimeInActiveSeconds;
 * a job not yet counted shows TotalNumberOfTasks -1, as OSS reports a job that never prepared. Manifest Fields is
 * one comma-separated string; Location names the bucket and the object; Report has no Format.
 *
 * Jobs created through other dialects render too: their operation under its OSS or extension name
 * (operation.ts), their buckets as plain names (OSS has no ARNs; an OSS job's references are echoed as sent),
 * their CSV manifest as OSS's CSV format when it is another dialect's CSV format word for the same thing, and an
 * S3 Control ManifestGenerator as an `S3JobManifestGenerator` element (an extension; OSS has only the key-prefix
 * generator). A Google dry run (D47) shows `<DryRun>true</DryRun>`, an extension; Google's manifest CSV keeps its
 * own format word (its rows are not OSS's: a header row, names not URL-encoded).
 */
import type {
  Job,
  JobSummary,
  Manifest,
  ManifestGenerator,
  ProgressSummary,
  ReportConfig,
} from "../../../domain/job.js";
import { el, leaf, optLeaf, toXml, type XmlNode } from "../../xml/build.js";
import { renderFailureReasons } from "../shared/failure-reasons.js";
import { OSS_OPERATION_NAMES, renderOssOperation } from "./operation.js";

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
      optLeaf("NextToken", nextToken),
      el(
        "Jobs",
        jobs.map((j) =>
          el(
            "JobListDescriptor",
            leaf("CreationTime", epochSeconds(j.creationTime)),
            optLeaf("Description", j.description),
            leaf("JobId", j.jobId),
            leaf("Operation", OSS_OPERATION_NAMES[j.operation.kind]),
            leaf("Priority", j.priority),
            renderProgress(j.progress),
            leaf("Status", j.status),
            j.terminationDate && leaf("TerminationDate", epochSeconds(j.terminationDate)),
          ),
        ),
      ),
    ),
  );
}

/** The `<Job>` element of DescribeJobResult, in the order of the OSS document. */
export function renderJob(job: Job): XmlNode {
  const own = job.dialect === "oss";
  return el(
    "Job",
    leaf("ConfirmationRequired", job.confirmationRequired),
    leaf("CreationTime", epochSeconds(job.creationTime)),
    leaf("JobId", job.jobId),
    renderOssOperation(job.operation),
    renderReport(job.report, own),
    job.manifest && renderManifest(job.manifest, own),
    optLeaf("Description", job.description),
    // An objbatch extension (D47): a Google dry run counts its tasks and acts on none.
    job.dryRun === true && leaf("DryRun", true),
    leaf("Priority", job.priority),
    leaf("RoleArn", job.roleArn),
    optLeaf("StatusUpdateReason", job.statusUpdateReason),
    renderProgress(job.progress),
    job.manifestGenerator && renderGenerator(job.manifestGenerator, own),
    // Present on every job, empty when there is no failure, as the OSS DescribeJob document shows it.
    renderFailureReasons(job.failureReasons, "JobFailure"),
    leaf("Status", job.status),
    job.terminationDate && leaf("TerminationDate", epochSeconds(job.terminationDate)),
  );
}

/** Unix epoch seconds. */
export function epochSeconds(value: Date | string): number {
  const ms = (typeof value === "string" ? new Date(value) : value).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/** Another dialect's CSV manifest word means the same CSV manifest; inventory formats stay as they are. */
const CSV_FORMATS: ReadonlySet<string> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
]);

function renderManifest(m: Manifest, own: boolean): XmlNode {
  const loc = m.location;
  const format = own || !CSV_FORMATS.has(m.format) ? m.format : "OSS_BatchOperations_CSV_20250611";
  return el(
    "Manifest",
    el(
      "Location",
      optLeaf("ETag", loc.etag),
      leaf("Bucket", own ? loc.bucket.arn : loc.bucket.bucket),
      leaf("Object", loc.key),
      optLeaf("VersionId", loc.versionId),
    ),
    el("Spec", m.fields.length > 0 && leaf("Fields", m.fields.join(",")), leaf("Format", format)),
  );
}

function renderGenerator(g: ManifestGenerator, own: boolean): XmlNode {
  const sourceBucket = leaf("SourceBucket", own ? g.sourceBucket.arn : g.sourceBucket.bucket);
  if (g.kind === "KeyPrefixManifestGenerator") {
    return el("KeyPrefixManifestGenerator", sourceBucket, optLeaf("Prefix", g.prefix));
  }
  // An S3 Control generator (filters OSS cannot express): shown under its own name, an objbatch extension.
  return el("S3JobManifestGenerator", sourceBucket, leaf("EnableManifestOutput", g.enableManifestOutput));
}

function renderProgress(p: ProgressSummary): XmlNode {
  return el(
    "ProgressSummary",
    leaf("NumberOfTasksFailed", p.failed),
    leaf("NumberOfTasksSucceeded", p.succeeded),
    el("Timers", leaf("ElapsedTimeInActiveSeconds", p.elapsedActiveSeconds)),
    leaf("TotalNumberOfTasks", p.total),
  );
}

function renderReport(r: ReportConfig, own: boolean): XmlNode {
  return el(
    "Report",
    r.bucket && leaf("Bucket", own ? r.bucket.arn : r.bucket.bucket),
    leaf("Enabled", r.enabled),
    optLeaf("Prefix", r.prefix),
    optLeaf("ReportScope", r.scope),
  );
}
