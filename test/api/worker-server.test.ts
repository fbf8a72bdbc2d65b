/**
 * The worker's HTTP server (api/worker-server.ts) and the health routes it shares with the API server
 * (api/http/health-routes.ts): /healthz follows the store probe (a probe that throws is unhealthy), /metrics
 * serves Prometheus text, and nothing else is there: no job API in any dialect.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { buildWorkerServer } from "../../src/api/worker-server.js";

describe("the worker's server", () => {
  it("answers /healthz as the store probe says, /metrics, and 404 for every job API path", async () => {
    let probe: () => Promise<boolean> = async () => true;
    const app = buildWorkerServer({ logger: pino({ level: "silent" }), healthy: () => probe() });
    try {
      const ok = await app.inject({ method: "GET", url: "/healthz" });
      assert.deepEqual([ok.statusCode, ok.json()], [200, { status: "ok" }]);
      probe = async () => false;
      const down = await app.inject({ method: "GET", url: "/healthz" });
      assert.deepEqual([down.statusCode, down.json()], [503, { status: "unavailable" }]);
      probe = async () => {
        throw new Error("store unreachable");
      };
      assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 503);

      const metrics = await app.inject({ method: "GET", url: "/metrics" });
      assert.equal(metrics.statusCode, 200);
      assert.match(metrics.headers["content-type"] as string, /^text\/plain/);
      assert.match(metrics.body, /^objbatch_process_cpu_seconds_total/m);

      for (const [method, url] of [
        ["GET", "/jobs"],
        ["POST", "/jobs"],
        ["GET", "/?batchJob"],
        ["GET", "/v20180820/jobs"],
        ["POST", "/v20180820/jobs"],
      ] as const) {
        assert.equal((await app.inject({ method, url })).statusCode, 404, `${method} ${url}`);
      }
    } finally {
      await app.close();
    }
  });
});
