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
 * Every request is SigV4-checked (service `s3`, any region; auth/sigv4.ts), before its body is read when it
 * carries x-amz-content-sha256 or a presigned query, otherwise once the body has arrived (its hash is then part
 * of the signature). A body whose SHA-256 differs from x-amz-content-sha256 is refused. A request that changes
 * something under a signature that does not cover its body (UNSIGNED-PAYLOAD, or a presigned URL, without a
 * signed Content-MD5) is bound to that signature in the signature ledger, as COS requests are
 * (auth/signature-binding.ts); the AWS SDKs and CLI always sign the body's hash. `x-amz-account-id`
 * must name the signing account. The Host header may be `127.0.0.1:PORT` or `<account>.<host>:PORT` (the SDKs
 * put the account in front of the endpoint); it is only part of what was signed.
 *
 * Every answer carries x-amz-request-id and x-amz-id-2; every error is an S3 Control `<ErrorResponse>`
 * (errors.ts), including Fastify's own client errors (bad Content-Length, body too large), unknown paths under
 * /v20180820 and unexpected exceptions (500 InternalServiceException, logged).
 *
 * Register without fastify-plugin: the content-type parser, hooks, error and not-found handlers set here stay
 * inside this plugin, so the COS (`/jobs`) and OSS (`/?batchJob`) dialects on the same instance keep their own.
 */
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Account } from "../../../accounts/types.js";
import { DomainError, invalidArgument, isDomainError } from "../../../domain/errors.js";
import type { RequestTarget } from "../../auth/request-target.js";
import { changesState, requestDigest, requireFirstUse } from "../../auth/signature-binding.js";
import { checkPayloadHash, type SigV4Options, type SigV4Verified, verifySigV4 } from "../../auth/sigv4.js";
import { contentMd5Verdict } from "../../http/content-md5.js";
import { DEFAULT_MAX_BODY_BYTES, type DialectRoutesOptions } from "../../http/dialect-routes-options.js";
import { fastifyRejectionOf } from "../../http/fastify-rejections.js";
import { rejectMethod } from "../../http/method-not-allowed.js";
import { jobIdFromPath } from "../../http/path-job-id.js";
import { acceptRawBodies, bodyBytesOf, bodyOf } from "../../http/raw-body.js";
import { sendXml } from "../../http/xml-reply.js";
import { s3ControlUnknownRoute } from "../unknown-route.js";
import { parsePutJobTaggingRequest, parseS3ControlCreateJobRequest } from "./create-job-request.js";
import {
  INTERNAL_SERVICE_ERROR,
  newHostId,
  newRequestId,
  renderS3ControlError,
  S3ControlError,
  s3ControlErrorFor,
} from "./errors.js";
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

interface RequestContext {
  readonly requestId: string;
  readonly hostId: string;
  verified?: SigV4Verified;
  account?: Account;
}

type JobParams = { jobId: string };

interface Authenticated {
  readonly account: Account;
  readonly target: RequestTarget;
  readonly region: string;
}

export function s3ControlRoutes(options: S3ControlRoutesOptions): FastifyPluginAsync {
  const { service, accounts, signatureLedger } = options;
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? S3CONTROL_DEFAULT_MAX_BODY_BYTES;

  const plugin: FastifyPluginAsync = async (app) => {
    const contexts = new WeakMap<FastifyRequest, RequestContext>();

    const contextOf = (request: FastifyRequest): RequestContext => {
      let c = contexts.get(request);
      if (c === undefined) {
        c = { requestId: newRequestId(), hostId: newHostId() };
        contexts.set(request, c);
      }
      return c;
    };

    const authenticated = (request: FastifyRequest): Authenticated => {
      const c = contexts.get(request);
      if (c?.account === undefined || c.verified === undefined) {
        throw new Error("request reached a handler unauthenticated");
      }
      return { account: c.account, target: c.verified.target, region: c.verified.region };
    };

    const verify = async (request: FastifyRequest, body: Uint8Array | undefined): Promise<void> => {
      const context = contextOf(request);
      const verified = await verifySigV4(
        { method: request.method, url: request.url, headers: request.headers, body },
        accounts,
        { ...options.signature, now: now(), service: "s3" },
      );
      const accountId = request.headers["x-amz-account-id"];
      if (typeof accountId !== "string" || accountId === "") {
        throw invalidArgument("The x-amz-account-id header is required.");
      }
      if (accountId !== verified.account.id) {
        throw new DomainError(
          "AccessDenied",
          "The x-amz-account-id header does not name the account that signed the request.",
        );
      }
      context.verified = verified;
      context.account = verified.account;
    };

    acceptRawBodies(app, maxBodyBytes);

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const context = contextOf(request);
      const answer = toS3ControlError(error, maxBodyBytes);
      if (answer === INTERNAL_SERVICE_ERROR) {
        request.log.error({ err: error }, "S3 Control API request failed unexpectedly");
      }
      sendXml(
        reply.code(answer.status).header("x-amz-request-id", context.requestId).header("x-amz-id-2", context.hostId),
        renderS3ControlError(answer, context.requestId, context.hostId),
      );
    });

    app.addHook("onRequest", async (request, reply) => {
      const context = contextOf(request);
      reply.header("x-amz-request-id", context.requestId).header("x-amz-id-2", context.hostId);
      // With a payload hash header (every AWS SDK and the CLI send one) or a presigned URL the signature does not
      // depend on the body: check it before reading any.
      const presigned = request.url.includes("X-Amz-Signature=");
      if (request.headers["x-amz-content-sha256"] !== undefined || presigned) await verify(request, undefined);
    });

    app.addHook("preHandler", async (request) => {
      const context = contextOf(request);
      const body = bodyBytesOf(request);
      if (context.verified === undefined) await verify(request, body);
      const sent = request.headers["x-amz-content-sha256"];
      if (typeof sent === "string" && !context.verified!.presigned && !checkPayloadHash(sent, body)) {
        throw new S3ControlError(
          400,
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }
      // Content-MD5 is optional; when sent it must match the body that arrived (one message for a malformed
      // digest and a wrong one, unlike COS and OSS).
      const md5 = contentMd5Verdict(request.headers["content-md5"], body);
      if (md5 === "malformed" || md5 === "mismatch") {
        throw new DomainError("InvalidDigest", "The Content-MD5 you specified did not match what was received.");
      }
      const verified = context.verified!;
      if (verified.coversBody || !changesState(request.method)) return;
      await requireFirstUse(
        signatureLedger,
        {
          scheme: "sigv4",
          accessKeyId: verified.accessKeyId,
          signature: verified.signature,
          digest: requestDigest(request.method, request.url, body),
          expiresAt: verified.validUntil,
        },
        "Sign each request anew, and sign its body: send its SHA-256 in x-amz-content-sha256 (the AWS SDKs do).",
      );
    });

    const routeOptions = { bodyLimit: maxBodyBytes };

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
  };

  return async (app) => {
    await app.register(plugin, { prefix: S3CONTROL_PREFIX });
  };
}

/** JobIds are at most 64 bytes here (AWS: 5-36 characters); an empty one is InvalidArgument. */
function jobIdOf(params: JobParams): string {
  return jobIdFromPath(params.jobId, invalidArgument);
}

function toS3ControlError(error: unknown, maxBodyBytes: number): S3ControlError {
  if (error instanceof S3ControlError) return error;
  if (isDomainError(error)) return s3ControlErrorFor(error);
  const rejection = fastifyRejectionOf(error);
  if (rejection?.kind === "body-too-large") {
    return new S3ControlError(
      400,
      "BadRequestException",
      `The request body exceeds the maximum allowed size of ${maxBodyBytes} bytes.`,
    );
  }
  if (rejection?.kind === "unreadable-request") {
    return new S3ControlError(400, "BadRequestException", rejection.message);
  }
  return INTERNAL_SERVICE_ERROR;
}
