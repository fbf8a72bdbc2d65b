/**
 * objbatch's own JSON API as a Fastify plugin under /api/v1 (docs/decisions.md D26):
 *
 *   GET /api/v1/openapi.json     the OpenAPI 3.1 document (no authentication)
 *   /api/v1/jobs...              the account's jobs (job-routes.ts)
 *   POST /api/v1/jobs/preview    a job's dry run (preview-route.ts)
 *   POST /api/v1/manifests       a local manifest's bytes, written into a bucket for a job to use; its body is
 *                                taken raw, up to its own limit (manifest-upload-route.ts, D38)
 *   /api/v1/jobs/{id}/report...  a job's completion report and its results files (report-routes.ts)
 *   /api/v1/session, /sessions   console sessions: sign in (no authentication), who am I, sign out, revoke all
 *                                of the account's (sessions/session-routes.ts, D33)
 *   POST /api/v1/jobs/{id}/rerun a new job over a finished job's failed or unrun tasks (rerun-routes.ts, D35)
 *   POST /api/v1/jobs/{id}/clone a new job with the same manifest and operation, with overrides (rerun-routes.ts)
 *   GET /api/v1/jobs/{id}/tasks  a page of the job's task results, from its report (rerun-routes.ts)
 *   GET /api/v1/events           the account's job events, Server-Sent Events (event-routes.ts, D34)
 *   GET /api/v1/jobs/{id}/events one job's events and progress, Server-Sent Events
 *   /api/v1/webhooks...          the account's webhooks (and the operator's, read-only), a test send, each one's
 *                                deliveries (webhook-routes.ts, D42)
 *   /api/v1/schedules...         recurring jobs: a job template on a cron expression in a time zone, paused,
 *                                resumed, deleted, and the jobs each made (schedule-routes.ts, D43)
 *   /api/v1/tokens...            bearer access tokens for the Google dialect: issue, list, revoke
 *                                (token-routes.ts, D44); a bearer token itself is refused by every route here
 *                                (bearer-refusal.ts)
 *
 * Every authenticated route takes either an AWS SigV4 signature (authentication.ts) or a console session's cookie
 * (sessions/session-authentication.ts, D33). A request that carries a signature (an Authorization header, or
 * X-Amz-Signature in the query) is judged by it alone, whatever cookie it carries; one without is judged by its
 * session cookie, with the session's CSRF token required on anything but GET and HEAD. The session is looked up
 * and the signature checked before the body is read when it can be (onRequest), otherwise once it has arrived
 * (preHandler), where a signed request's body hash, digest and binding (D15) are checked too; the body is parsed
 * and checked against the route's schema (a `rawBody` route is handed the bytes, up to its own limit); the
 * handler answers JSON. Every error, including Fastify's own rejections and paths or methods no route serves
 * under /api/v1, is an RFC 9457 problem (problems.ts).
 * Registered without fastify-plugin, so its parsers, hooks, cookie parsing and handlers stay in its own context
 * and the dialects keep theirs.
 */
import { Readable } from "node:stream";
import fastifyCookie from "@fastify/cookie";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AccountRegistry } from "../../accounts/types.js";
import { isDomainError } from "../../domain/errors.js";
import { isWebhookRefusal, type WebhookRefusal, type WebhooksApi } from "../../notifications/webhook-service.js";
import type { JobPreviewerApi } from "../../preview/job-preview.js";
import { isScheduleRefusal, type ScheduleRefusal, type ScheduleService } from "../../schedules/schedule-service.js";
import type { JobEventsApi } from "../../service/job-events.js";
import { isReportError, type ReportError } from "../../service/job-report.js";
import { isRerunRefusal, type RerunRefusal } from "../../service/job-rerun.js";
import {
  DEFAULT_MAX_MANIFEST_UPLOAD_BYTES,
  isManifestUploadError,
  type ManifestUploadError,
  type ManifestUploadsApi,
} from "../../service/manifest-uploads.js";
import type { JobServiceApi } from "../../service/types.js";
import { parseRequestTarget } from "../auth/request-target.js";
import type { SignatureLedger } from "../auth/signature-binding.js";
import type { SigV4Verified } from "../auth/sigv4.js";
import { fastifyRejectionOf } from "../http/fastify-rejections.js";
import { acceptRawBodies, bodyBytesOf } from "../http/raw-body.js";
import { jsonAuthentication } from "./authentication.js";
import { bearerTokenProblem, carriesBearerToken } from "./bearer-refusal.js";
import { eventRoutes, OpenStreams } from "./event-routes.js";
import { jobRoutes } from "./job-routes.js";
import { jsonBodyOf, requireNoBody } from "./json-body.js";
import { manifestUploadRoute } from "./manifest-upload-route.js";
import { API_PREFIX, openApiDocument } from "./openapi.js";
import { previewRoute } from "./preview-route.js";
import {
  INTERNAL_PROBLEM,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemOf,
  problemOfDomainError,
  problemOfRejection,
} from "./problems.js";
import { reportRoutes } from "./report-routes.js";
import { rerunRoutes } from "./rerun-routes.js";
import type { JsonRoute } from "./route.js";
import { scheduleRoutes } from "./schedule-routes.js";
import { type SessionCaller, sessionAuthentication } from "./sessions/session-authentication.js";
import { SESSION_COOKIE } from "./sessions/session-cookie.js";
import { type SessionPolicy, sessionPolicyOf } from "./sessions/session-policy.js";
import { sessionRoutes } from "./sessions/session-routes.js";
import type { ConsoleSessionStore } from "./sessions/session-store.js";
import { SignInThrottle } from "./sessions/sign-in-throttle.js";
import type { SseOptions } from "./sse-stream.js";
import type { TokenPolicy } from "./token-policy.js";
import { type AccessTokensApi, tokenRoutes } from "./token-routes.js";
import { webhookRoutes } from "./webhook-routes.js";

export interface JsonApiParts {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  readonly signatureLedger: SignatureLedger;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
  /** Answers POST /jobs/preview (D28); without it that route answers 501. */
  readonly previewer?: JobPreviewerApi;
  /** Console sessions (D33), in the store every API server shares. */
  readonly sessions: ConsoleSessionStore;
  /** Their lifetime, idle timeout and cookie; defaults in sessions/session-policy.ts. */
  readonly sessionPolicy?: Partial<SessionPolicy>;
  /** Streams job events (D34); without it, the event routes answer 501. */
  readonly events?: JobEventsApi;
  /** Heartbeat and buffering of event streams (tests shorten the heartbeat). */
  readonly sse?: SseOptions;
  /** Writes uploaded manifests (D38); without it, POST /manifests answers 501. */
  readonly manifestUploads?: ManifestUploadsApi;
  /** POST /manifests' body limit (config maxManifestUploadBytes); default DEFAULT_MAX_MANIFEST_UPLOAD_BYTES. */
  readonly maxManifestUploadBytes?: number;
  /** The accounts' webhooks (D42); without it, the webhook routes answer 501. */
  readonly webhooks?: WebhooksApi;
  /** Recurring jobs (D43); without it, the schedule routes answer 501. */
  readonly schedules?: ScheduleService;
  /** Bearer access tokens (D44); without it, the token routes answer 501. */
  readonly accessTokens?: AccessTokensApi;
  /** Their lifetimes and the per-account cap (config `tokens`); defaults in token-policy.ts. */
  readonly tokenPolicy?: TokenPolicy;
}

export const JSON_API_VERSION = "1.0.0";

interface RouteConfig {
  readonly authenticated?: boolean;
}

export function jsonApi(parts: JsonApiParts): FastifyPluginAsync {
  const now = parts.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  const authentication = jsonAuthentication(parts.accounts, parts.signatureLedger, now);
  const sessionPolicy = sessionPolicyOf(parts.sessionPolicy);
  const authenticateSession = sessionAuthentication(parts.accounts, parts.sessions, sessionPolicy, nowMs);
  const routes: JsonRoute[] = [];
  const openStreams = new OpenStreams();
  const documentRoute: JsonRoute = {
    method: "GET",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This API's OpenAPI 3.1 document",
    authenticated: false,
    responses: {
      200: {
        description: "The OpenAPI document.",
        schema: Type.Object({ openapi: Type.Literal("3.1.0"), paths: Type.Object({}) }),
      },
    },
    handler: async () => ({ status: 200, body: document }),
  };
  routes.push(
    documentRoute,
    ...jobRoutes(parts.service),
    previewRoute(parts.previewer),
    manifestUploadRoute(parts.manifestUploads, parts.maxManifestUploadBytes ?? DEFAULT_MAX_MANIFEST_UPLOAD_BYTES),
    ...reportRoutes(parts.service),
    ...sessionRoutes({
      accounts: parts.accounts,
      sessions: parts.sessions,
      policy: sessionPolicy,
      throttle: new SignInThrottle({ now: nowMs }),
      now: nowMs,
    }),
    ...rerunRoutes(parts.service),
    ...eventRoutes(parts.events, openStreams, parts.sse),
    ...webhookRoutes(parts.webhooks),
    ...scheduleRoutes(parts.schedules, nowMs),
    ...tokenRoutes(parts.accessTokens, parts.tokenPolicy, now),
  );
  const document = openApiDocument(routes, JSON_API_VERSION);
  const resources = routes.map((route) => ({
    method: route.method,
    pattern: new RegExp(`^${API_PREFIX}${route.path.replace(/:[A-Za-z]+/g, "[^/]+").replace(/\./g, "\\.")}$`),
  }));

  const plugin: FastifyPluginAsync = async (app) => {
    const verified = new WeakMap<FastifyRequest, SigV4Verified>();
    const inSession = new WeakMap<FastifyRequest, SessionCaller>();
    const needsAuthentication = (request: FastifyRequest) =>
      (request.routeOptions.config as RouteConfig | undefined)?.authenticated === true;

    acceptRawBodies(app, parts.maxBodyBytes);
    // Parses the Cookie header in its own onRequest hook, registered before the one below, so it runs first.
    await app.register(fastifyCookie, { hook: "onRequest" });
    // Event streams never end by themselves: end them before the server waits for its connections to close.
    app.addHook("preClose", async () => openStreams.endAll());

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      // The limit the body was held to: the route's own (a rawBody route's), else the API's.
      sendProblem(reply, request, problemFor(error, request, request.routeOptions.bodyLimit ?? parts.maxBodyBytes));
    });

    app.setNotFoundHandler(async (request, reply) => {
      const path = request.url.split("?")[0] ?? "";
      const allowed = resources.filter((r) => r.pattern.test(path)).map((r) => r.method);
      if (allowed.length > 0) {
        reply.header("allow", [...new Set([...allowed, ...(allowed.includes("GET") ? ["HEAD"] : [])])].join(", "));
        sendProblem(
          reply,
          request,
          new ProblemError(
            405,
            "method-not-allowed",
            "Method not allowed",
            `${path.slice(0, 256)} does not serve ${request.method}.`,
          ),
        );
        return;
      }
      sendProblem(
        reply,
        request,
        new ProblemError(
          404,
          "no-such-route",
          "No such route",
          `There is no ${request.method} ${path.slice(0, 256)} in the objbatch JSON API; see ${API_PREFIX}/openapi.json.`,
        ),
      );
    });

    app.addHook("onRequest", async (request) => {
      if (!needsAuthentication(request)) return;
      if (carriesBearerToken(request)) throw bearerTokenProblem();
      const signed = isSigned(request);
      const token = signed ? undefined : request.cookies[SESSION_COOKIE];
      if (token !== undefined) {
        inSession.set(request, await authenticateSession(request, token));
        return;
      }
      // Neither a signature nor a cookie: the signature's check refuses it at once, whatever body would follow.
      if (!signed || authentication.verifiesBeforeBody(request)) {
        verified.set(request, await authentication.verify(request, undefined));
      }
    });

    app.addHook("preHandler", async (request) => {
      if (!needsAuthentication(request) || inSession.has(request)) return;
      const body = bodyBytesOf(request);
      let signature = verified.get(request);
      if (signature === undefined) {
        signature = await authentication.verify(request, body);
        verified.set(request, signature);
      }
      await authentication.checkBody(request, signature, body);
    });

    for (const route of routes) {
      app.route({
        method: route.method,
        url: route.path,
        // Fastify's per-route limit is the one the raw body parser applies (its own bodyLimit is only a default).
        bodyLimit: route.rawBody?.maxBytes ?? parts.maxBodyBytes,
        config: { authenticated: route.authenticated } satisfies RouteConfig,
        handler: async (request, reply) => {
          const signature = verified.get(request);
          const session = inSession.get(request);
          const account = signature?.account ?? session?.account;
          if (route.authenticated && account === undefined) {
            throw new Error("request reached a handler unauthenticated");
          }
          let body: unknown;
          if (route.rawBody !== undefined) body = bodyBytesOf(request);
          else if (route.body !== undefined) body = jsonBodyOf(request, route.body, route.bodyRequired ?? true);
          else requireNoBody(request);
          const answer = await route.handler({
            request,
            // A public route is given no account (RouteContext.account), and its handler reads none.
            account: account as NonNullable<typeof account>,
            session,
            params: (request.params ?? {}) as Record<string, string>,
            query: signature?.target.query ?? parseRequestTarget(request.url).query,
            body,
          });
          reply.code(answer.status);
          if (answer.headers !== undefined) reply.headers(answer.headers);
          for (const cookie of answer.cookies ?? []) reply.setCookie(cookie.name, cookie.value, cookie.options);
          if (answer.stream !== undefined) {
            reply.type(answer.stream.contentType);
            if (request.method !== "HEAD") return reply.send(answer.stream.body);
            // HEAD: the headers (Content-Length included) without reading the object; Fastify would drain it.
            answer.stream.body.destroy();
            return reply.send(Readable.from([]));
          }
          if (answer.body === undefined) return reply.send();
          return reply.type("application/json; charset=utf-8").send(JSON.stringify(answer.body));
        },
      });
    }
  };

  return async (app) => {
    await app.register(plugin, { prefix: API_PREFIX });
  };
}

function problemFor(error: unknown, request: FastifyRequest, maxBodyBytes: number): ProblemError {
  if (error instanceof ProblemError) return error;
  if (isDomainError(error)) return problemOfDomainError(error);
  if (isReportError(error)) return problemOfReportError(error);
  if (isRerunRefusal(error)) return problemOfRerunRefusal(error);
  if (isScheduleRefusal(error)) return problemOfScheduleRefusal(error);
  if (isManifestUploadError(error)) return problemOfManifestUploadError(error);
  if (isWebhookRefusal(error)) return problemOfWebhookRefusal(error);
  const rejection = fastifyRejectionOf(error);
  if (rejection !== undefined) return problemOfRejection(rejection, maxBodyBytes);
  request.log.error({ err: error }, "JSON API request failed unexpectedly");
  return INTERNAL_PROBLEM;
}

/** A schedule that is not there (or is another account's), or one too many (schedules/schedule-service.ts). */
function problemOfScheduleRefusal(error: ScheduleRefusal): ProblemError {
  return error.kind === "no-such-schedule"
    ? new ProblemError(404, "no-such-schedule", "No such schedule", error.message)
    : new ProblemError(429, "too-many-schedules", "Too many schedules", error.message);
}

/** What reading a job's report ran into (service/job-report.ts). */
function problemOfReportError(error: ReportError): ProblemError {
  switch (error.kind) {
    case "no-such-file":
      return new ProblemError(404, "no-such-report-file", "No such results file", error.message);
    case "access-denied":
      return new ProblemError(403, "report-access-denied", "The report bucket may not be used", error.message);
    case "storage-unavailable":
      return new ProblemError(503, "report-storage-unavailable", "The report's storage is unavailable", error.message);
    case "storage-failed":
      return new ProblemError(502, "report-storage-failed", "The report's storage failed", error.message);
  }
}

/** Why an uploaded manifest was not written (service/manifest-uploads.ts, D38). */
function problemOfManifestUploadError(error: ManifestUploadError): ProblemError {
  switch (error.kind) {
    case "access-denied":
      return new ProblemError(403, "bucket-access-denied", "The bucket may not be used", error.message);
    case "no-such-bucket":
      return new ProblemError(404, "no-such-bucket", "No such bucket", error.message);
    case "storage-unavailable":
      return new ProblemError(503, "manifest-storage-unavailable", "The object storage is unavailable", error.message);
    case "storage-failed":
      return new ProblemError(502, "manifest-storage-failed", "The object storage failed", error.message);
  }
}

/** Why a webhook was refused (notifications/webhook-service.ts, D42). */
function problemOfWebhookRefusal(error: WebhookRefusal): ProblemError {
  switch (error.kind) {
    case "webhook-not-allowed":
      return new ProblemError(403, error.kind, "The webhook's URL is not allowed", error.message);
    case "too-many-webhooks":
      return new ProblemError(409, error.kind, "Too many webhooks", error.message);
    case "webhook-read-only":
      return new ProblemError(409, error.kind, "The webhook is the operator's", error.message);
    case "no-such-webhook":
      return new ProblemError(404, error.kind, "No such webhook", error.message);
  }
}

/** Whether the request carries a SigV4 signature (which then decides, whatever cookie it carries). */
function isSigned(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined || /[?&]X-Amz-Signature=/.test(request.url);
}

/** Why a job cannot be rerun (service/job-rerun.ts, D35): each a 409 of its own kind. */
function problemOfRerunRefusal(error: RerunRefusal): ProblemError {
  const titles: Record<RerunRefusal["kind"], string> = {
    "job-not-finished": "The job has not finished",
    "no-failed-tasks-report": "The job kept no report of its failed tasks",
    "report-incomplete": "The job's report of failed tasks is incomplete",
    "nothing-to-rerun": "The job has no task to rerun",
    "unrun-tasks-unknown": "The job's unrun tasks are not known",
  };
  return new ProblemError(409, error.kind, titles[error.kind], error.message);
}

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError): void {
  if (problem.status === 401) reply.header("www-authenticate", "AWS4-HMAC-SHA256");
  if (problem.headers !== undefined) reply.headers(problem.headers);
  const path = request.url.split("?")[0] ?? "";
  reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemOf(problem, path.slice(0, 1024))));
}
