/**
 * objbatch's own metrics end to end (D40), on a real objbatch whose chunks run on worker threads (local
 * directories, two runner threads): a copy job and a tagging job, each with tasks that fail with NoSuchKey, run to
 * Complete through the JSON API; then /metrics is scraped over HTTP and parsed as Prometheus text. Its task counts
 * by operation, status and error code are the jobs' own counts (so the runner threads' deltas reached the main
 * thread), no task is left in flight, the report bytes are the bytes of the report objects on disk, the storage
 * requests are there by backend, operation and outcome with their latencies, the chunks' lease, record and run
 * times are there, the jobs gauge counts the jobs by status, and no label value is a job id, key or bucket.
 */
import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CELL_FAMILIES } from "../../src/metrics/catalog.js";
import { ERROR_CODE_VALUES } from "../../src/metrics/error-codes.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { histograms, labelValues, type PromMetrics, samples, scrapeMetrics, sumOf } from "../helpers/prometheus.js";
import { dropFiles, makeBuckets } from "./helpers.js";

const PRESENT = Array.from({ length: 9 }, (_, i) => `photos/present-${i}.jpg`);
const MISSING = Array.from({ length: 7 }, (_, i) => `photos/missing-${i}.jpg`);

describe("objbatch's metrics after real jobs on worker threads", () => {
  let app: TestApp;
  let client: JsonApiClient;
  const jobs: Json[] = [];
  let metrics: PromMetrics;

  before(async () => {
    // Two runner threads (local storage runs every chunk on them) and chunks of four: several chunks per thread.
    app = await startTestApp({ engine: { chunkSize: 4, runnerThreads: 2 } });
    client = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
    await makeBuckets(app, "src", "dst", "reports");
    await dropFiles(app, "src", Object.fromEntries(PRESENT.map((k) => [k, `body of ${k}`])));
    // Interleaved, so the failures spread over chunks and threads.
    const keys = PRESENT.flatMap((k, i) => (i < MISSING.length ? [k, MISSING[i]] : [k]));
    await dropFiles(app, "src", { "all.csv": `${keys.map((k) => `src,${k}`).join("\n")}\n` });
    await dropFiles(app, "src", {
      "few.csv": `${[...PRESENT.slice(0, 3), ...MISSING.slice(0, 2)].map((k) => `src,${k}`).join("\n")}\n`,
    });

    jobs.push(await runJob({ kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst" }, "all.csv", "copy"));
    jobs.push(await runJob({ kind: "PutObjectTagging", tagSet: [{ key: "k", value: "v" }] }, "few.csv", "tag"));
    metrics = await scrapeMetrics(app.url);
  });
  after(async () => {
    await app.dispose();
  });

  async function runJob(operation: Json, manifestKey: string, prefix: string): Promise<Json> {
    const created = await client.post("/api/v1/jobs", {
      operation,
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::src", key: manifestKey },
      },
      report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix, scope: "AllTasks" },
    });
    assert.equal(created.status, 201, created.text);
    const deadline = Date.now() + 60_000;
    let job: Json;
    do {
      await sleep(50);
      job = (await client.get(`/api/v1/jobs/${created.json.jobId}`)).json;
    } while (!["Complete", "Cancelled", "Failed"].includes(job.status) && Date.now() < deadline);
    assert.equal(job.status, "Complete", JSON.stringify(job));
    return job;
  }

  it("counts every task of the jobs by operation, status and error code, as the jobs count them", () => {
    const [copy, tag] = jobs;
    assert.deepEqual([copy.progress.succeeded, copy.progress.failed], [PRESENT.length, MISSING.length]);
    assert.deepEqual([tag.progress.succeeded, tag.progress.failed], [3, 2]);
    const tasks = "objbatch_tasks_total";
    assert.equal(metrics[tasks]?.type, "counter");
    for (const job of jobs) {
      const operation = job.operation.kind;
      assert.equal(
        sumOf(metrics, tasks, { operation, status: "succeeded", error_code: undefined }),
        job.progress.succeeded,
        operation,
      );
      assert.equal(
        sumOf(metrics, tasks, { operation, status: "failed", error_code: "NoSuchKey" }),
        job.progress.failed,
        operation,
      );
      assert.equal(sumOf(metrics, tasks, { operation }), job.progress.total, operation);
    }
    assert.equal(sumOf(metrics, tasks), copy.progress.total + tag.progress.total, "no other task was counted");
    assert.deepEqual(samples(metrics, "objbatch_tasks_in_flight"), [{ labels: {}, value: 0 }]);
  });

  it("counts the report's bytes: exactly the bytes of the report objects written", async () => {
    let onDisk = 0;
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else onDisk += (await stat(path)).size;
      }
    };
    await walk(join(app.dataDir, "buckets", "reports"));
    assert.ok(onDisk > 0);
    assert.equal(sumOf(metrics, "objbatch_report_bytes_written_total"), onDisk);
  });

  it("counts and times storage requests by backend, operation and outcome", () => {
    const requests = "objbatch_storage_requests_total";
    // The copies ran on the runner threads: each task one copy, ok or 404.
    assert.equal(sumOf(metrics, requests, { backend: "local", operation: "copy", outcome: "ok" }), PRESENT.length);
    assert.equal(sumOf(metrics, requests, { backend: "local", operation: "copy", outcome: "4xx" }), MISSING.length);
    assert.ok(sumOf(metrics, requests, { backend: "local", operation: "get", outcome: "ok" }) > 0, "manifest reads");
    assert.ok(sumOf(metrics, requests, { backend: "local", operation: "put_tagging" }) >= 5, "tagging");
    assert.ok(sumOf(metrics, requests, { backend: "local", operation: "put", outcome: "ok" }) > 0, "report writes");
    // Each histogram's count is the requests of its backend and operation, whatever their outcome.
    const timed = histograms(metrics, "objbatch_storage_request_duration_seconds");
    assert.ok(timed.length > 0);
    for (const h of timed) {
      assert.equal(h.count, sumOf(metrics, requests, h.labels), JSON.stringify(h.labels));
      assert.equal(h.buckets["+Inf"], h.count);
      assert.ok((h.sum ?? -1) >= 0);
    }
    assert.equal(sumOf(metrics, "objbatch_throttling_responses_total"), 0);
    assert.equal(sumOf(metrics, "objbatch_adaptive_concurrency_decreases_total"), 0);
  });

  it("times the chunks' leases, records and runs", () => {
    const chunks = Math.ceil(jobs[0].progress.total / 4) + Math.ceil(jobs[1].progress.total / 4);
    const [leased] = histograms(metrics, "objbatch_chunk_lease_duration_seconds", { result: "leased" });
    assert.equal(leased?.count, chunks);
    const [recorded] = histograms(metrics, "objbatch_chunk_record_duration_seconds");
    assert.equal(recorded?.count, chunks);
    const [ran] = histograms(metrics, "objbatch_chunk_run_duration_seconds", { outcome: "done" });
    assert.equal(ran?.count, chunks);
  });

  it("shows the jobs by status, read from the job store", async () => {
    const jobsGauge = async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
        const scraped = await scrapeMetrics(app.url);
        if (samples(scraped, "objbatch_jobs").length > 0) return scraped;
      }
      assert.fail("objbatch_jobs never showed");
    };
    const scraped = await jobsGauge();
    assert.equal(sumOf(scraped, "objbatch_jobs", { status: "Complete" }), 2);
    assert.equal(sumOf(scraped, "objbatch_jobs"), 2);
    assert.equal(samples(scraped, "objbatch_jobs").length, 13, "every status, 0 when none");
  });

  it("keeps every label bounded: no job id, key or bucket, only the values the catalog lists", () => {
    const forbidden = new Set([
      ...jobs.map((j) => j.jobId),
      ...PRESENT,
      ...MISSING,
      "src",
      "dst",
      "reports",
      "all.csv",
      "few.csv",
    ]);
    const catalog = new Map(CELL_FAMILIES.map((f) => [f.name, f]));
    const seen = labelValues(metrics, "objbatch_");
    assert.ok(seen.some((l) => catalog.has(l.family)));
    for (const { family, label, value } of seen) {
      assert.ok(!forbidden.has(value), `${family}{${label}="${value}"}`);
      const listed = catalog.get(family)?.labels.find((l) => l.name === label)?.values;
      if (listed) assert.ok(listed.includes(value), `${family}{${label}="${value}"}`);
    }
    assert.deepEqual([...new Set(seen.filter((l) => l.label === "error_code").map((l) => l.value))], ["NoSuchKey"]);
    assert.ok(ERROR_CODE_VALUES.includes("other"));
  });
});
