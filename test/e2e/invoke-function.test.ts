/**
 * InvokeFunction end to end: the config file's `functions` map reaches the operation through both executors
 * (worker threads, the default, and in-process), the engine calls a real HTTP function that speaks the Lambda
 * batch contract, retries its TemporaryFailures, and the report carries each task's resultString.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { arnOf, FLAKY_FAILURES, type FunctionServer, startFunctionServer } from "../operations/function-server.js";
import { jobSpec, waitUntilDone } from "./batch-job-spec.js";
import { dropFiles, makeBuckets, readReport, writeManifest } from "./helpers.js";

describe("InvokeFunction job end to end", () => {
  let server: FunctionServer;
  before(async () => {
    server = await startFunctionServer();
  });
  after(() => server.close());

  for (const runnerThreads of [2, 0]) {
    const executor = runnerThreads > 0 ? "worker threads" : "in-process";
    it(`runs a LambdaInvoke job on ${executor}: results, permanent failures and retried temporary ones`, async () => {
      const app: TestApp = await startTestApp({
        engine: { chunkSize: 2, pollMs: 20, runnerThreads, retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 } },
        configFile: { functions: server.endpoints() },
      });
      try {
        await makeBuckets(app, "media", "reports");
        const keys = ["img/one.jpg", "img/fail two.jpg", "img/three+3.jpg"];
        await dropFiles(app, "media", Object.fromEntries(keys.map((k) => [k, k])));
        await writeManifest(app, "media", "manifest.csv", "media", keys);
        const byKey = await app.service.createJob(
          jobSpec(
            {
              kind: "InvokeFunction",
              functionArn: arnOf("by-key"),
              invocationSchemaVersion: "2.0",
              userArguments: [{ key: "mode", value: "thumb" }],
            },
            "media",
            "manifest.csv",
            "reports",
          ),
          "reuse",
        );
        const job = await waitUntilDone(app, byKey.jobId);
        assert.equal(job.status, "Complete");
        assert.deepEqual([job.progress.succeeded, job.progress.failed], [2, 1]);
        const { rows } = await readReport(app, "reports", "reports", byKey.jobId);
        const row = (key: string) => rows.find((r) => r.key === key);
        assert.deepEqual(
          [row("img/one.jpg")?.status, row("img/one.jpg")?.httpStatus, row("img/one.jpg")?.message],
          ["succeeded", "200", "done img/one.jpg"],
        );
        assert.deepEqual(
          [row("img/fail two.jpg")?.status, row("img/fail two.jpg")?.errorCode, row("img/fail two.jpg")?.message],
          ["failed", "PermanentFailure", "refused img/fail two.jpg"],
        );
        assert.equal(row("img/three+3.jpg")?.message, "done img/three+3.jpg");
        const sent = server.requests.filter((r) => r.path === "by-key" && r.body.job.id === byKey.jobId);
        assert.equal(sent.length, 3);
        for (const r of sent) {
          assert.deepEqual(r.body.job.userArguments, { mode: "thumb" });
          assert.equal(r.body.tasks[0].s3Bucket, "media");
        }

        // TemporaryFailure twice, then Succeeded: the engine's retries get there.
        await writeManifest(app, "media", "flaky.csv", "media", ["img/one.jpg"]);
        const flaky = await app.service.createJob(
          jobSpec({ kind: "InvokeFunction", functionArn: arnOf("flaky") }, "media", "flaky.csv", "reports"),
          "reuse",
        );
        await waitUntilDone(app, flaky.jobId);
        const flakyRows = (await readReport(app, "reports", "reports", flaky.jobId)).rows;
        assert.deepEqual(
          flakyRows.map((r) => [r.status, r.message]),
          [["succeeded", "ok"]],
        );
        const flakyCalls = server.requests.filter((r) => r.path === "flaky" && r.body.job.id === flaky.jobId);
        assert.equal(flakyCalls.length, FLAKY_FAILURES + 1);
      } finally {
        await app.dispose();
      }
    });
  }

  it("fails every task with 400 when the FunctionArn has no configured endpoint", async () => {
    const app = await startTestApp({ engine: { chunkSize: 2, pollMs: 20, runnerThreads: 0 } });
    try {
      await makeBuckets(app, "media", "reports");
      await dropFiles(app, "media", { "a.txt": "a" });
      await writeManifest(app, "media", "m.csv", "media", ["a.txt"]);
      const { jobId } = await app.service.createJob(
        jobSpec({ kind: "InvokeFunction", functionArn: arnOf("echo") }, "media", "m.csv", "reports"),
        "reuse",
      );
      await waitUntilDone(app, jobId);
      const { rows } = await readReport(app, "reports", "reports", jobId);
      assert.deepEqual(
        rows.map((r) => [r.status, r.httpStatus, r.errorCode]),
        [["failed", "400", "InvalidRequest"]],
      );
      assert.match(rows[0].message, /No function endpoint is configured/);
    } finally {
      await app.dispose();
    }
  });
});
