import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";

describe("server", () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.dispose());

  it("answers /healthz and /metrics", async () => {
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const metrics = await fetch(`${app.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /objbatch_process_cpu_seconds_total/);
  });

  it("serves a request sent through a proxy in absolute form", async () => {
    const listed = await cosRequest(app.url, "GET", "/jobs");
    assert.equal(listed.status, 200);
    const { port } = new URL(app.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: "127.0.0.1",
        port,
        method: "GET",
        path: `http://1250000000.localhost:${port}/healthz`,
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 200);
  });
});
