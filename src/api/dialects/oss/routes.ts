/**
 * The Alibaba OSS batch-job API as a Fastify plugin. OSS names its job operations by a sub-resource of the
 * service root, so every route is `/` and the query decides:
 *
 *   POST /?batchJob                                                     CreateJob
 *   GET  /?batchJob&batchJobId=<id>                                     DescribeJob
 *   GET  /?batchJob[&batchJobStatuses=A|B][&max-keys=][&continuation-token=]   ListJobs
 *   POST /?batchJobPriority&batchJobId=<id>&targetPriority=<n>          UpdateJobPriority
 *   POST /?batchJobStatus&batchJobId=<id>&requestedJobStatus=&statusUpdateReason=   UpdateJobStatus
 *
 * A request to `/` that names no batch sub-resource answers 400 InvalidRequest, a sub-resource with the wrong
 * method (or PUT, DELETE, PATCH on `/`) 405 MethodNotAllowed, both in OSS form.
 *
 * The dialect plugin (http/dialect-plugin.ts) does the rest: every request is signature-checked first, before any
 * body is read (OSS V1 or V4); the account is the signer's; a request that changes something under a signature
 * that does not cover all of it is bound to it (authentication.ts). Bodies are read raw whatever their
 * Content-Type, up to maxBodyBytes. Every answer carries `x-oss-request-id`; every error is an OSS `<Error>` body
 * (errors.ts), including Fastify's own client errors (bad Content-Length, body too large) and unexpected
 * exceptions (500 InternalError, logged).
 *
 * ClientRequestToken is idempotent (D5): the same token with the same request returns the same JobId. Status
 * changes follow OSS's rules: Ready is accepted while Preparing as well as Suspended.
 */
import type { FastifyPluginAsync } from "fastify";
import { invalidArgument, invalidRequest, isDomainError } from "../../../domain/errors.js";
import type { OssSignatureOptions } from "../../auth/oss-signature.js";
import { signaturePolicyOf } from "../../auth/signature-policy.js";
import { dialectPlugin } from "../../http/dialect-plugin.js";
import { DEFAULT_MAX_BODY_BYTES, type DialectRoutesOptions } from "../../http/dialect-routes-options.js";
import { methodNotAllowed } from "../../http/method-not-allowed.js";
import { bodyOf } from "../../http/raw-body.js";
import { sendXml } from "../../http/xml-reply.js";
import { ossAuthentication } from "./authentication.js";
import { parseOssCreateJobRequest } from "./create-job-request.js";
import { OSS_ERROR_FORMAT } from "./errors.js";
import {
  optionalJobId,
  parseListJobsQuery,
  parseStatusQuery,
  parseTargetPriority,
  requiredJobId,
  subResourceOf,
} from "./query-params.js";
import {
  renderCreateJobResult,
  renderDescribeJobResult,
  renderListJobsResult,
  renderUpdateJobPriorityResult,
  renderUpdateJobStatusResult,
} from "./responses.js";

export interface OssRoutesOptions extends DialectRoutesOptions {
  /** Signature checking options (clock-skew allowance, oss-signature.ts); V1 on or off comes from the policy. */
  readonly signature?: Omit<OssSignatureOptions, "now" | "v1">;
}

export const OSS_DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

const NO_SUB_RESOURCE =
  "This endpoint serves the OSS batch-job API only: the request must name one of the sub-resources " +
  "batchJob, batchJobPriority and batchJobStatus.";

export function ossRoutes(options: OssRoutesOptions): FastifyPluginAsync {
  const { service } = options;
  const signature = { ...options.signature, v1: signaturePolicyOf(options.signaturePolicy).ossSignatureV1 };
  return dialectPlugin({
    authentication: ossAuthentication(options.accounts, signature, options.now ?? (() => new Date())),
    errors: OSS_ERROR_FORMAT,
    signatureLedger: options.signatureLedger,
    maxBodyBytes: options.maxBodyBytes ?? OSS_DEFAULT_MAX_BODY_BYTES,
    routes: (app, { authenticated, routeOptions }) => {
      app.get("/", routeOptions, async (request, reply) => {
        const { account, target } = authenticated(request);
        const sub = subResourceOf(target.query);
        if (sub === undefined) throw invalidRequest(NO_SUB_RESOURCE);
        if (sub !== "batchJob") throw methodNotAllowed(request.method, sub);
        const jobId = optionalJobId(target.query);
        if (jobId !== undefined) {
          sendXml(reply, renderDescribeJobResult(await service.describeJob(account.id, jobId)));
          return;
        }
        const page = await service.listJobs(account.id, parseListJobsQuery(target.query)).catch((e: unknown) => {
          if (isDomainError(e) && e.kind === "InvalidNextToken") {
            throw invalidArgument("The continuation-token is invalid or has expired.");
          }
          throw e;
        });
        sendXml(reply, renderListJobsResult(page.jobs, page.nextToken));
      });

      app.post("/", routeOptions, async (request, reply) => {
        const { account, target } = authenticated(request);
        const sub = subResourceOf(target.query);
        switch (sub) {
          case "batchJob": {
            const spec = parseOssCreateJobRequest(bodyOf(request), account.id);
            const outcome = await service.createJob(spec, "reuse");
            sendXml(reply, renderCreateJobResult(outcome.jobId));
            return;
          }
          case "batchJobPriority": {
            const jobId = requiredJobId(target.query);
            const job = await service.updateJobPriority(account.id, jobId, parseTargetPriority(target.query));
            sendXml(reply, renderUpdateJobPriorityResult(job));
            return;
          }
          case "batchJobStatus": {
            const jobId = requiredJobId(target.query);
            const { requested, reason } = parseStatusQuery(target.query);
            const job = await service.updateJobStatus(account.id, jobId, requested, reason, {
              allowReadyWhilePreparing: true,
            });
            sendXml(reply, renderUpdateJobStatusResult(job));
            return;
          }
          default:
            throw invalidRequest(NO_SUB_RESOURCE);
        }
      });

      app.route({
        method: ["PUT", "DELETE", "PATCH"],
        url: "/",
        ...routeOptions,
        handler: async (request) => {
          throw methodNotAllowed(request.method, subResourceOf(authenticated(request).target.query));
        },
      });
    },
  });
}
