/**
 * The HTTP server of `objbatch worker`: /healthz and /metrics only (http/health-routes.ts), on a small port of
 * its own, so an orchestrator can probe and scrape a worker that runs no job API. Any other path is a plain 404.
 */
import Fastify from "fastify";
import type { Logger } from "pino";
import type { ObjbatchMetrics } from "../metrics/registry.js";
import { healthRoutes } from "./http/health-routes.js";

export function buildWorkerServer(parts: {
  readonly logger: Logger;
  readonly healthy: () => Promise<boolean>;
  /** The worker's metrics (its engine's and its runner threads'); a registry of its own when none is given. */
  readonly metrics?: ObjbatchMetrics;
}) {
  const app = Fastify({ loggerInstance: parts.logger, return503OnClosing: true, forceCloseConnections: "idle" });
  app.register(healthRoutes(parts.healthy, parts.metrics));
  return app;
}
