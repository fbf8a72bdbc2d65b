/**
 * A job's completion report (D11, D29), over the JobService:
 *
 *   GET /jobs/{jobId}/report                          where it goes, its state, its results files, manifest.json
 *   GET /jobs/{jobId}/report/files/{status}/{index}   a completed results file's CSV, streamed from its bucket
 *
 * A client names a results file by its tasks' status and its number, never by key or bucket: the key is the one
 * the store recorded for the job. Another account's job answers exactly like a missing one (404 no-such-job).
 */
import { Type } from "typebox";
import type { TaskStatus } from "../../domain/task.js";
import type { JobReport } from "../../service/job-report.js";
import type { JobServiceApi } from "../../service/types.js";
import { jobIdOf } from "./job-routes.js";
import { API_PREFIX } from "./openapi.js";
import { ProblemError } from "./problems.js";
import type { JsonRoute } from "./route.js";
import {
  type JobReportJson,
  JobReportSchema,
  MAX_REPORT_FILE_INDEX,
  ReportFileIndexSchema,
  TASK_STATUSES,
  TaskStatusSchema,
} from "./schemas/report.js";

export function reportRoutes(service: JobServiceApi): JsonRoute[] {
  return [
    {
      method: "GET",
      path: "/jobs/:jobId/report",
      operationId: "getJobReport",
      summary: "The job's completion report: where it is, its results files and, once finished, its manifest",
      authenticated: true,
      responses: { 200: { description: "The job's report.", schema: JobReportSchema } },
      problems: [502],
      handler: async ({ account, params }) => {
        const report = await service.describeJobReport(account.id, jobIdOf(params));
        return { status: 200, body: reportView(report) };
      },
    },
    {
      method: "GET",
      path: "/jobs/:jobId/report/files/:status/:index",
      operationId: "getJobReportFile",
      summary: "Download a completed results file of the job's report (CSV, streamed from the report bucket)",
      description:
        "The file is named by its tasks' status and its number, as `files` of the report lists them. A file " +
        "still being written, or one the report does not have, answers 404.",
      authenticated: true,
      params: { status: TaskStatusSchema, index: ReportFileIndexSchema },
      responses: {
        200: {
          description: "The results file, as the engine wrote it (rows as in D11).",
          contentType: "text/csv",
          schema: Type.String({
            description: "CSV rows: Bucket, Key, VersionId, TaskStatus, HTTPStatusCode, ErrorCode, ResultMessage.",
          }),
          headers: {
            "Content-Length": "The file's size in bytes.",
            ETag: "The object's ETag in the report bucket.",
          },
        },
      },
      problems: [502],
      handler: async ({ account, params }) => {
        const jobId = jobIdOf(params);
        const status = taskStatusOf(params.status);
        const index = fileIndexOf(params.index);
        const file = await service.openReportFile(account.id, jobId, status, index);
        return {
          status: 200,
          headers: {
            "content-length": String(file.bytes),
            ...(file.etag !== undefined ? { etag: file.etag } : {}),
            "content-disposition": `attachment; filename="job-${jobId}-${status}-${index}.csv"`,
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
          },
          stream: { body: file.body, contentType: "text/csv; charset=utf-8" },
        };
      },
    },
  ];
}

export function reportView(report: JobReport): JobReportJson {
  const base = `${API_PREFIX}/jobs/${encodeURIComponent(report.jobId)}/report/files`;
  return {
    jobId: report.jobId,
    enabled: report.enabled,
    ...(report.bucket !== undefined ? { bucket: report.bucket } : {}),
    ...(report.prefix !== undefined ? { prefix: report.prefix } : {}),
    format: report.format,
    scope: report.scope,
    state: report.state,
    ...(report.manifest !== undefined
      ? {
          manifest: {
            key: report.manifest.key,
            Format: report.manifest.contents.Format,
            ReportCreationDate: report.manifest.contents.ReportCreationDate,
            Results: report.manifest.contents.Results.map((r) => ({ ...r })),
            ReportSchema: report.manifest.contents.ReportSchema,
          },
        }
      : {}),
    files: report.files.map((f) => ({
      taskStatus: f.taskStatus,
      index: f.index,
      key: f.key,
      bytes: f.bytes,
      ...(f.md5 !== undefined ? { md5: f.md5 } : {}),
      completed: f.completed,
      downloadPath: f.completed ? `${base}/${f.taskStatus}/${f.index}` : null,
    })),
  };
}

function noSuchFile(detail: string): ProblemError {
  return new ProblemError(404, "no-such-report-file", "No such results file", detail);
}

function taskStatusOf(value: string | undefined): TaskStatus {
  const status = TASK_STATUSES.find((s) => s === value);
  if (status === undefined) {
    throw noSuchFile(
      `A results file is named by succeeded or failed, not ${JSON.stringify(value ?? "").slice(0, 40)}.`,
    );
  }
  return status;
}

function fileIndexOf(value: string | undefined): number {
  const text = value ?? "";
  if (!/^(0|[1-9][0-9]{0,5})$/.test(text) || Number(text) > MAX_REPORT_FILE_INDEX) {
    throw noSuchFile(`A results file's number is a whole number from 0, not ${JSON.stringify(text).slice(0, 40)}.`);
  }
  return Number(text);
}
