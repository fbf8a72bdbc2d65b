/**
 * /healthz and /metrics, the two routes every objbatch process answers: `objbatch serve` beside its job APIs
 * (api/server.ts), `objbatch worker` alone on its small port (api/worker-server.ts). /healthz answers 200 while the
 * process can read and write its job store, 503 otherwise; /metrics the process's Prometheus metrics: Node's and
 * the process's, and objbatch's own (metrics/registry.ts, D40).
 */
import type { FastifyPluginAsync } from "fastify";
import { ObjbatchMetrics } from "../../metrics/registry.js";

/**
 * /healthz (ok while `healthy` answers true; a probe that throws counts as unhealthy) and /metrics, from the
 * process's `metrics` (a registry of its own when none is given).
 */
export const healthRoutes =
  (healthy: () => Promise<boolean>, given?: ObjbatchMetrics): FastifyPluginAsync =>
  async (app) => {
    const metrics = given ?? new ObjbatchMetrics();

    app.get("/healthz", async (_req, reply) => {
      const ok = await healthy().catch(() => false);
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable" });
    });
    app.get("/metrics", async (_req, reply) => {
      return reply.header("content-type", metrics.contentType).send(await metrics.text());
    });
  };
