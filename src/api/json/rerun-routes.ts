/**
 * Rerun, clone and task results (D35), over the JobService:
 *
 *   POST /jobs/{jobId}/rerun   a new job over a finished job's failed (or not succeeded) tasks, from its report
 *   POST /jobs/{jobId}/clone   a new job with the same manifest (or generator) and operation, with overrides
 *   GET  /jobs/{jobId}/tasks   a page of the job's task results, read from its report's results files
 *
 * Rerun and clone answer 201 with the new job, or 200 with the job an earlier request with the same
 * clientRequestToken created. A job that cannot be rerun (not finished, no failed-tasks report, nothing to rerun,
 * tasks not known) is a 409 that says why. Another account's job answers exactly like a missing one (404).
 */
import type { JobOverrides } from "../../service/job-rerun.js";
import type { CreateJobOutcome, JobServiceApi } from "../../service/types.js";
import { reportConfigOf } from "./create-job-request.js";
import { jobIdOf, requireDistinctKeys } from "./job-routes.js";
import { jobView } from "./job-view.js";
import { queryObject } from "./query-object.js";
import type { JsonRoute, RouteAnswer } from "./route.js";
import { JobSchema } from "./schemas/job.js";
import {
  type CloneRequestJson,
  CloneRequestSchema,
  type RerunRequestJson,
  RerunRequestSchema,
  TaskResultPageSchema,
  TaskResultsQuerySchema,
} from "./schemas/rerun.js";
import { decodeTaskCursor, encodeTaskCursor } from "./task-cursor.js";
import { checked } from "./validation.js";

const NEW_JOB = {
  201: { description: "The new job, with its progress.", schema: JobSchema },
  200: {
    description: "A retry with the same clientRequestToken and request: the job the first one created.",
    schema: JobSchema,
  },
};

export const DEFAULT_TASK_PAGE = 100;

export function rerunRoutes(service: JobServiceApi): JsonRoute[] {
  const answerNewJob = async (accountId: string, outcome: CreateJobOutcome): Promise<RouteAnswer> => {
    const { job, progress } = await service.describeJobProgress(accountId, outcome.jobId);
    return {
      status: outcome.created ? 201 : 200,
      body: jobView(job, progress),
      headers: { location: `/api/v1/jobs/${outcome.jobId}` },
    };
  };

  return [
    {
      method: "POST",
      path: "/jobs/:jobId/rerun",
      operationId: "rerunJob",
      summary: "Run a finished job's operation again over exactly its failed (or not succeeded) tasks",
      description:
        "The tasks come from the job's failed-tasks results files (and, for notSucceeded, from its chunks that " +
        "never ran); they are written as a CSV manifest into the job's report bucket, under its report prefix " +
        "(`job-<id>/rerun-<digest>/manifest.csv`), and the new job reads it pinned to the ETag of that write. The " +
        "new job has the source's operation, report settings, priority and role unless overridden, and its tags " +
        "plus objbatch:rerun-of=<id>. A job still running, one without a report of its failed tasks, and one " +
        "with no task to rerun are 409s.",
      authenticated: true,
      body: RerunRequestSchema,
      responses: NEW_JOB,
      problems: [409, 429, 502],
      handler: async ({ account, params, body }) => {
        const request = body as RerunRequestJson;
        const outcome = await service.rerunJob(account.id, jobIdOf(params), {
          ...overridesOf(request),
          scope: request.scope,
          ...(request.errorCodes !== undefined ? { errorCodes: request.errorCodes } : {}),
        });
        return answerNewJob(account.id, outcome);
      },
    },
    {
      method: "POST",
      path: "/jobs/:jobId/clone",
      operationId: "cloneJob",
      summary: "Create a job with the same manifest (or generator) and operation as another, with overrides",
      description:
        "Overrides: description, priority, confirmationRequired, report, clientRequestToken and tags (added to " +
        "the source's). The clone is tagged objbatch:clone-of=<id>. Any job can be cloned, finished or not.",
      authenticated: true,
      body: CloneRequestSchema,
      bodyRequired: false,
      responses: NEW_JOB,
      problems: [409, 429],
      handler: async ({ account, params, body }) => {
        const request = (body as CloneRequestJson | undefined) ?? {};
        const outcome = await service.cloneJob(account.id, jobIdOf(params), overridesOf(request));
        return answerNewJob(account.id, outcome);
      },
    },
    {
      method: "GET",
      path: "/jobs/:jobId/tasks",
      operationId: "listJobTasks",
      summary: "Page through the job's task results (from its report's results files)",
      description:
        "Rows of the completed results files of one status (default failed), in the order of the report, " +
        "optionally only those with one error code. A page reads a bounded stretch of the files, so a filtered " +
        "page may hold fewer tasks than limit and still have a nextCursor. While the job runs, only the files " +
        "completed so far are read. A job without a report answers 404 no-such-report-file.",
      authenticated: true,
      query: TaskResultsQuerySchema,
      responses: { 200: { description: "A page of task results.", schema: TaskResultPageSchema } },
      problems: [502],
      handler: async ({ account, params, query }) => {
        const jobId = jobIdOf(params);
        const parsed = checked(TaskResultsQuerySchema, queryObject(query, ["limit"]), "query");
        const status = parsed.status ?? "failed";
        const listing = { jobId, status, ...(parsed.errorCode !== undefined ? { errorCode: parsed.errorCode } : {}) };
        const page = await service.jobTaskResults(account.id, jobId, {
          status,
          ...(parsed.errorCode !== undefined ? { errorCode: parsed.errorCode } : {}),
          limit: parsed.limit ?? DEFAULT_TASK_PAGE,
          ...(parsed.cursor !== undefined ? { from: decodeTaskCursor(account, listing, parsed.cursor) } : {}),
        });
        return {
          status: 200,
          body: {
            tasks: page.tasks.map(({ task, result }) => ({
              bucket: task.bucket,
              key: task.key,
              versionId: task.versionId ?? null,
              status: result.status,
              httpStatus: result.httpStatus,
              errorCode: result.errorCode,
              resultMessage: result.message,
            })),
            nextCursor: page.next === undefined ? null : encodeTaskCursor(account, listing, page.next),
          },
        };
      },
    },
  ];
}

function overridesOf(request: CloneRequestJson): JobOverrides {
  requireDistinctKeys(request.tags, "/tags");
  return {
    ...(request.description !== undefined ? { description: request.description } : {}),
    ...(request.priority !== undefined ? { priority: request.priority } : {}),
    ...(request.confirmationRequired !== undefined ? { confirmationRequired: request.confirmationRequired } : {}),
    ...(request.report !== undefined ? { report: reportConfigOf(request.report) } : {}),
    ...(request.clientRequestToken !== undefined ? { clientRequestToken: request.clientRequestToken } : {}),
    ...(request.tags !== undefined ? { tags: request.tags } : {}),
  };
}
