/**
 * objbatch's own JSON API as a Fastify plugin under /api/v1 (docs/decisions.md D26):
 *
 *   GET /api/v1/openapi.json     the OpenAPI 3.1 document (no authentication)
 *   /api/v1/jobs...              the account's jobs (job-routes.ts), SigV4-signed (authentication.ts)
 *   POST /api/v1/jobs/preview    a job's dry run (preview-route.ts)
 *   /api/v1/jobs/{id}/report...  a job's completion report and its results files (report-routes.ts)
 *   GET /api/v1/events           the account's job events, Server-Sent Events (event-routes.ts, D34)
 *   GET /api/v1/jobs/{id}/events one job's events and progress, Server-Sent Events
 *
 * Every route is declared once (route.ts) and registered here: the signature is checked before the body is read
 * when it can be (onRequest), otherwise once it has arrived (preHandler), where the body's hash, digest and
 * binding are checked too; the body is parsed and checked against the route's schema; the handler answers JSON.
 * Every error, including Fastify's own rejections and paths or methods no route serves under /api/v1, is an
 * RFC 9457 problem (problems.ts). Registered without fastify-plugin, so its parsers, hooks and handlers stay in
 * its own context and the dialects keep theirs.
 */
import { Readable } from "node:stream";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AccountRegistry } from "../../accounts/types.js";
import { isDomainError } from "../../domain/errors.js";
import type { JobPreviewerApi } from "../../preview/job-preview.js";
import type { JobEventsApi } from "../../service/job-events.js";
import { isReportError, type ReportError } from "../../service/job-report.js";
import type { JobServiceApi } from "../../service/types.js";
import { parseRequestTarget } from "../auth/request-target.js";
import type { SignatureLedger } from "../auth/signature-binding.js";
import type { SigV4Verified } from "../auth/sigv4.js";
import { fastifyRejectionOf } from "../http/fastify-rejections.js";
import { acceptRawBodies, bodyBytesOf } from "../http/raw-body.js";
import { jsonAuthentication } from "./authentication.js";
import { eventRoutes, OpenStreams } from "./event-routes.js";
import { jobRoutes } from "./job-routes.js";
import { jsonBodyOf, requireNoBody } from "./json-body.js";
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
import type { JsonRoute } from "./route.js";
import type { SseOptions } from "./sse-stream.js";

export interface JsonApiParts {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  readonly signatureLedger: SignatureLedger;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
  /** Answers POST /jobs/preview (D28); without it that route answers 501. */
  readonly previewer?: JobPreviewerApi;
  /** Streams job events (D34); without it, the event routes answer 501. */
  readonly events?: JobEventsApi;
  /** Heartbeat and buffering of event streams (tests shorten the heartbeat). */
  readonly sse?: SseOptions;
}

export const JSON_API_VERSION = "1.0.0";

interface RouteConfig {
  readonly authenticated?: boolean;
}

export function jsonApi(parts: JsonApiParts): FastifyPluginAsync {
  const authentication = jsonAuthentication(parts.accounts, parts.signatureLedger, parts.now ?? (() => new Date()));
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
    ...reportRoutes(parts.service),
    ...eventRoutes(parts.events, openStreams, parts.sse),
  );
  const document = openApiDocument(routes, JSON_API_VERSION);
  const resources = routes.map((route) => ({
    method: route.method,
    pattern: new RegExp(`^${API_PREFIX}${route.path.replace(/:[A-Za-z]+/g, "[^/]+").replace(/\./g, "\\.")}$`),
  }));

  const plugin: FastifyPluginAsync = async (app) => {
    const verified = new WeakMap<FastifyRequest, SigV4Verified>();
    const needsSignature = (request: FastifyRequest) =>
      (request.routeOptions.config as RouteConfig | undefined)?.authenticated === true;

    acceptRawBodies(app, parts.maxBodyBytes);
    // Event streams never end by themselves: end them before the server waits for its connections to close.
    app.addHook("preClose", async () => openStreams.endAll());

    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      sendProblem(reply, request, problemFor(error, request, parts.maxBodyBytes));
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
      if (needsSignature(request) && authentication.verifiesBeforeBody(request)) {
        verified.set(request, await authentication.verify(request, undefined));
      }
    });

    app.addHook("preHandler", async (request) => {
      if (!needsSignature(request)) return;
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
        bodyLimit: parts.maxBodyBytes,
        config: { authenticated: route.authenticated } satisfies RouteConfig,
        handler: async (request, reply) => {
          const signature = verified.get(request);
          if (route.authenticated && signature === undefined) throw new Error("request reached a handler unsigned");
          let body: unknown;
          if (route.body !== undefined) body = jsonBodyOf(request, route.body, route.bodyRequired ?? true);
          else requireNoBody(request);
          const answer = await route.handler({
            request,
            // A public route is given no account (RouteContext.account), and its handler reads none.
            account: signature?.account as NonNullable<typeof signature>["account"],
            params: (request.params ?? {}) as Record<string, string>,
            query: signature?.target.query ?? parseRequestTarget(request.url).query,
            body,
          });
          reply.code(answer.status);
          if (answer.headers !== undefined) reply.headers(answer.headers);
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
  const rejection = fastifyRejectionOf(error);
  if (rejection !== undefined) return problemOfRejection(rejection, maxBodyBytes);
  request.log.error({ err: error }, "JSON API request failed unexpectedly");
  return INTERNAL_PROBLEM;
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

function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError): void {
  if (problem.status === 401) reply.header("www-authenticate", "AWS4-HMAC-SHA256");
  const path = request.url.split("?")[0] ?? "";
  reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemOf(problem, path.slice(0, 1024))));
}
