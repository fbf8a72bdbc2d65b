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
 * method (or PUT, DELETE, PATCH on `/`) 405 MethodNotAllowed, both in OSS form. Every request is
 * signature-checked first (onRequest, before any body is read: OSS V1 or V4, oss-signature.ts); the account is
 * the signer's. A V1 signature covers only the sub-resource, so every V1 request that changes something is bound to
 * the one request it first came with (target and body) in the signature ledger; so is a V4 one whose body its
 * signature does not cover (UNSIGNED-PAYLOAD without Content-MD5). The signature policy may refuse V1 outright.
 * Bodies are read raw whatever their Content-Type, up to maxBodyBytes. Every answer carries
 * `x-oss-request-id`; every error is an OSS `<Error>` body, including Fastify's own client errors (bad
 * Content-Length, body too large) and unexpected exceptions (500 InternalError, logged).
 *
 * ClientRequestToken is idempotent (D5): the same token with the same request returns the same JobId. Status
 * changes follow OSS's rules: Ready is accepted while Preparing as well as Suspended.
 *
 * Register without fastify-plugin: the content-type parser and error handler set here stay inside this
 * plugin's encapsulated context, so the COS (`/jobs`) and S3 Control (`/v20180820/jobs`) dialects registered on
 * the same instance keep their own.
 */
import { createHash } from "node:crypto";
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from "fastify";
import type { Account } from "../../../accounts/types.js";
import { DomainError, invalidArgument, invalidRequest, isDomainError } from "../../../domain/errors.js";
import { type OssSignatureOptions, type OssVerified, verifyOssRequest } from "../../auth/oss-signature.js";
import type { RequestTarget } from "../../auth/request-target.js";
import { changesState, requestDigest, requireFirstUse } from "../../auth/signature-binding.js";
import { signaturePolicyOf } from "../../auth/signature-policy.js";
import { requireMatchingContentMd5 } from "../../http/content-md5.js";
import { DEFAULT_MAX_BODY_BYTES, type DialectRoutesOptions } from "../../http/dialect-routes-options.js";
import { entityTooLarge, fastifyRejectionOf } from "../../http/fastify-rejections.js";
import { methodNotAllowed } from "../../http/method-not-allowed.js";
import { acceptRawBodies, bodyBytesOf, bodyOf } from "../../http/raw-body.js";
import { sendXml } from "../../http/xml-reply.js";
import { parseOssCreateJobRequest } from "./create-job-request.js";
import { newOssRequestId, OSS_INTERNAL_ERROR, type OssError, ossErrorFor, renderOssError } from "./errors.js";
import {
  optionalJobId,
  parseListJobsQuery,
  parseStatusQuery,
  parseTargetPriority,
  rejectUndecodableJobId,
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

interface RequestContext {
  readonly requestId: string;
  verified?: OssVerified;
}

const NO_SUB_RESOURCE =
  "This endpoint serves the OSS batch-job API only: the request must name one of the sub-resources " +
  "batchJob, batchJobPriority and batchJobStatus.";

export function ossRoutes(options: OssRoutesOptions): FastifyPluginAsync {
  const { service, accounts, signatureLedger } = options;
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? OSS_DEFAULT_MAX_BODY_BYTES;
  const signatureOptions = { ...options.signature, v1: signaturePolicyOf(options.signaturePolicy).ossSignatureV1 };

  return async (app) => {
    const contexts = new WeakMap<FastifyRequest, RequestContext>();

    const authenticated = (request: FastifyRequest): { account: Account; target: RequestTarget } => {
      const verified = contexts.get(request)?.verified;
      if (verified === undefined) throw new Error("request reached a handler unauthenticated");
      return { account: verified.account, target: verified.target };
    };

    acceptRawBodies(app, maxBodyBytes);

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const requestId = contexts.get(request)?.requestId ?? newOssRequestId();
      const info = toOssError(error, maxBodyBytes);
      if (info === OSS_INTERNAL_ERROR) request.log.error({ err: error }, "OSS API request failed unexpectedly");
      sendXml(
        reply.code(info.status).header("x-oss-request-id", requestId),
        renderOssError(info, requestId, hostOf(request)),
      );
    });

    app.addHook("onRequest", async (request, reply) => {
      const context: RequestContext = { requestId: newOssRequestId() };
      contexts.set(request, context);
      reply.header("x-oss-request-id", context.requestId);
      rejectUndecodableJobId(request.url);
      context.verified = verifyOssRequest(
        { method: request.method, url: request.url, headers: request.headers },
        accounts,
        { ...signatureOptions, now: now() },
      );
    });

    // Content-MD5 is optional (the SDKs send it with every body); when sent it must match the body that arrived.
    // A V4 request that signed the body's SHA-256 must carry that body. Then the signature is bound (see above).
    app.addHook("preHandler", async (request) => {
      const body = bodyBytesOf(request);
      requireMatchingContentMd5(request.headers["content-md5"], body);
      const verified = contexts.get(request)?.verified;
      if (verified === undefined) return;
      const sha256 = verified.payloadSha256;
      if (sha256 !== undefined && createHash("sha256").update(body).digest("hex") !== sha256) {
        throw new DomainError(
          "InvalidDigest",
          "The x-oss-content-sha256 you specified did not match what was received.",
        );
      }
      if (!changesState(request.method)) return;
      const v1 = verified.version === "OSS";
      // V4 signs every parameter, and Content-MD5 whenever it is sent: only the body can be left uncovered.
      if (!v1 && (sha256 !== undefined || request.headers["content-md5"] !== undefined)) return;
      await requireFirstUse(
        signatureLedger,
        {
          scheme: v1 ? "oss-v1" : "oss-v4",
          accessKeyId: verified.accessKeyId,
          signature: verified.signature,
          digest: requestDigest(request.method, request.url, body),
          expiresAt: verified.validUntil,
        },
        v1
          ? "A V1 signature covers only the sub-resource (not batchJobId or the other parameters): sign each request anew, or sign with V4 (OSS4-HMAC-SHA256)."
          : "Sign each request anew, and sign its body (x-oss-content-sha256 or Content-MD5).",
      );
    });

    const routeOptions = { bodyLimit: maxBodyBytes };

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
  };
}

/** OSS reports the host the request was sent to as HostId. */
function hostOf(request: FastifyRequest): string {
  const host = request.headers.host;
  return typeof host === "string" && host !== "" ? host.slice(0, 255) : "objbatch";
}

function toOssError(error: unknown, maxBodyBytes: number): OssError {
  if (isDomainError(error)) return ossErrorFor(error);
  const rejection = fastifyRejectionOf(error);
  if (rejection?.kind === "body-too-large") return ossErrorFor(entityTooLarge(maxBodyBytes));
  if (rejection?.kind === "unreadable-request") return ossErrorFor(invalidRequest(rejection.message));
  return OSS_INTERNAL_ERROR;
}
