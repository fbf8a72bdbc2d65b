/**
 * The jobs as the CLI shows them on a terminal: a listing's table, a job's every field with its progress and
 * failures by cause, a preview, a report's files. Each reads the JSON API's answer as its schema
 * (src/api/json/schemas) has it; --json prints that answer instead and never comes here.
 */
import type { JobFailuresJson } from "../api/json/schemas/failures.js";
import type { JobJson, JobSummaryJson } from "../api/json/schemas/job.js";
import type { JobReportJson } from "../api/json/schemas/report.js";
import { formatBytes, formatDuration, type Output } from "./output.js";

type PreviewJson = {
  taskCount: number;
  complete: boolean;
  totalBytes?: number;
  sample: {
    bucket: string;
    key: string;
    versionId?: string;
    exists: boolean | null;
    size?: number;
    error?: string;
    targetBucket?: string;
    targetKey?: string;
  }[];
  problems: { code: string; message: string; line?: number }[];
  omittedProblems: number;
};

/** "1,234/5,000" or "1,234/?" while the total is not known. */
function doneOfTotal(done: number, total: number | null): string {
  return `${done.toLocaleString("en-US")}/${total === null ? "?" : total.toLocaleString("en-US")}`;
}

function when(instant: string | undefined): string {
  return instant === undefined ? "" : instant.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function showJobList(out: Output, jobs: readonly JobSummaryJson[]): void {
  if (jobs.length === 0) {
    out.line("No jobs.");
    return;
  }
  out.table(
    ["ID", "STATUS", "OPERATION", "PRIORITY", "DONE", "FAILED", "CREATED", "DESCRIPTION"],
    jobs.map((j) => [
      j.jobId,
      out.status(j.status),
      j.operation,
      String(j.priority),
      doneOfTotal(j.progress.succeeded + j.progress.failed, j.progress.total),
      j.progress.failed === 0 ? "0" : out.colours.red(j.progress.failed.toLocaleString("en-US")),
      when(j.creationTime),
      j.description ?? "",
    ]),
    { shrink: [7, 2], keep: [0] },
  );
}

export function showJob(out: Output, job: JobJson, failures: JobFailuresJson | undefined): void {
  const { operation, progress } = job;
  const { kind, ...settings } = operation as { kind: string } & Record<string, unknown>;
  const source = job.manifest
    ? `manifest ${bucketName(job.manifest.location.bucket)}/${job.manifest.location.key} (${job.manifest.format})`
    : job.manifestGenerator
      ? `listing of ${bucketName(String((job.manifestGenerator as { sourceBucket?: string }).sourceBucket ?? ""))} ${compact(job.manifestGenerator)}`
      : "";
  const report = job.report as { enabled: boolean; bucket?: string; prefix?: string; scope?: string };
  const pairs: [string, string][] = [
    ["Job", job.jobId],
    [
      "Status",
      out.status(job.status) +
        (job.pausedByUser ? " (paused by its user)" : "") +
        (job.statusUpdateReason ? ` - ${job.statusUpdateReason}` : ""),
    ],
    ...(job.description ? [["Description", job.description] as [string, string]] : []),
    ["Operation", Object.keys(settings).length > 0 ? `${kind} ${compact(settings)}` : kind],
    ["Source", source],
    [
      "Report",
      report.enabled ? `${bucketName(report.bucket ?? "")}/${report.prefix ?? ""} (${report.scope ?? ""})` : "none",
    ],
    ["Priority", String(job.priority)],
    ["Created", `${when(job.creationTime)} through the ${job.dialect} API`],
    ...(job.terminationTime ? [["Finished", when(job.terminationTime)] as [string, string]] : []),
    ...(job.suspendedTime
      ? [["Suspended", `${when(job.suspendedTime)} ${job.suspendedCause ?? ""}`.trim()] as [string, string]]
      : []),
    ...(job.confirmationRequired ? [["Confirmation", "required (objbatch jobs confirm ID)"] as [string, string]] : []),
    ["Tags", job.tags.length === 0 ? "none" : job.tags.map((t) => `${t.key}=${t.value}`).join(", ")],
    ...(job.roleArn ? [["Role", job.roleArn] as [string, string]] : []),
    ["Request token", job.clientRequestToken],
    ...(job.manifestEtag ? [["Manifest ETag", job.manifestEtag] as [string, string]] : []),
    ...(job.generatedManifest
      ? [
          [
            "Generated manifest",
            `${bucketName(job.generatedManifest.location.bucket)}/${job.generatedManifest.location.key}`,
          ] as [string, string],
        ]
      : []),
    [
      "Progress",
      `${doneOfTotal(progress.succeeded + progress.failed, progress.total)} tasks` +
        ` (${progress.succeeded.toLocaleString("en-US")} succeeded, ` +
        `${progress.failed === 0 ? "0" : out.colours.red(progress.failed.toLocaleString("en-US"))} failed` +
        `${progress.inFlight > 0 ? `, ${progress.inFlight.toLocaleString("en-US")} running` : ""})`,
    ],
    [
      "Rate",
      `${progress.tasksPerSecond.toFixed(1)} tasks/s over ${formatDuration(progress.elapsedMs / 1000)} active` +
        (progress.etaSeconds === null || job.terminationTime !== undefined
          ? ""
          : `, about ${formatDuration(progress.etaSeconds)} to go`),
    ],
  ];
  out.fields(pairs);
  if (job.failureReasons.length > 0) {
    out.line();
    out.line(out.colours.bold("Failure reasons:"));
    for (const f of job.failureReasons) out.line(`  ${f.code}: ${f.reason}`);
  }
  if (failures !== undefined && failures.total > 0) {
    out.line();
    out.line(out.colours.bold(`Failed tasks by cause (${failures.total.toLocaleString("en-US")}):`));
    showFailureCauses(out, failures);
  }
}

export function showFailures(out: Output, failures: JobFailuresJson): void {
  if (failures.total === 0) {
    out.line("No failed tasks.");
    return;
  }
  out.line(`${failures.total.toLocaleString("en-US")} failed ${failures.total === 1 ? "task" : "tasks"}:`);
  showFailureCauses(out, failures);
}

export function showFailureCauses(out: Output, failures: JobFailuresJson): void {
  out.table(
    ["COUNT", "HTTP", "ERROR", "E.G."],
    failures.causes.map((c) => [
      c.count.toLocaleString("en-US"),
      String(c.httpStatus),
      c.errorCode === "" ? "-" : c.errorCode,
      c.sampleKeys.map((k) => `${k.bucket}/${k.key}`).join(", "),
    ]),
    { shrink: [3] },
  );
}

export function showPreview(out: Output, preview: PreviewJson): void {
  out.line(previewHeadline(preview));
  if (preview.sample.length > 0) {
    out.line();
    const copies = preview.sample.some((t) => t.targetKey !== undefined);
    out.table(
      ["BUCKET", "KEY", "EXISTS", "SIZE", ...(copies ? ["COPIED TO"] : [])],
      preview.sample.map((t) => [
        t.bucket,
        t.versionId === undefined ? t.key : `${t.key} (version ${t.versionId})`,
        t.exists === null ? out.colours.yellow(`? ${t.error ?? ""}`.trim()) : t.exists ? "yes" : out.colours.red("no"),
        t.size === undefined ? "" : formatBytes(t.size),
        ...(copies ? [t.targetKey === undefined ? "" : `${t.targetBucket ?? ""}/${t.targetKey}`] : []),
      ]),
      { shrink: [1, 4] },
    );
  }
  if (preview.problems.length > 0) {
    out.line();
    out.line(out.colours.yellow(`Problems (${preview.problems.length + preview.omittedProblems}):`));
    for (const p of preview.problems)
      out.line(`  ${p.line === undefined ? "" : `line ${p.line}: `}${p.code}: ${p.message}`);
    if (preview.omittedProblems > 0) out.line(`  ... and ${preview.omittedProblems.toLocaleString("en-US")} more`);
  }
}

/**
 * What the preview found, in one sentence. An incomplete preview stopped either at a problem (then the problems
 * listed below say why) or when its time ran out; with nothing counted, there is no "at least 0".
 */
export function previewHeadline(preview: PreviewJson): string {
  const tasks = preview.taskCount.toLocaleString("en-US");
  const bytes = preview.totalBytes === undefined ? "" : `, ${formatBytes(preview.totalBytes)}`;
  if (preview.complete) return `The job would run ${tasks} ${preview.taskCount === 1 ? "task" : "tasks"}${bytes}.`;
  const stoppedAtProblem = preview.problems.length > 0;
  if (preview.taskCount === 0 && stoppedAtProblem)
    return "The job's objects could not be read: see the problems below.";
  return (
    `The job would run at least ${tasks} tasks${bytes}` +
    (stoppedAtProblem
      ? " (the manifest could not be read to its end: see the problems below)."
      : " (the manifest was not read to its end in time).")
  );
}

export function showReport(out: Output, report: JobReportJson): void {
  if (!report.enabled) {
    out.line(`Job ${report.jobId} writes no completion report.`);
    return;
  }
  out.fields([
    ["Report", `${report.bucket ?? ""}/${report.prefix ?? ""} (${report.format}, ${report.scope})`],
    [
      "State",
      report.state === "complete"
        ? "complete: the job has finished"
        : report.state === "writing"
          ? "writing: the job has not finished"
          : report.state,
    ],
    ...(report.manifest ? [["Manifest", report.manifest.key] as [string, string]] : []),
  ]);
  if (report.files.length === 0) return;
  out.line();
  out.table(
    ["STATUS", "FILE", "BYTES", "DONE", "KEY"],
    report.files.map((f) => [f.taskStatus, String(f.index), formatBytes(f.bytes), f.completed ? "yes" : "no", f.key]),
    { shrink: [4] },
  );
}

export type { PreviewJson };

export interface TaskResultPageJson {
  tasks: {
    bucket: string;
    key: string;
    versionId: string | null;
    status: string;
    httpStatus: number;
    errorCode: string;
    resultMessage: string;
  }[];
  nextCursor: string | null;
}

/** Task results (GET /jobs/{id}/tasks) as a table; the message gives way first to fit the width. */
export function showTaskResults(out: Output, tasks: TaskResultPageJson["tasks"]): void {
  if (tasks.length === 0) {
    out.line("No tasks.");
    return;
  }
  out.table(
    ["BUCKET", "KEY", "STATUS", "HTTP", "ERROR", "MESSAGE"],
    tasks.map((t) => [
      t.bucket,
      t.versionId === null ? t.key : `${t.key} (${t.versionId})`,
      t.status === "failed" ? out.colours.red(t.status) : t.status,
      String(t.httpStatus),
      t.errorCode === "" ? "-" : t.errorCode,
      t.resultMessage,
    ]),
    { shrink: [5, 1] },
  );
}

/** "arn:aws:s3:::photos" -> "photos"; a COS or OSS bucket reference is shown as given. */
function bucketName(reference: string): string {
  return reference.replace(/^arn:[^:]*:s3:::/, "");
}

function compact(value: unknown): string {
  return JSON.stringify(value);
}
