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
 * Every request is signature-checked first (onRequest, before any body is read), then `x-cos-appid` must name
 * the signing account. A COS signature does not cover the body, so once the body has arrived a request that
 * changes something is bound to its signature in the signature ledger: the same signature with any other body
 * (or target) is refused for as long as it is valid (auth/signature-binding.ts). Bodies are read raw whatever their Content-Type (or none), up to maxBodyBytes. Every
 * answer carries `x-cos-request-id`; every error is a COS `<Error>` body, including Fastify's own client errors
 * (bad Content-Length, body too large) and unexpected exceptions (500 InternalError, logged).
 *
 * Register without fastify-plugin: the content-type parser and error handler set here stay inside this
 * plugin's encapsulated context, so the OSS (`/?batchJob`) and S3 Control (`/v20180820/jobs`) dialects
 * registered on the same instance keep their own.
 */
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Account } from "../../../accounts/types.js";
import { DomainError, invalidArgument, invalidRequest, isDomainError } from "../../../domain/errors.js";
import { type CosSignatureOptions, type CosVerified, verifyCosRequest } from "../../auth/cos-signature.js";
import type { RequestTarget } from "../../auth/request-target.js";
import { changesState, requestDigest, requireFirstUse } from "../../auth/signature-binding.js";
import { signaturePolicyOf } from "../../auth/signature-policy.js";
import { requireMatchingContentMd5 } from "../../http/content-md5.js";
import { DEFAULT_MAX_BODY_BYTES, type DialectRoutesOptions } from "../../http/dialect-routes-options.js";
import { entityTooLarge, fastifyRejectionOf } from "../../http/fastify-rejections.js";
import { rejectMethod } from "../../http/method-not-allowed.js";
import { jobIdFromPath } from "../../http/path-job-id.js";
import { acceptRawBodies, bodyBytesOf, bodyOf } from "../../http/raw-body.js";
import { sendXml } from "../../http/xml-reply.js";
import { parseCosCreateJobRequest } from "./create-job-request.js";
import { type CosError, cosErrorFor, INTERNAL_ERROR, newCosRequestId, renderCosError } from "./errors.js";
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

interface RequestContext {
  readonly requestId: string;
  verified?: CosVerified;
}

type JobParams = { jobId: string };

export function cosRoutes(options: CosRoutesOptions): FastifyPluginAsync {
  const { service, accounts, signatureLedger } = options;
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? COS_DEFAULT_MAX_BODY_BYTES;
  const signatureOptions = {
    ...options.signature,
    maxKeyTimeSeconds: signaturePolicyOf(options.signaturePolicy).cosMaxKeyTimeSeconds,
  };

  return async (app) => {
    const contexts = new WeakMap<FastifyRequest, RequestContext>();

    const authenticated = (request: FastifyRequest): { account: Account; target: RequestTarget } => {
      const verified = contexts.get(request)?.verified;
      if (verified === undefined) throw new Error("request reached a handler unauthenticated");
      return { account: verified.account, target: verified.target };
    };

    acceptRawBodies(app, maxBodyBytes);

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const requestId = contexts.get(request)?.requestId ?? newCosRequestId();
      const info = toCosError(error, maxBodyBytes);
      if (info === INTERNAL_ERROR) request.log.error({ err: error }, "COS API request failed unexpectedly");
      sendXml(
        reply.code(info.status).header("x-cos-request-id", requestId),
        renderCosError(info, resourceOf(request), requestId),
      );
    });

    app.addHook("onRequest", async (request, reply) => {
      const context: RequestContext = { requestId: newCosRequestId() };
      contexts.set(request, context);
      reply.header("x-cos-request-id", context.requestId);
      const verified = verifyCosRequest(
        { method: request.method, url: request.url, headers: request.headers },
        accounts,
        { ...signatureOptions, now: now() },
      );
      const appid = request.headers["x-cos-appid"];
      if (typeof appid !== "string" || appid === "") throw invalidArgument("The x-cos-appid header is required.");
      if (Buffer.byteLength(appid) > 64) throw invalidArgument("The x-cos-appid header must be at most 64 bytes long.");
      if (appid !== verified.account.id) {
        throw new DomainError(
          "AccessDenied",
          "The x-cos-appid header does not name the account that signed the request.",
        );
      }
      context.verified = verified;
    });

    // Content-MD5 is optional; when sent it is signed (cos-signature.ts) and must match the body that arrived.
    // A request that changes something is then bound to its signature.
    app.addHook("preHandler", async (request) => {
      const body = bodyBytesOf(request);
      requireMatchingContentMd5(request.headers["content-md5"], body);
      const verified = contexts.get(request)?.verified;
      if (verified === undefined || !changesState(request.method)) return;
      await requireFirstUse(
        signatureLedger,
        {
          scheme: "cos",
          accessKeyId: verified.accessKeyId,
          signature: verified.signature,
          digest: requestDigest(request.method, request.url, body),
          expiresAt: verified.validUntil,
        },
        "Sign each request anew, and sign a Content-MD5 header with every body (the COS SDKs sign it when they send it).",
      );
    });

    const routeOptions = { bodyLimit: maxBodyBytes };

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
  };
}

/** JobIds are 1-64 bytes (COS); an empty one is a bad request (InvalidRequest), a longer one cannot exist. */
function jobIdOf(params: JobParams): string {
  return jobIdFromPath(params.jobId, invalidRequest);
}

function resourceOf(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf("?");
  return `${request.headers.host ?? ""}${q === -1 ? url : url.slice(0, q)}`;
}

function toCosError(error: unknown, maxBodyBytes: number): CosError {
  if (isDomainError(error)) return cosErrorFor(error);
  const rejection = fastifyRejectionOf(error);
  if (rejection?.kind === "body-too-large") return cosErrorFor(entityTooLarge(maxBodyBytes));
  if (rejection?.kind === "unreadable-request") return cosErrorFor(invalidRequest(rejection.message));
  return INTERNAL_ERROR;
}
