/**
 * The jobs of the signing account, over the JobService:
 *
 *   GET    /jobs                    listing, newest first, with filters and a cursor (list-query.ts)
 *   POST   /jobs                    create (201; 200 when a clientRequestToken retry returns the earlier job)
 *   GET    /jobs/{jobId}            the whole job and its progress
 *   PATCH  /jobs/{jobId}            priority and description
 *   POST   /jobs/{jobId}/confirm    Suspended -> Ready (D4)
 *   POST   /jobs/{jobId}/cancel
 *   POST   /jobs/{jobId}/pause     held by its user: leases no new chunks, Pausing -> Paused (D31)
 *   POST   /jobs/{jobId}/resume    back in the queue at its priority (D31)
 *   GET|PUT|DELETE /jobs/{jobId}/tags
 *   DELETE /jobs/{jobId}            a finished job only (409 otherwise)
 *   GET    /jobs/{jobId}/failures   failed tasks grouped by (httpStatus, errorCode), with counts and samples (D27)
 *
 * Another account's job answers exactly like a missing one (404 no-such-job): the service looks jobs up by
 * account and id together.
 */
import { isDomainError } from "../../domain/errors.js";
import type { Tag } from "../../domain/job.js";
import { isTerminal } from "../../domain/status.js";
import type { JobServiceApi } from "../../service/types.js";
import { MAX_JOB_ID_BYTES } from "../http/path-job-id.js";
import { jobSpecOf } from "./create-job-request.js";
import { encodeCursor } from "./cursor.js";
import { jobSummaryView, jobView } from "./job-view.js";
import { parseListJobsQuery } from "./list-query.js";
import { ProblemError, validationProblem } from "./problems.js";
import type { JsonRoute, RouteAnswer, RouteContext } from "./route.js";
import { JobFailuresSchema } from "./schemas/failures.js";
import { JobPageSchema, JobSchema, TagSetSchema } from "./schemas/job.js";
import {
  type CreateJobRequest,
  CreateJobRequestSchema,
  ListJobsQuerySchema,
  PutTagsRequestSchema,
  type StatusChangeRequest,
  StatusChangeRequestSchema,
  type UpdateJobRequest,
  UpdateJobRequestSchema,
} from "./schemas/requests.js";

const JOB = { description: "The job, with its progress.", schema: JobSchema };

export function jobRoutes(service: JobServiceApi): JsonRoute[] {
  const answerJob = async (accountId: string, jobId: string, status = 200): Promise<RouteAnswer> => {
    const { job, progress } = await service.describeJobProgress(accountId, jobId);
    return { status, body: jobView(job, progress) };
  };

  return [
    {
      method: "GET",
      path: "/jobs",
      operationId: "listJobs",
      summary: "List the account's jobs, newest first",
      description:
        "A page may hold fewer jobs than `limit` (filters by operation or text read a bounded stretch per page) " +
        "and still have a `nextCursor`; pass it back with the same filters.",
      authenticated: true,
      query: ListJobsQuerySchema,
      responses: { 200: { description: "A page of jobs.", schema: JobPageSchema } },
      handler: async ({ account, query }) => {
        const page = await service.searchJobs(account.id, parseListJobsQuery(query));
        return {
          status: 200,
          body: {
            jobs: page.jobs.map(jobSummaryView),
            nextCursor: page.next === undefined ? null : encodeCursor(page.next),
          },
        };
      },
    },
    {
      method: "POST",
      path: "/jobs",
      operationId: "createJob",
      summary: "Create a job",
      authenticated: true,
      body: CreateJobRequestSchema,
      responses: {
        201: JOB,
        200: { ...JOB, description: "A retry with the same clientRequestToken and job: the job it created." },
      },
      problems: [409, 429],
      handler: async ({ account, body }) => {
        const request = body as CreateJobRequest;
        requireDistinctKeys(request.tags, "/tags");
        const outcome = await service.createJob(jobSpecOf(request, account.id), "reuse");
        const answer = await answerJob(account.id, outcome.jobId, outcome.created ? 201 : 200);
        return { ...answer, headers: { location: `/api/v1/jobs/${outcome.jobId}` } };
      },
    },
    {
      method: "GET",
      path: "/jobs/:jobId",
      operationId: "getJob",
      summary: "Describe a job: every field, the API it was created through, and its progress",
      authenticated: true,
      responses: { 200: JOB },
      handler: async ({ account, params }) => answerJob(account.id, jobIdOf(params)),
    },
    {
      method: "PATCH",
      path: "/jobs/:jobId",
      operationId: "updateJob",
      summary: "Change a job's priority (unfinished jobs) or description",
      authenticated: true,
      body: UpdateJobRequestSchema,
      responses: { 200: JOB },
      problems: [409],
      handler: async ({ account, params, body }) => {
        const jobId = jobIdOf(params);
        const change = body as UpdateJobRequest;
        if (change.priority !== undefined) {
          const job = await service.describeJob(account.id, jobId);
          if (isTerminal(job.status)) throw jobFinished(jobId, job.status, "its priority cannot change");
        }
        if (change.description !== undefined) await service.updateJobDescription(account.id, jobId, change.description);
        if (change.priority !== undefined) await service.updateJobPriority(account.id, jobId, change.priority);
        return answerJob(account.id, jobId);
      },
    },
    statusRoute(
      service,
      "confirm",
      "Confirm a job that waits for confirmation (Suspended -> Ready)",
      (account, jobId, reason) => service.updateJobStatus(account, jobId, "Ready", reason),
    ),
    statusRoute(service, "cancel", "Cancel a job", (account, jobId, reason) =>
      service.updateJobStatus(account, jobId, "Cancelled", reason),
    ),
    statusRoute(
      service,
      "pause",
      "Pause a job until its user resumes it",
      (account, jobId, reason) => service.pauseJob(account, jobId, reason),
      "A Ready or Active job (or one paused for a higher-priority job) is held paused: it leases no new chunks, " +
        "its running chunks finish, and it shows Pausing, then Paused, with pausedByUser and a statusUpdateReason " +
        "that says a user paused it. Pausing it again changes nothing. Any other status is a 409. The body, " +
        "optional, may give a reason, which the statusUpdateReason ends with.",
    ),
    statusRoute(
      service,
      "resume",
      "Resume a job its user paused",
      (account, jobId, reason) => service.resumeJob(account, jobId, reason),
      "The job goes back to the queue at its priority and runs again when it wins an execution slot. A job no " +
        "user paused is a 409. The body, optional, may give a reason, which the statusUpdateReason ends with.",
    ),
    {
      method: "DELETE",
      path: "/jobs/:jobId",
      operationId: "deleteJob",
      summary: "Delete a finished job (Complete, Cancelled or Failed) from the store; its report stays",
      authenticated: true,
      responses: { 204: { description: "Deleted." } },
      problems: [409],
      handler: async ({ account, params }) => {
        const jobId = jobIdOf(params);
        try {
          await service.deleteJob(account.id, jobId);
        } catch (e) {
          // The service refuses an unfinished job as an invalid request (COS's DeleteJob, D9): here it is a conflict.
          if (isDomainError(e) && e.kind === "InvalidRequest") {
            throw new ProblemError(409, "job-not-finished", "The job has not finished", e.message);
          }
          throw e;
        }
        return { status: 204 };
      },
    },
    {
      method: "GET",
      path: "/jobs/:jobId/failures",
      operationId: "getJobFailures",
      summary: "The job's failed tasks grouped by cause (HTTP status and error code), with a few sample objects",
      description:
        "Counted in the same transaction as each chunk's results, so the counts are exact and never go backwards " +
        "while the job runs; sorted by count, most first.",
      authenticated: true,
      responses: { 200: { description: "The job's failures by cause.", schema: JobFailuresSchema } },
      handler: async ({ account, params }) => {
        const failures = await service.jobFailures(account.id, jobIdOf(params));
        return {
          status: 200,
          body: {
            total: failures.total,
            causes: failures.causes.map((c) => ({
              httpStatus: c.httpStatus,
              errorCode: c.errorCode,
              count: c.count,
              sampleKeys: c.sampleKeys.map((k) =>
                k.versionId === undefined
                  ? { bucket: k.bucket, key: k.key }
                  : { bucket: k.bucket, key: k.key, versionId: k.versionId },
              ),
            })),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/jobs/:jobId/tags",
      operationId: "getJobTags",
      summary: "The job's tags",
      authenticated: true,
      responses: { 200: { description: "The job's tags.", schema: TagSetSchema } },
      handler: async ({ account, params }) => ({
        status: 200,
        body: { tags: await service.getJobTagging(account.id, jobIdOf(params)) },
      }),
    },
    {
      method: "PUT",
      path: "/jobs/:jobId/tags",
      operationId: "putJobTags",
      summary: "Replace the job's tags",
      authenticated: true,
      body: PutTagsRequestSchema,
      responses: { 200: { description: "The job's tags as they now are.", schema: TagSetSchema } },
      handler: async ({ account, params, body }) => {
        const jobId = jobIdOf(params);
        const { tags } = body as { tags: Tag[] };
        requireDistinctKeys(tags, "/tags");
        await service.putJobTagging(account.id, jobId, tags);
        return { status: 200, body: { tags: await service.getJobTagging(account.id, jobId) } };
      },
    },
    {
      method: "DELETE",
      path: "/jobs/:jobId/tags",
      operationId: "deleteJobTags",
      summary: "Remove every tag of the job",
      authenticated: true,
      responses: { 204: { description: "The job has no tags." } },
      handler: async ({ account, params }) => {
        await service.deleteJobTagging(account.id, jobIdOf(params));
        return { status: 204 };
      },
    },
  ];
}

function statusRoute(
  service: JobServiceApi,
  action: "confirm" | "cancel" | "pause" | "resume",
  summary: string,
  change: (accountId: string, jobId: string, reason: string | undefined) => Promise<unknown>,
  description = "The body, optional, may give a reason, which the job shows as statusUpdateReason.",
): JsonRoute {
  return {
    method: "POST",
    path: `/jobs/:jobId/${action}`,
    operationId: `${action}Job`,
    summary,
    description,
    authenticated: true,
    body: StatusChangeRequestSchema,
    bodyRequired: false,
    responses: { 200: JOB },
    problems: [409],
    handler: async ({ account, params, body }: RouteContext) => {
      const jobId = jobIdOf(params);
      const reason = (body as StatusChangeRequest | undefined)?.reason;
      await change(account.id, jobId, reason);
      const { job, progress } = await service.describeJobProgress(account.id, jobId);
      return { status: 200, body: jobView(job, progress) };
    },
  };
}

/** The path's job id; one longer than any id can be names no job. */
export function jobIdOf(params: Readonly<Record<string, string>>): string {
  const id = params.jobId ?? "";
  if (id === "" || Buffer.byteLength(id) > MAX_JOB_ID_BYTES) {
    throw new ProblemError(404, "no-such-job", "No such job", `The specified job does not exist: ${id.slice(0, 64)}`);
  }
  return id;
}

function jobFinished(jobId: string, status: string, what: string): ProblemError {
  return new ProblemError(409, "job-finished", "The job has finished", `Job ${jobId} is ${status}: ${what}.`);
}

/** Refuses a tag list that names a key twice (a 400 problem at each repeat, under `pointer`). */
export function requireDistinctKeys(tags: readonly Tag[] | undefined, pointer: string): void {
  const seen = new Set<string>();
  const errors = (tags ?? []).flatMap((tag, i) => {
    if (!seen.has(tag.key)) {
      seen.add(tag.key);
      return [];
    }
    return [{ pointer: `${pointer}/${i}/key`, detail: `the key "${tag.key}" is given twice` }];
  });
  if (errors.length > 0) throw validationProblem("A tag key may be given once.", errors);
}
