/**
 * Pause and resume by the user (D31) on the real engine, through real HTTP. A job of 12 chunks of 50 tasks, run
 * one chunk at a time and paced by a request-rate cap (so it is still running when paused on any machine):
 * - paused through the JSON API, it reaches Paused with the user's reason and leases no new chunk while paused:
 *   another job runs start to finish in the one execution slot meanwhile (the engine ticked many times) and the
 *   paused job's chunks stand exactly as they were; resumed, it ends Complete with every task counted once and
 *   its report listing every task once;
 * - paused and then cancelled, it ends Cancelled with exactly the tasks its recorded chunks ran, each reported once;
 * - S3 Control's UpdateJobStatus with Paused, then Ready, does the same as the JSON API; COS and OSS take the same
 *   extension value;
 * - a finished job cannot be paused: each dialect's own error, and a 409 problem in the JSON API.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { XMLParser } from "fast-xml-parser";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { ossRequest } from "../helpers/oss-client.js";
import { signedCall } from "../helpers/s3control-client.js";
import { database } from "../store/helpers.js";
import { dropFiles, makeBuckets, readReport, writeManifest } from "./helpers.js";

const TASKS = 600;
const CHUNK = 50;
const KEYS = Array.from({ length: TASKS }, (_, i) => `data/${String(i).padStart(4, "0")}.txt`);
const OTHER_KEYS = Array.from({ length: 20 }, (_, i) => `other/${i}.txt`);
const FINISHED = ["Complete", "Cancelled", "Failed"];

const xml = new XMLParser({ parseTagValue: false });

describe("pause and resume by the user", () => {
  let app: TestApp;
  let client: JsonApiClient;
  let jobs = 0;

  before(async () => {
    app = await startTestApp({
      engine: {
        chunkSize: CHUNK,
        chunkSlots: 1,
        maxActiveJobs: 1,
        maxRequestsPerSecondPerJob: 200,
        pollMs: 20,
        reportFlushIntervalMs: 100,
      },
    });
    client = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
    await makeBuckets(app, "data", "reports");
    await dropFiles(app, "data", Object.fromEntries([...KEYS, ...OTHER_KEYS].map((k) => [k, "x"])));
    await writeManifest(app, "data", "manifest.csv", "data", KEYS);
    await writeManifest(app, "data", "other.csv", "data", OTHER_KEYS);
  });
  after(async () => {
    await app.dispose();
  });

  /** Creates a tagging job over `manifest` through the JSON API, with a report of every task under `prefix`. */
  async function createJob(manifest = "manifest.csv"): Promise<{ jobId: string; prefix: string }> {
    const prefix = `r${++jobs}`;
    const created = await client.post("/api/v1/jobs", {
      operation: { kind: "PutObjectTagging", tagSet: [{ key: "seen", value: "yes" }] },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::data", key: manifest },
      },
      report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix, scope: "AllTasks" },
    });
    assert.equal(created.status, 201, created.text);
    return { jobId: created.json.jobId, prefix };
  }

  /** Reads the job through the JSON API until `done` holds (a fail-safe deadline only: nothing asserts on time). */
  async function until(jobId: string, done: (job: Json) => boolean, what: string): Promise<Json> {
    const deadline = Date.now() + 120_000;
    let job: Json;
    for (;;) {
      job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
      if (done(job)) return job;
      assert.ok(Date.now() < deadline, `${what}; last seen ${JSON.stringify(job)}`);
      await sleep(20);
    }
  }

  const running = (jobId: string) =>
    until(jobId, (j) => j.status === "Active" && j.progress.succeeded + j.progress.failed > 0, "running");

  /** Each chunk of the job as the store holds it: its state, attempts and recorded counts. */
  async function chunksOf(jobId: string) {
    const rows = await database(app.store)
      .selectFrom("chunks")
      .select(["seq", "state", "attempts", "lease_token", "succeeded", "failed"])
      .where("job_id", "=", jobId)
      .orderBy("seq")
      .execute();
    return rows.map((r) => ({
      ...r,
      attempts: Number(r.attempts),
      succeeded: Number(r.succeeded),
      failed: Number(r.failed),
    }));
  }

  /** While `jobId` is paused: another job runs start to finish in the one slot, and the paused job stays as it was. */
  async function assertLeasesNothingWhilePaused(jobId: string) {
    const chunks = await chunksOf(jobId);
    const paused = (await client.get(`/api/v1/jobs/${jobId}`)).json;
    assert.ok(
      chunks.some((c) => c.state === "pending"),
      `chunks left to run: ${JSON.stringify(chunks.map((c) => c.state))}`,
    );
    assert.ok(!chunks.some((c) => c.state === "leased"), "no chunk of a Paused job runs");
    const other = await createJob("other.csv");
    const done = await until(other.jobId, (j) => FINISHED.includes(j.status), "the other job finishes");
    assert.equal(done.status, "Complete", "the paused job's slot went to the other job");
    assert.deepEqual(await chunksOf(jobId), chunks, "no chunk of the paused job was leased meanwhile");
    const still = (await client.get(`/api/v1/jobs/${jobId}`)).json;
    assert.equal(still.status, "Paused");
    assert.equal(still.pausedByUser, true);
    assert.deepEqual(still.progress, { ...paused.progress, elapsedMs: still.progress.elapsedMs });
  }

  /** The job ended Complete with every task counted once and reported once. */
  async function assertCompleteExactlyOnce(jobId: string, prefix: string) {
    const done = await until(jobId, (j) => FINISHED.includes(j.status), "finishes");
    assert.equal(done.status, "Complete", JSON.stringify(done));
    assert.deepEqual([done.progress.total, done.progress.succeeded, done.progress.failed], [TASKS, TASKS, 0]);
    const report = await readReport(app, "reports", prefix, jobId);
    assert.equal(report.rows.length, TASKS);
    assert.deepEqual(new Set(report.rows.map((r) => r.key)), new Set(KEYS), "every task reported once");
    const chunks = await chunksOf(jobId);
    assert.equal(
      chunks.reduce((n, c) => n + c.succeeded + c.failed, 0),
      TASKS,
    );
  }

  it("pauses a running job through the JSON API, leases nothing while paused, and resumes it to an exact end", async () => {
    const { jobId, prefix } = await createJob();
    await running(jobId);

    const paused = await client.post(`/api/v1/jobs/${jobId}/pause`, { reason: "maintenance window" });
    assert.equal(paused.status, 200, paused.text);
    assert.ok(["Pausing", "Paused"].includes(paused.json.status), paused.json.status);
    assert.equal(paused.json.pausedByUser, true);
    assert.equal(paused.json.statusUpdateReason, "Paused by the user: maintenance window");

    const settled = await until(jobId, (j) => j.status === "Paused", "Paused");
    assert.equal(settled.statusUpdateReason, "Paused by the user: maintenance window", "not preemption");
    assert.equal(settled.progress.inFlight, 0);

    const again = await client.post(`/api/v1/jobs/${jobId}/pause`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.statusUpdateReason, "Paused by the user: maintenance window", "pausing again: no change");

    // Every dialect's DescribeJob shows it Paused with the user's reason.
    const described = await signedCall(app.url, { path: `/v20180820/jobs/${jobId}` });
    assert.equal(xml.parse(described.text).DescribeJobResult.Job.Status, "Paused");
    assert.equal(
      xml.parse(described.text).DescribeJobResult.Job.StatusUpdateReason,
      "Paused by the user: maintenance window",
    );
    const cos = (await cosRequest(app.url, "GET", `/jobs/${jobId}`)).xml.DescribeJobResult.Job;
    assert.deepEqual([cos.Status, cos.StatusUpdateReason], ["Paused", "Paused by the user: maintenance window"]);

    await assertLeasesNothingWhilePaused(jobId);

    const resumed = await client.post(`/api/v1/jobs/${jobId}/resume`);
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.pausedByUser, false);
    assert.equal(resumed.json.statusUpdateReason, "Resumed by the user");
    await assertCompleteExactlyOnce(jobId, prefix);

    const notPaused = await client.post(`/api/v1/jobs/${jobId}/resume`);
    assert.equal(notPaused.status, 409, notPaused.text);
  });

  it("cancels a paused job: it ends Cancelled with exactly the tasks its recorded chunks ran, reported once", async () => {
    const { jobId, prefix } = await createJob();
    await running(jobId);
    assert.equal((await client.post(`/api/v1/jobs/${jobId}/pause`)).status, 200);
    const paused = await until(jobId, (j) => j.status === "Paused", "Paused");
    assert.equal(paused.statusUpdateReason, "Paused by the user");

    const cancelled = await client.post(`/api/v1/jobs/${jobId}/cancel`, { reason: "not needed" });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.pausedByUser, false, "no longer held");
    const done = await until(jobId, (j) => FINISHED.includes(j.status), "finishes");
    assert.equal(done.status, "Cancelled", JSON.stringify(done));
    const chunks = await chunksOf(jobId);
    const ran = chunks.reduce((n, c) => n + c.succeeded + c.failed, 0);
    assert.equal(ran, paused.progress.succeeded + paused.progress.failed, "nothing ran after the pause");
    assert.ok(ran > 0 && ran < TASKS, `ran ${ran}`);
    assert.deepEqual([done.progress.total, done.progress.succeeded + done.progress.failed], [TASKS, ran]);
    const report = await readReport(app, "reports", prefix, jobId);
    assert.equal(report.rows.length, ran);
    assert.equal(new Set(report.rows.map((r) => r.key)).size, ran, "each task reported once");
  });

  it("pauses with S3 Control's UpdateJobStatus Paused and resumes with Ready, to an exact end", async () => {
    const { jobId, prefix } = await createJob();
    await running(jobId);
    const status = (requestedJobStatus: string, reason?: string) =>
      signedCall(app.url, {
        method: "POST",
        path: `/v20180820/jobs/${jobId}/status`,
        query: reason === undefined ? { requestedJobStatus } : { requestedJobStatus, statusUpdateReason: reason },
      });
    const paused = await status("Paused", "from S3 Control");
    assert.equal(paused.status, 200, paused.text);
    const result = xml.parse(paused.text).UpdateJobStatusResult;
    assert.ok(["Pausing", "Paused"].includes(result.Status), result.Status);
    assert.equal(result.StatusUpdateReason, "Paused by the user: from S3 Control");
    await until(jobId, (j) => j.status === "Paused", "Paused");
    await assertLeasesNothingWhilePaused(jobId);

    const resumed = await status("Ready");
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(xml.parse(resumed.text).UpdateJobStatusResult.StatusUpdateReason, "Resumed by the user");
    await assertCompleteExactlyOnce(jobId, prefix);
  });

  it("takes the same extension in COS and OSS UpdateJobStatus", async () => {
    const { jobId, prefix } = await createJob();
    await running(jobId);
    const cosPaused = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
      query: { requestedJobStatus: "Paused" },
    });
    assert.equal(cosPaused.status, 200, cosPaused.text);
    assert.equal(cosPaused.xml.UpdateJobStatusResult.StatusUpdateReason, "Paused by the user");
    await until(jobId, (j) => j.status === "Paused", "Paused");
    const oss = (await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId } })).xml.DescribeJobResult
      .Job;
    assert.deepEqual([oss.Status, oss.StatusUpdateReason], ["Paused", "Paused by the user"]);

    const ossResumed = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: jobId, requestedJobStatus: "Ready" },
    });
    assert.equal(ossResumed.status, 200, ossResumed.text);
    await assertCompleteExactlyOnce(jobId, prefix);
  });

  it("refuses to pause a finished job: each dialect's own error, and a 409 problem in the JSON API", async () => {
    const { jobId } = await createJob("other.csv");
    await until(jobId, (j) => j.status === "Complete", "Complete");

    const json = await client.post(`/api/v1/jobs/${jobId}/pause`);
    assert.equal(json.status, 409, json.text);
    assert.match(String(json.headers["content-type"]), /application\/problem\+json/);
    assert.match(json.json.type, /illegal-status-change/);

    const s3 = await signedCall(app.url, {
      method: "POST",
      path: `/v20180820/jobs/${jobId}/status`,
      query: { requestedJobStatus: "Paused" },
    });
    assert.equal(s3.status, 400, s3.text);
    assert.equal(xml.parse(s3.text).ErrorResponse?.Error?.Code ?? xml.parse(s3.text).Error?.Code, "JobStatusException");

    const cos = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, { query: { requestedJobStatus: "Paused" } });
    assert.equal(cos.status, 400, cos.text);
    assert.equal(cos.xml.Error.Code, "InvalidRequest");

    const oss = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: jobId, requestedJobStatus: "Paused" },
    });
    assert.equal(oss.status, 400, oss.text);
    assert.equal(oss.xml.Error.Code, "InvalidRequest");

    for (const [answer, what] of [
      [await client.post(`/api/v1/jobs/${jobId}/resume`), "JSON resume"],
      [await client.post("/api/v1/jobs/no-such-job/pause"), "missing job"],
    ] as const) {
      assert.ok([404, 409].includes(answer.status), `${what}: ${answer.status}`);
    }
    assert.equal((await client.get(`/api/v1/jobs/${jobId}`)).json.status, "Complete", "unchanged");
  });
});
