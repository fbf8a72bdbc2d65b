/**
 * Live progress (D30) on the real engine: a job of one chunk of 1,500 tasks, paced by a request-rate cap so the
 * chunk takes at least three seconds on any machine, is read through GET /api/v1/jobs/{id} every 100 ms. Its
 * progress moves while the chunk runs (before anything is recorded), never goes back, never passes the total, and
 * ends exact; a dialect's DescribeJob shows the same moving counts. Run on worker threads and in the event loop.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { XMLParser } from "fast-xml-parser";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { signedCall } from "../helpers/s3control-client.js";
import { dropFiles, makeBuckets, writeManifest } from "./helpers.js";

const TASKS = 1500;
const KEYS = Array.from({ length: TASKS }, (_, i) => `logs/${String(i).padStart(4, "0")}.txt`);

for (const runnerThreads of [1, 0]) {
  describe(`live progress (${runnerThreads > 0 ? "worker thread" : "event loop"})`, () => {
    let app: TestApp;
    let client: JsonApiClient;

    before(async () => {
      app = await startTestApp({
        engine: { chunkSize: TASKS, runnerThreads, maxRequestsPerSecondPerJob: 500, pollMs: 20 },
      });
      client = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
      await makeBuckets(app, "logs");
      await dropFiles(app, "logs", Object.fromEntries(KEYS.map((k) => [k, "x"])));
      await writeManifest(app, "logs", "manifest.csv", "logs", KEYS);
    });
    after(async () => {
      await app.dispose();
    });

    it("moves while the chunk runs, never goes back, and ends exact", async () => {
      const created = await client.post("/api/v1/jobs", {
        operation: { kind: "PutObjectTagging", tagSet: [{ key: "kept", value: "yes" }] },
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: { bucket: "arn:aws:s3:::logs", key: "manifest.csv" },
        },
        report: { enabled: false },
      });
      assert.equal(created.status, 201, created.text);
      const { jobId } = created.json;

      const seen: number[] = [];
      let dialectSawMovement = false;
      let job: Json;
      const deadline = Date.now() + 120_000;
      do {
        await sleep(100);
        job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
        const { succeeded, failed, total } = job.progress;
        const done = succeeded + failed;
        assert.ok(done <= (total ?? 0) || (total === null && done === 0), JSON.stringify(job.progress));
        assert.ok(done >= (seen.at(-1) ?? 0), `progress went back: ${seen.at(-1)} then ${done}`);
        seen.push(done);
        if (!dialectSawMovement && done > 0 && done < TASKS) {
          const described = await signedCall(app.url, {
            path: `/v20180820/jobs/${jobId}`,
            credentials: {
              accountId: ROOT.accountId,
              accessKeyId: ROOT.accessKeyId,
              secretAccessKey: ROOT.secretAccessKey,
            },
          });
          const summary = new XMLParser({ parseTagValue: false }).parse(described.text).DescribeJobResult.Job
            .ProgressSummary;
          const shown = Number(summary.NumberOfTasksSucceeded) + Number(summary.NumberOfTasksFailed);
          // Between the two reads more may have finished, never less.
          dialectSawMovement = shown >= done && shown <= TASKS;
        }
      } while (!["Complete", "Cancelled", "Failed"].includes(job.status) && Date.now() < deadline);

      assert.equal(job.status, "Complete", JSON.stringify(job));
      assert.deepEqual([job.progress.succeeded, job.progress.failed, job.progress.inFlight], [TASKS, 0, 0]);
      // One chunk holds every task, so any count between 0 and the total was live progress, not a recorded chunk.
      const between = new Set(seen.filter((n) => n > 0 && n < TASKS));
      assert.ok(between.size >= 2, `progress moved while the chunk ran: ${[...between].join(", ")}`);
      assert.ok(dialectSawMovement, "S3 Control's DescribeJob showed the moving counts too");
    });
  });
}
