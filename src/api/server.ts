/**
 * Builds the HTTP server from its parts: the three job dialects, health and metrics. Every dialect goes
 * through the JobService; none touches the store or storage.
 */
import Fastify from "fastify";
import type { Logger } from "pino";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { AccountRegistry } from "../accounts/types.js";
import type { JobServiceApi } from "../service/types.js";
import { cosRoutes } from "./dialects/cos/routes.js";
import { ossRoutes } from "./dialects/oss/routes.js";
import { s3ControlRoutes } from "./dialects/s3control/routes.js";
import { originFormPath } from "./origin-form.js";

export interface ServerParts {
  readonly service: JobServiceApi;
  readonly accounts: AccountRegistry;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Answers /healthz: false while the store is unreachable or the server is shutting down. */
  readonly healthy: () => Promise<boolean>;
  readonly now?: () => Date;
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
  });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: "objbatch_" });

  app.get("/healthz", async (_req, reply) => {
    const ok = await parts.healthy().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable" });
  });
  app.get("/metrics", async (_req, reply) => {
    return reply.header("content-type", metrics.contentType).send(await metrics.metrics());
  });

  app.register(
    cosRoutes({ service: parts.service, accounts: parts.accounts, now: parts.now, maxBodyBytes: parts.maxBodyBytes }),
  );
  app.register(
    ossRoutes({ service: parts.service, accounts: parts.accounts, now: parts.now, maxBodyBytes: parts.maxBodyBytes }),
  );
  app.register(
    s3ControlRoutes({
      service: parts.service,
      accounts: parts.accounts,
      now: parts.now,
      maxBodyBytes: parts.maxBodyBytes,
    }),
  );
  return app;
}
