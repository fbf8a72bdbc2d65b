/**
 * /healthz and /metrics, the two routes every objbatch process answers: `objbatch serve` beside its job APIs
 * (api/server.ts), `objbatch worker` alone on its small port (api/worker-server.ts). /healthz answers 200 while the
 * process can read and write its job store, 503 otherwise; /metrics the process's Prometheus metrics.
 */
import type { FastifyPluginAsync } from "fastify";
import { collectDefaultMetrics, Registry } from "prom-client";

/** /healthz (ok while `healthy` answers true; a probe that throws counts as unhealthy) and /metrics. */
export const healthRoutes =
  (healthy: () => Promise<boolean>): FastifyPluginAsync =>
  async (app) => {
    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: "objbatch_" });

    app.get("/healthz", async (_req, reply) => {
      const ok = await healthy().catch(() => false);
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable" });
    });
    app.get("/metrics", async (_req, reply) => {
      return reply.header("content-type", metrics.contentType).send(await metrics.metrics());
    });
  };
