/**
 * The AWS S3 Control job API (S3 Batch Operations) as a Fastify plugin, under `/v20180820`:
 *
 *   POST   /v20180820/jobs                        CreateJob
 *   GET    /v20180820/jobs?jobStatuses=&maxResults=&nextToken=    ListJobs
 *          (`/v20180820/jobs/`, with a trailing slash, is the same resource as `/v20180820/jobs`)
 *   GET    /v20180820/jobs/:id                    DescribeJob
 *   POST   /v20180820/jobs/:id/priority?priority=                 UpdateJobPriority
 *   POST   /v20180820/jobs/:id/status?requestedJobStatus=&statusUpdateReason=   UpdateJobStatus
 *   GET|PUT|DELETE /v20180820/jobs/:id/tagging    Get/Put/DeleteJobTagging
 *
 * The dialect plugin (http/dialect-plugin.ts) does the rest: every request is SigV4-checked (service `s3`, any
 * region), before its body is read when it can be, and `x-amz-account-id` must name the signing account; a request
 * that changes something under a signature that does not cover its body is bound to it (authentication.ts). The
 * Host header may be `127.0.0.1:PORT` or `<account>.<host>:PORT` (the SDKs put the account in front of the
 * endpoint); it is only part of what was signed.
 *
 * Every answer carries x-amz-request-id and x-amz-id-2; every error is an S3 Control `<ErrorResponse>`
 * (errors.ts), including Fastify's own client errors (bad Content-Length, body too large), unknown paths under
 * /v20180820 (this plugin's own not-found handler) and unexpected exceptions (500 InternalServiceException, logged).
 */
import type { FastifyPluginAsync } from "fastify";
import { invalidArgument } from "../../../domain/errors.js";
import type { SigV4Options } from "../../auth/sigv4.js";
import { dialectPlugin } from "../../http/dialect-plugin.js";
import { DEFAULT_MAX_BODY_BYTES, type DialectRoutesOptions } from "../../http/dialect-routes-options.js";
import { rejectMethod } from "../../http/method-not-allowed.js";
import { jobIdFromPath } from "../../http/path-job-id.js";
import { bodyOf } from "../../http/raw-body.js";
import { sendXml } from "../../http/xml-reply.js";
import { s3ControlUnknownRoute } from "../unknown-route.js";
import { s3ControlAuthentication } from "./authentication.js";
import { parsePutJobTaggingRequest, parseS3ControlCreateJobRequest } from "./create-job-request.js";
import { S3CONTROL_ERROR_FORMAT } from "./errors.js";
import { parseListJobsQuery, parsePriorityQuery, parseStatusQuery } from "./query-params.js";
import {
  renderCreateJobResult,
  renderDescribeJobResult,
  renderGetJobTaggingResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "./responses.js";

export interface S3ControlRoutesOptions extends DialectRoutesOptions {
  /** Signature options: allowed regions, clock-skew window (auth/sigv4.ts). */
  readonly signature?: Omit<SigV4Options, "now" | "service">;
}

export const S3CONTROL_PREFIX = "/v20180820";
export const S3CONTROL_DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

type JobParams = { jobId: string };

export function s3ControlRoutes(options: S3ControlRoutesOptions): FastifyPluginAsync {
  const { service } = options;
  return dialectPlugin({
    authentication: s3ControlAuthentication(
      options.accounts,
      options.signature ?? {},
      options.now ?? (() => new Date()),
    ),
    errors: S3CONTROL_ERROR_FORMAT,
    signatureLedger: options.signatureLedger,
    maxBodyBytes: options.maxBodyBytes ?? S3CONTROL_DEFAULT_MAX_BODY_BYTES,
    prefix: S3CONTROL_PREFIX,
    routes: (app, { authenticated, routeOptions }) => {
      for (const url of ["/jobs", "/jobs/"]) {
        app.post(url, routeOptions, async (request, reply) => {
          const { account } = authenticated(request);
          const spec = parseS3ControlCreateJobRequest(bodyOf(request), account.id);
          const outcome = await service.createJob(spec, "reuse");
          sendXml(reply, renderCreateJobResult(outcome.jobId));
        });

        app.get(url, routeOptions, async (request, reply) => {
          const { account, target } = authenticated(request);
          const page = await service.listJobs(account.id, parseListJobsQuery(target.query));
          sendXml(reply, renderListJobsResult(page.jobs, page.nextToken));
        });

        app.route({ method: ["PUT", "PATCH", "DELETE"], url, ...routeOptions, handler: rejectMethod });
      }

      app.get<{ Params: JobParams }>("/jobs/:jobId", routeOptions, async (request, reply) => {
        const { account, region } = authenticated(request);
        const job = await service.describeJob(account.id, jobIdOf(request.params));
        sendXml(reply, renderDescribeJobResult(job, region));
      });

      app.post<{ Params: JobParams }>("/jobs/:jobId/priority", routeOptions, async (request, reply) => {
        const { account, target } = authenticated(request);
        const jobId = jobIdOf(request.params);
        const priority = parsePriorityQuery(target.query);
        const job = await service.updateJobPriority(account.id, jobId, priority);
        sendXml(reply, renderUpdateJobPriorityResult(job));
      });

      app.post<{ Params: JobParams }>("/jobs/:jobId/status", routeOptions, async (request, reply) => {
        const { account, target } = authenticated(request);
        const jobId = jobIdOf(request.params);
        const { requested, reason } = parseStatusQuery(target.query);
        const job = await service.updateJobStatus(account.id, jobId, requested, reason);
        sendXml(reply, renderUpdateJobStatusResult(job));
      });

      app.get<{ Params: JobParams }>("/jobs/:jobId/tagging", routeOptions, async (request, reply) => {
        const { account } = authenticated(request);
        const tags = await service.getJobTagging(account.id, jobIdOf(request.params));
        sendXml(reply, renderGetJobTaggingResult(tags));
      });

      app.put<{ Params: JobParams }>("/jobs/:jobId/tagging", routeOptions, async (request, reply) => {
        const { account } = authenticated(request);
        const jobId = jobIdOf(request.params);
        const tags = parsePutJobTaggingRequest(bodyOf(request));
        await service.putJobTagging(account.id, jobId, tags);
        reply.code(200).send();
      });

      app.delete<{ Params: JobParams }>("/jobs/:jobId/tagging", routeOptions, async (request, reply) => {
        const { account } = authenticated(request);
        await service.deleteJobTagging(account.id, jobIdOf(request.params));
        // The model's DeleteJobTaggingResult is empty: 200 with no body.
        reply.code(200).send();
      });

      app.route({
        method: ["PUT", "PATCH", "POST", "DELETE"],
        url: "/jobs/:jobId",
        ...routeOptions,
        handler: rejectMethod,
      });
      for (const url of ["/jobs/:jobId/priority", "/jobs/:jobId/status"]) {
        app.route({ method: ["GET", "PUT", "PATCH", "DELETE"], url, ...routeOptions, handler: rejectMethod });
      }
      app.route({ method: ["POST", "PATCH"], url: "/jobs/:jobId/tagging", ...routeOptions, handler: rejectMethod });

      // Other S3 Control resources (access points, Storage Lens, ...) are not part of objbatch: 404; a job resource
      // asked with a method it does not serve (OPTIONS, ...): 405.
      app.setNotFoundHandler(async (request) => {
        throw s3ControlUnknownRoute(request);
      });
    },
  });
}

/** JobIds are at most 64 bytes here (AWS: 5-36 characters); an empty one is InvalidArgument. */
function jobIdOf(params: JobParams): string {
  return jobIdFromPath(params.jobId, invalidArgument);
}
