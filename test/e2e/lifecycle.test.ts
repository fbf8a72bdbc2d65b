/**
 * The lifecycle under the engine's control, end to end: preemption by priority (Pausing, Paused, resumed),
 * cancelling an Active job, roles limiting buckets, the unfinished-jobs cap, confirmation timeout and
 * retention (with an injected clock), and a graceful SIGTERM.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startTestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import { freePort, startServe } from "../helpers/process.js";
import {
  createJob,
  describe as describeJob,
  dropFiles,
  makeBuckets,
  readReport,
  waitForStatus,
  writeManifest,
} from "./helpers.js";

const COPY = "<COSPutObjectCopy><TargetResource>dst</TargetResource></COSPutObjectCopy>";

async function seedObjects(app: Parameters<typeof makeBuckets>[0], prefix: string, n: number) {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}/${i}.txt`);
  await dropFiles(app, "src", Object.fromEntries(keys.map((k) => [k, k])));
  await writeManifest(app, "src", `${prefix}.csv`, "src", keys);
  return keys;
}

describe("job lifecycle under the engine", () => {
  it("pauses a lower-priority job for a higher one, then resumes it (D13)", { timeout: 120_000 }, async () => {
    const app = await startTestApp({ engine: { maxActiveJobs: 1, chunkSize: 5, chunkSlots: 1, taskConcurrency: 1 } });
    try {
      await makeBuckets(app, "src", "dst");
      await seedObjects(app, "low", 4000);
      await seedObjects(app, "high", 20);
      const low = await createJob(app, { manifest: "src/low.csv", operation: COPY, priority: 1, report: false });
      await waitForStatus(app, low, ["Active"]);
      const high = await createJob(app, { manifest: "src/high.csv", operation: COPY, priority: 100, report: false });
      const seen = new Set<string>();
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const [l, h] = [await describeJob(app, low), await describeJob(app, high)];
        seen.add(l.Status);
        if (h.Status === "Complete") break;
        await sleep(10);
      }
      assert.ok(seen.has("Pausing") || seen.has("Paused"), `low-priority job was preempted: ${[...seen]}`);
      const lowNow = await describeJob(app, low);
      assert.notEqual(lowNow.Status, "Complete", "the high-priority job finished first");
      const done = await waitForStatus(app, low, undefined, 90_000);
      assert.equal(done.Status, "Complete");
      assert.equal(done.ProgressSummary.NumberOfTasksSucceeded, "4000");
    } finally {
      await app.dispose();
    }
  });

  it("cancels an Active job: no new tasks start, and what ran is counted and reported once", async () => {
    const app = await startTestApp({ engine: { chunkSize: 10, chunkSlots: 1, taskConcurrency: 1 } });
    try {
      await makeBuckets(app, "src", "dst", "reports");
      await seedObjects(app, "many", 3000);
      const jobId = await createJob(app, {
        manifest: "src/many.csv",
        operation: COPY,
        report: { bucket: "reports", prefix: "cancelled" },
      });
      for (;;) {
        const job = await describeJob(app, jobId);
        if (Number(job.ProgressSummary.NumberOfTasksSucceeded) >= 50) break;
        await sleep(5);
      }
      const r = await cosRequest(app.url, "POST", `/jobs/${jobId}/status`, {
        query: { requestedJobStatus: "Cancelled", statusUpdateReason: "stop" },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.xml.UpdateJobStatusResult.Status, "Cancelling");
      const job = await waitForStatus(app, jobId);
      assert.equal(job.Status, "Cancelled");
      const succeeded = Number(job.ProgressSummary.NumberOfTasksSucceeded);
      assert.ok(succeeded >= 50 && succeeded < 3000, `ran ${succeeded}`);
      assert.equal(job.ProgressSummary.TotalNumberOfTasks, "3000");
      const report = await readReport(app, "reports", "cancelled", jobId);
      assert.equal(report.rows.length, succeeded);
      assert.equal(new Set(report.rows.map((row) => row.key)).size, succeeded);
      await sleep(200);
      const later = await describeJob(app, jobId);
      assert.equal(later.ProgressSummary.NumberOfTasksSucceeded, String(succeeded), "nothing ran after Cancelled");
    } finally {
      await app.dispose();
    }
  });

  it("lets a job's tasks touch only its role's buckets, and caps unfinished jobs", async () => {
    const team = { appId: "1300000000", secretId: "AKIDTEAM", secretKey: "team-secret" };
    const app = await startTestApp({
      configFile: {
        accounts: [
          {
            id: team.appId,
            accessKeyId: team.secretId,
            secretAccessKey: team.secretKey,
            buckets: ["team-*"],
            roles: { "qcs::cam::uin/1300000000:roleName/Copier": ["team-src", "team-dst"] },
            maxUnfinishedJobs: 2,
          },
        ],
      },
    });
    try {
      await makeBuckets(app, "team-src", "team-dst", "team-private", "other-bucket");
      await dropFiles(app, "team-src", { "a.txt": "a" });
      await dropFiles(app, "team-private", { "b.txt": "b" });
      await dropFiles(app, "team-src", {
        "m.csv": "team-src,a.txt\nteam-private,b.txt\nother-bucket,c.txt\n",
      });
      const allowed = await createJob(
        app,
        {
          manifest: "team-src/m.csv",
          operation: "<COSPutObjectCopy><TargetResource>team-dst</TargetResource></COSPutObjectCopy>",
          roleArn: "qcs::cam::uin/1300000000:roleName/Copier",
          report: { bucket: "team-src", prefix: "r" },
        },
        team,
      );
      const job = await waitForStatus(app, allowed, undefined, 30_000, team);
      assert.equal(job.Status, "Complete", JSON.stringify(job));
      const report = await readReport(app, "team-src", "r", allowed);
      const byBucket = Object.fromEntries(report.rows.map((r) => [r.bucket, [r.status, r.errorCode]]));
      assert.deepEqual(byBucket, {
        "team-src": ["succeeded", ""],
        "team-private": ["failed", "AccessDenied"],
        "other-bucket": ["failed", "AccessDenied"],
      });

      const unknownRole = await createJob(
        app,
        { manifest: "team-src/m.csv", operation: "<COSDeleteObject/>", roleArn: "qcs::cam::uin/1:roleName/Nope" },
        team,
      );
      const failed = await waitForStatus(app, unknownRole, undefined, 30_000, team);
      assert.equal(failed.Status, "Failed");
      assert.equal(failed.FailureReasons.JobFailure.FailureCode, "AccessDenied");

      // Two unfinished jobs at most: hold them Suspended and ask for a third.
      const hold = () =>
        createJob(
          app,
          {
            manifest: "team-src/m.csv",
            operation: "<COSDeleteObject/>",
            confirmationRequired: true,
            roleArn: "qcs::cam::uin/1300000000:roleName/Copier",
          },
          team,
        );
      await hold();
      await hold();
      const third = await cosRequest(app.url, "POST", "/jobs", {
        credentials: team,
        body: (await import("./helpers.js")).createJobXml({
          manifest: "team-src/m.csv",
          operation: "<COSDeleteObject/>",
        }),
      });
      assert.equal(third.status, 500);
      assert.equal(third.xml.Error.Code, "TooManyJobs");
    } finally {
      await app.dispose();
    }
  });

  it("fails a job left unconfirmed past the timeout, and purges finished jobs after retention (D4, D8)", async () => {
    let clock = Date.now();
    const dataDir = await mkdtemp(join(tmpdir(), "objbatch-clock-"));
    const app = await startTestApp({
      dataDir,
      now: () => clock,
      engine: { suspendedTimeoutMs: 30 * 86_400_000, retentionMs: 90 * 86_400_000, housekeepingMs: 0 },
    });
    try {
      await makeBuckets(app, "src", "dst");
      await seedObjects(app, "wait", 1);
      const jobId = await createJob(app, {
        manifest: "src/wait.csv",
        operation: COPY,
        confirmationRequired: true,
        report: false,
      });
      await waitForStatus(app, jobId, ["Suspended"]);
      clock += 31 * 86_400_000;
      app.engine?.wake();
      const failed = await waitForStatus(app, jobId);
      assert.equal(failed.Status, "Failed");
      assert.equal(failed.FailureReasons.JobFailure.FailureCode, "ConfirmationTimeout");
      clock += 91 * 86_400_000;
      app.engine?.wake();
      for (let i = 0; i < 200; i++) {
        const r = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
        if (r.status === 404) return;
        await sleep(20);
      }
      assert.fail("the finished job was not purged after its retention");
    } finally {
      await app.dispose();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("stops gracefully on SIGTERM and finishes the job after a restart", { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "objbatch-sigterm-"));
    try {
      const port = await freePort();
      const env = { OBJBATCH_CHUNK_SIZE: "20", OBJBATCH_TASK_CONCURRENCY: "2", OBJBATCH_CHUNK_SLOTS: "1" };
      const first = await startServe(dataDir, port, env);
      const fake = { dataDir } as Parameters<typeof makeBuckets>[0];
      await makeBuckets(fake, "src", "dst", "reports");
      await seedObjects(fake, "term", 2000);
      const app = { ...fake, url: first.url } as Parameters<typeof createJob>[0];
      const jobId = await createJob(app, {
        manifest: "src/term.csv",
        operation: COPY,
        report: { bucket: "reports", prefix: "term" },
      });
      for (;;) {
        const job = await describeJob(app, jobId);
        if (Number(job.ProgressSummary.NumberOfTasksSucceeded) >= 100) break;
        await sleep(10);
      }
      first.child.kill("SIGTERM");
      const exit = await first.exited;
      assert.equal(exit.code, 0, first.output());
      const second = await startServe(dataDir, port, env);
      try {
        const job = await waitForStatus({ ...app, url: second.url } as typeof app, jobId, undefined, 60_000);
        assert.equal(job.Status, "Complete");
        assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, "2000");
        const report = await readReport(fake, "reports", "term", jobId);
        assert.equal(report.rows.length, 2000);
        assert.equal(new Set(report.rows.map((r) => r.key)).size, 2000);
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
