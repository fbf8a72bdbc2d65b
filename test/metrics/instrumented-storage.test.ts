/**
 * Storage requests counted and timed (metrics/instrumented-storage.ts), each store wrapped as openStorage opens
 * it: a routed storage with a bucket on s3rver and the rest in a local directory shows each request under its own
 * backend, operation and outcome (a missing key is a 4xx, a refused one too), a cross-store copy as the get and
 * put it is made of, a listing as one request also when its reader stops early, and every series' latency.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { ObjbatchMetrics } from "../../src/metrics/registry.js";
import { openStorage } from "../../src/storage/open-storage.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { histograms, parseMetrics, sumOf } from "../helpers/prometheus.js";
import { type S3rverHandle, startS3rver } from "../helpers/s3rver.js";

describe("instrumented storage", () => {
  let s3: S3rverHandle;
  let dataDir: string;
  let storage: ObjectStorage;
  const metrics = new ObjbatchMetrics();

  before(async () => {
    s3 = await startS3rver({ buckets: ["remote"] });
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-instrumented-"));
    storage = await openStorage(
      {
        kind: "routed",
        routes: [
          { buckets: ["remote"], store: s3.storageConfig() },
          { buckets: ["*"], store: { kind: "local", dataDir } },
        ],
      },
      { instrument: metrics.instrument },
    );
  });
  after(async () => {
    await storage.close();
    await s3.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("counts each request under its backend, operation and outcome, with its latency", async () => {
    await storage.createBucket("here");
    for (const key of ["a", "b", "c"]) await storage.put("here", key, `body ${key}`);
    await storage.put("remote", "r", "remote body");
    assert.equal((await buffer(await storage.get("remote", "r"))).toString(), "remote body");
    await assert.rejects(storage.head("here", "missing"), { code: "NoSuchKey" });
    await assert.rejects(storage.head("remote", "missing"), { httpStatus: 404 });
    await storage.copy({ bucket: "here", key: "a" }, { bucket: "remote", key: "copied" }); // across stores
    const listed: string[] = [];
    for await (const o of storage.list("here")) listed.push(o.key);
    for await (const _ of storage.list("here")) break; // a reader that stops early
    assert.deepEqual(listed, ["a", "b", "c"]);

    const m = await parseMetrics(await metrics.text());
    const count = (backend: string, operation: string, outcome?: string) =>
      sumOf(m, "objbatch_storage_requests_total", { backend, operation, ...(outcome ? { outcome } : {}) });
    assert.equal(count("local", "create_bucket", "ok"), 1);
    // Three puts, and the cross-store copy's read of its source.
    assert.equal(count("local", "put", "ok"), 3);
    assert.equal(count("local", "get", "ok"), 1);
    assert.equal(count("s3", "put", "ok"), 2, "a put, and the cross-store copy's write");
    assert.equal(count("s3", "get", "ok"), 1);
    assert.equal(count("local", "head", "4xx"), 1);
    assert.equal(count("s3", "head", "4xx"), 1);
    assert.equal(count("local", "list", "ok"), 2);
    assert.equal(count("local", "copy") + count("s3", "copy"), 0, "a copy across stores is its get and put");
    for (const h of histograms(m, "objbatch_storage_request_duration_seconds")) {
      assert.equal(h.count, sumOf(m, "objbatch_storage_requests_total", h.labels), JSON.stringify(h.labels));
    }
    assert.equal(histograms(m, "objbatch_storage_request_duration_seconds", { backend: "s3" }).length, 3);
  });
});
