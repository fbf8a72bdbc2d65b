/**
 * The COS batch-job API as a Fastify plugin:
 *
 *   POST   /jobs                          CreateJob
 *   GET    /jobs?jobStatuses=&maxResults=&nextToken=   ListJobs
 *   GET    /jobs/:jobId                   DescribeJob
 *   POST   /jobs/:jobId/priority?priority=              UpdateJobPriority
 *   POST   /jobs/:jobId/status?requestedJobStatus=&statusUpdateReason=   UpdateJobStatus
 *   DELETE /jobs/:jobId                   DeleteJob (COS Go SDK; terminal jobs only, D9)
 *
 * `/jobs/`, with a trailing slash, is the same resource as `/jobs`.
 *
 * The dialect plugin (http/dialect-plugin.ts) does the rest: every request is signature-checked first, before
 * any body is read, and `x-cos-appid` must name the signing account; a request that changes something is bound
 * to its signature (authentication.ts). Bodies are read raw whatever their Content-Type (or none), up to
 * maxBodyBytes. Every answer carries `x-cos-request-id`; every error is a COS `<Error>` body (errors.ts),
 * including Fastify's own client errors (bad Content-Length, body too large) and unexpected exceptions (500
 * InternalError, logged).
 */
import type { FastifyPluginAsync } from "fastify";
import { invalidRequest } from "../../../domain/errors.js";
import type { CosSignatureOptions } from "../../auth/cos-signature.js";
import { signaturePolicyOf } from "../../auth/signature-policy.js";
import { dialectPlugin } from "../../http/dialect-plugin.js";
import { DEFAULT_MAX_BODY_BYTES, type DialectRoutesOptions } from "../../http/dialect-routes-options.js";
import { rejectMethod } from "../../http/method-not-allowed.js";
import { jobIdFromPath } from "../../http/path-job-id.js";
import { bodyOf } from "../../http/raw-body.js";
import { sendXml } from "../../http/xml-reply.js";
import { cosAuthentication } from "./authentication.js";
import { parseCosCreateJobRequest } from "./create-job-request.js";
import { COS_ERROR_FORMAT } from "./errors.js";
import { parseListJobsQuery, parsePriorityQuery, parseStatusQuery } from "./query-params.js";
import {
  renderCreateJobResult,
  renderDescribeJobResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "./responses.js";

export interface CosRoutesOptions extends DialectRoutesOptions {
  /**
   * Signature checking options: clock-skew allowance, signed Host, unsigned parameters (cos-signature.ts). The
   * key-time cap comes from the signature policy.
   */
  readonly signature?: Omit<CosSignatureOptions, "now" | "maxKeyTimeSeconds">;
}

export const COS_DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

type JobParams = { jobId: string };

export function cosRoutes(options: CosRoutesOptions): FastifyPluginAsync {
  const { service } = options;
  const signature = {
    ...options.signature,
    maxKeyTimeSeconds: signaturePolicyOf(options.signaturePolicy).cosMaxKeyTimeSeconds,
  };
  return dialectPlugin({
    authentication: cosAuthentication(options.accounts, signature, options.now ?? (() => new Date())),
    errors: COS_ERROR_FORMAT,
    signatureLedger: options.signatureLedger,
    maxBodyBytes: options.maxBodyBytes ?? COS_DEFAULT_MAX_BODY_BYTES,
    routes: (app, { authenticated, routeOptions }) => {
      for (const url of ["/jobs", "/jobs/"]) {
        app.post(url, routeOptions, async (request, reply) => {
          const { account } = authenticated(request);
          const spec = parseCosCreateJobRequest(bodyOf(request), account.id);
          const outcome = await service.createJob(spec, "reject");
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
        const { account } = authenticated(request);
        const job = await service.describeJob(account.id, jobIdOf(request.params));
        sendXml(reply, renderDescribeJobResult(job));
      });

      app.post<{ Params: JobParams }>("/jobs/:jobId/priority", routeOptions, async (request, reply) => {
        const { account, target } = authenticated(request);
        const jobId = jobIdOf(request.params);
        const job = await service.updateJobPriority(account.id, jobId, parsePriorityQuery(target.query));
        sendXml(reply, renderUpdateJobPriorityResult(job));
      });

      app.post<{ Params: JobParams }>("/jobs/:jobId/status", routeOptions, async (request, reply) => {
        const { account, target } = authenticated(request);
        const jobId = jobIdOf(request.params);
        const { requested, reason } = parseStatusQuery(target.query);
        const job = await service.updateJobStatus(account.id, jobId, requested, reason);
        sendXml(reply, renderUpdateJobStatusResult(job));
      });

      app.delete<{ Params: JobParams }>("/jobs/:jobId", routeOptions, async (request, reply) => {
        const { account } = authenticated(request);
        await service.deleteJob(account.id, jobIdOf(request.params));
        reply.code(204).send();
      });

      app.route({ method: ["PUT", "PATCH", "POST"], url: "/jobs/:jobId", ...routeOptions, handler: rejectMethod });
      for (const url of ["/jobs/:jobId/priority", "/jobs/:jobId/status"]) {
        app.route({ method: ["GET", "PUT", "PATCH", "DELETE"], url, ...routeOptions, handler: rejectMethod });
      }
    },
  });
}

/** JobIds are 1-64 bytes (COS); an empty one is a bad request (InvalidRequest), a longer one cannot exist. */
function jobIdOf(params: JobParams): string {
  return jobIdFromPath(params.jobId, invalidRequest);
}
