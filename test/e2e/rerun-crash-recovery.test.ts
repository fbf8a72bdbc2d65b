/**
 * kill -9 of a real `objbatch serve` while a rerun (D35) runs, start again: the rerun finishes with exactly the
 * source job's failed tasks, each counted once and reported once. The source job is a copy whose 1,400 tasks of
 * 3,000 fail (missing objects); the objects are then put in place, so the rerun's every task succeeds. A rate cap
 * per job keeps the rerun running long enough to be killed in the middle, on any machine.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT } from "../helpers/app.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { freePort, startServe } from "../helpers/process.js";
import { encodeKey, parseRow } from "./helpers.js";

const PRESENT = Array.from({ length: 1600 }, (_, i) => `present/file ${i}.txt`);
const MISSING = Array.from({ length: 1400 }, (_, i) => `missing/file ${i}+1.txt`);

async function putObjects(dataDir: string, keys: readonly string[]) {
  for (const key of keys) {
    const path = join(dataDir, "buckets", "src", key);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, `object ${key}\n`);
  }
}

async function waitFor(client: JsonApiClient, jobId: string, done: (job: Json) => boolean, ms: number): Promise<Json> {
  let job: Json = {};
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
    job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
    if (done(job)) return job;
  }
  assert.fail(`job ${jobId} did not get there: ${JSON.stringify(job)}`);
}

const finished = (job: Json) => ["Complete", "Failed", "Cancelled"].includes(job.status);

describe("crash recovery of a rerun (kill -9 of objbatch serve)", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-rerun-crash-"));
    for (const bucket of ["src", "dst", "reports"]) await mkdir(join(dataDir, "buckets", bucket), { recursive: true });
    await putObjects(dataDir, PRESENT);
    const rows = [...PRESENT, ...MISSING].map((k, i) => [(i * 7919) % 3000, `src,${encodeKey(k)}`] as const);
    await writeFile(
      join(dataDir, "buckets", "src", "manifest.csv"),
      `${rows
        .sort(([a], [b]) => a - b)
        .map(([, r]) => r)
        .join("\n")}\n`,
    );
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("finishes the rerun with exactly the failed tasks, each counted and reported once", {
    timeout: 300_000,
  }, async () => {
    const port = await freePort();
    const env = {
      OBJBATCH_LEASE_MS: "2000",
      OBJBATCH_CHUNK_SIZE: "50",
      OBJBATCH_TASK_CONCURRENCY: "4",
      OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "300",
      OBJBATCH_REPORT_FLUSH_INTERVAL_MS: "100",
    };
    const first = await startServe(dataDir, port, env);
    const client = new JsonApiClient(first.url, { ...ROOT }, await DocumentChecker.load(first.url));
    let rerunId = "";
    let sourceId = "";
    const rerunBody = {
      scope: "failed",
      clientRequestToken: "crash-rerun",
      // Every task in the rerun's report, so each can be seen to be there once.
      report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "rerun-reports", scope: "AllTasks" },
    };
    try {
      const created = await client.post("/api/v1/jobs", {
        operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst" },
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: { bucket: "arn:aws:s3:::src", key: "manifest.csv" },
        },
        report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "reports", scope: "FailedTasksOnly" },
      });
      assert.equal(created.status, 201, created.text);
      sourceId = created.json.jobId;
      const source = await waitFor(client, sourceId, finished, 180_000);
      assert.equal(source.status, "Complete", JSON.stringify(source));
      assert.deepEqual([source.progress.succeeded, source.progress.failed], [1600, 1400]);

      await putObjects(dataDir, MISSING);
      const rerun = await client.post(`/api/v1/jobs/${sourceId}/rerun`, rerunBody);
      assert.equal(rerun.status, 201, rerun.text);
      rerunId = rerun.json.jobId;
      const running = await waitFor(
        client,
        rerunId,
        (job) => finished(job) || (job.status === "Active" && job.progress.succeeded >= 200),
        120_000,
      );
      assert.equal(running.status, "Active", `killed mid-rerun: ${JSON.stringify(running.progress)}`);
      assert.ok(running.progress.succeeded < 1400, `killed mid-rerun (at ${running.progress.succeeded} tasks)`);
    } finally {
      first.child.kill("SIGKILL");
    }
    const { signal } = await first.exited;
    assert.equal(signal, "SIGKILL");

    const second = await startServe(dataDir, port, env);
    try {
      // The token still answers the same rerun: nothing new is created after the restart.
      const again = await client.post(`/api/v1/jobs/${sourceId}/rerun`, rerunBody);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.jobId, rerunId);

      const job = await waitFor(client, rerunId, finished, 180_000);
      assert.equal(job.status, "Complete", JSON.stringify(job));
      assert.deepEqual([job.progress.total, job.progress.succeeded, job.progress.failed], [1400, 1400, 0]);

      const reportDir = join(dataDir, "buckets", "reports", "rerun-reports", `job-${rerunId}`);
      const manifest = JSON.parse(await readFile(join(reportDir, "manifest.json"), "utf8"));
      const rows: string[] = [];
      for (const result of manifest.Results) {
        const text = await readFile(join(dataDir, "buckets", "reports", result.Key), "utf8");
        rows.push(...text.split("\n").filter(Boolean));
      }
      const reported = rows.map((line) => parseRow(line));
      assert.ok(reported.every((r) => r.status === "succeeded"));
      assert.equal(reported.length, 1400, "one report row per task");
      assert.deepEqual(
        reported.map((r) => r.key).sort(),
        [...MISSING].sort(),
        "exactly the source's failed tasks, each once",
      );
      for (const key of MISSING) assert.ok(existsSync(join(dataDir, "buckets", "dst", key)), key);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
