/**
 * Builds the HTTP server from its parts: the three job dialects, objbatch's own JSON API (/api/v1), the web
 * console that uses it (/console, D41), health and metrics. Every front-end goes through the JobService; none
 * touches the store. Of the JSON API, the job preview reads storage (through the JobPreviewer, never writing),
 * and POST /api/v1/manifests writes uploaded manifests (through ManifestUploads, D38).
 */
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import type { Logger } from "pino";
import type { AccessTokenVerifier } from "../accounts/access-tokens.js";
import type { AccountRegistry } from "../accounts/types.js";
import type { ObjbatchMetrics } from "../metrics/registry.js";
import type { WebhooksApi } from "../notifications/webhook-service.js";
import type { JobPreviewerApi } from "../preview/job-preview.js";
import type { ScheduleService } from "../schedules/schedule-service.js";
import type { JobEventsApi } from "../service/job-events.js";
import type { ManifestUploadsApi } from "../service/manifest-uploads.js";
import type { JobServiceApi } from "../service/types.js";
import type { SignatureLedger } from "./auth/signature-binding.js";
import type { SignaturePolicy } from "./auth/signature-policy.js";
import { cosRoutes } from "./dialects/cos/routes.js";
import { GCS_PREFIX, gcsRoutes } from "./dialects/gcs/routes.js";
import { ossRoutes } from "./dialects/oss/routes.js";
import { s3ControlRoutes } from "./dialects/s3control/routes.js";
import { answerUnknownRoute } from "./dialects/unknown-route.js";
import { applyConnectionLimits, type HttpLimits, serverTimeoutOptions } from "./http/connection-limits.js";
import { browserAtRootToConsole, consoleRoutes } from "./http/console-routes.js";
import { healthRoutes } from "./http/health-routes.js";
import { jsonApi } from "./json/plugin.js";
import type { SessionPolicy } from "./json/sessions/session-policy.js";
import type { ConsoleSessionStore } from "./json/sessions/session-store.js";
import type { SseOptions } from "./json/sse-stream.js";
import type { TokenPolicy } from "./json/token-policy.js";
import type { AccessTokensApi } from "./json/token-routes.js";
import { originFormPath } from "./origin-form.js";

export interface ServerParts {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Answers /healthz: false while the store is unreachable or the server is shutting down. */
  readonly healthy: () => Promise<boolean>;
  /** Served at /metrics: the process's metrics (D40); a registry of its own when none is given. */
  readonly metrics?: ObjbatchMetrics;
  readonly now?: () => Date;
  /** Binds COS and OSS V1 signatures to the request they first came with (auth/signature-binding.ts). */
  readonly signatureLedger: SignatureLedger;
  /** Key-time cap for COS, V1 on or off for OSS; defaults in auth/signature-policy.ts. */
  readonly signaturePolicy?: Partial<SignaturePolicy>;
  /** Timeouts and the connection cap (http/connection-limits.ts); without them, Node's and Fastify's defaults. */
  readonly httpLimits?: HttpLimits;
  /** Dry runs of jobs for the JSON API (POST /api/v1/jobs/preview, D28): it reads storage, nothing else here does. */
  readonly previewer?: JobPreviewerApi;
  /** The JSON API's console sessions (D33), in the store every API server shares. */
  readonly sessions: ConsoleSessionStore;
  /** Their lifetime, idle timeout and cookie (json/sessions/session-policy.ts). */
  readonly sessionPolicy?: Partial<SessionPolicy>;
  /** Job events for the JSON API's Server-Sent Events routes (D34). */
  readonly events?: JobEventsApi;
  readonly sse?: SseOptions;
  /** Writes manifests uploaded through the JSON API (POST /api/v1/manifests, D38); without it, that route is 501. */
  readonly manifestUploads?: ManifestUploadsApi;
  /** That route's own body limit (config maxManifestUploadBytes). */
  readonly maxManifestUploadBytes?: number;
  /** The accounts' webhooks for /api/v1/webhooks (D42); without it, those routes are 501. */
  readonly webhooks?: WebhooksApi;
  /** Schedules of recurring jobs for the JSON API (D43); without it, the /api/v1/schedules routes are 501. */
  readonly schedules?: ScheduleService;
  /** Where the built console is (default dist/console); tests point it elsewhere. */
  readonly consoleDir?: string;
  /**
   * Bearer access tokens (D44): issued, listed and revoked through /api/v1/tokens, and verified by the Google
   * dialect; without them, the /api/v1/tokens routes are 501.
   */
  readonly accessTokens?: AccessTokensApi & AccessTokenVerifier;
  /** Their lifetimes and the per-account cap (json/token-policy.ts, config `tokens`). */
  readonly tokenPolicy?: TokenPolicy;
}

/**
 * One access-log line per request, when it is answered (method, URL, status, time), instead of Fastify's two
 * (one as it comes in, one as it is answered): each is a synchronous write. Errors are logged as before.
 */
class AccessLog extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    reply.log.info(
      {
        method: request.method,
        url: request.url,
        remoteAddress: request.ip,
        statusCode: reply.statusCode,
        responseTime: reply.elapsedTime,
      },
      "request completed",
    );
  }
}

export function buildServer(parts: ServerParts) {
  const app = Fastify({
    loggerInstance: parts.logger,
    bodyLimit: parts.maxBodyBytes,
    // Job ids are validated by each dialect with its own error; Fastify's default cap of 100 would 404 first.
    routerOptions: { maxParamLength: 2048 },
    // The AWS CLI reaches objbatch through HTTP_PROXY and sends absolute-form request lines.
    rewriteUrl: (req) => originFormPath(req.url ?? "/"),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    logController: new AccessLog(),
    ...(parts.httpLimits && serverTimeoutOptions(parts.httpLimits)),
  });
  if (parts.httpLimits) applyConnectionLimits(app, parts.httpLimits, parts.logger);
  // Every dialect answers 503 while the job store is unavailable (and /healthz while it is): say when trying
  // again makes sense.
  app.addHook("onSend", async (_request, reply, payload) => {
    if (reply.statusCode === 503 && !reply.hasHeader("retry-after")) reply.header("retry-after", "5");
    return payload;
  });

  app.register(healthRoutes(parts.healthy, parts.metrics));
  app.addHook("onRequest", browserAtRootToConsole);
  app.register(consoleRoutes(parts.consoleDir));

  const dialect = {
    service: parts.service,
    accounts: parts.accounts,
    now: parts.now,
    maxBodyBytes: parts.maxBodyBytes,
    signatureLedger: parts.signatureLedger,
    signaturePolicy: parts.signaturePolicy,
  };
  app.register(cosRoutes(dialect));
  app.register(ossRoutes(dialect));
  app.register(s3ControlRoutes(dialect));
  app.register(
    jsonApi({
      service: parts.service,
      accounts: parts.accounts,
      signatureLedger: parts.signatureLedger,
      maxBodyBytes: parts.maxBodyBytes,
      now: parts.now,
      previewer: parts.previewer,
      sessions: parts.sessions,
      sessionPolicy: parts.sessionPolicy,
      events: parts.events,
      sse: parts.sse,
      manifestUploads: parts.manifestUploads,
      maxManifestUploadBytes: parts.maxManifestUploadBytes,
      webhooks: parts.webhooks,
      schedules: parts.schedules,
      accessTokens: parts.accessTokens,
      tokenPolicy: parts.tokenPolicy,
    }),
  );
  // The Google Cloud Storage batch operations dialect (D46), with bearer tokens.
  app.register(
    gcsRoutes({
      service: parts.service,
      accounts: parts.accounts,
      accessTokens: parts.accessTokens,
      now: parts.now,
      maxBodyBytes: parts.maxBodyBytes,
    }),
    { prefix: GCS_PREFIX },
  );
  // A path no route serves is answered in the format of the API it belongs to (dialects/unknown-route.ts).
  app.setNotFoundHandler(answerUnknownRoute);
  return app;
}
