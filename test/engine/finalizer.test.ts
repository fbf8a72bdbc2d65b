/**
 * engine/finalizer.ts, called directly, on real SQLite and PostgreSQL stores and the real local backend: a
 * finishing job (Completing, Cancelling, Failing) gets its report finished (results files, then manifest.json)
 * and its terminal status, once no chunk of it runs; a report that cannot be written is said in FailureReasons.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { tallyFailures } from "../../src/domain/failure-causes.js";
import type { JobSpec } from "../../src/domain/job.js";
import type { JobStatus } from "../../src/domain/status.js";
import { failed } from "../../src/domain/task.js";
import { finalizeJob } from "../../src/engine/finalizer.js";
import { prepareJob } from "../../src/engine/preparer.js";
import { reportManifestKey } from "../../src/report/report-writer.js";
import type { LeasedChunk } from "../../src/store/chunks/lease-chunk.js";
import { TEST_STORES } from "../helpers/stores.js";
import { baseSpec, makeBucket, type PrepareEnv, prepareEnv, reportTo, writeCsvManifest } from "./helpers.js";

const NOW = 1_700_000_000_000;

for (const open of TEST_STORES) {
  describe(`finalizeJob (${open.name})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open, { chunkSize: 2, failureThresholdTasks: 2, failureRatio: 0.5 }, () => NOW);
      await makeBucket(env, "things");
      await makeBucket(env, "reports");
    });
    after(() => env.dispose());

    /** A prepared job of four tasks (two chunks) over `things`, its report going to `reports`, made Active. */
    async function activeJob(spec: Partial<JobSpec> = {}) {
      const manifest = await writeCsvManifest(env, "things", `${randomUUID()}.csv`, ["a", "b", "c", "d"]);
      const { jobId } = await env.service.createJob(
        baseSpec({ manifest, report: reportTo("reports"), ...spec }),
        "reuse",
      );
      await prepareJob(env.deps, jobId);
      assert.ok(await env.t.store.transition(jobId, "Ready", "Active", NOW));
      return jobId;
    }

    /**
     * Runs the next chunk "by hand": leases it (unless `leased`, taken while the job was Active) and records `ok`
     * succeeded and `bad` failed tasks with their rows.
     */
    async function recordChunk(jobId: string, keys: { ok: string[]; bad: string[] }, leased?: LeasedChunk) {
      const chunk = leased ?? (await env.t.store.leaseChunk(jobId, randomUUID(), NOW, 60_000))!;
      const rows = (ks: string[], row: string) => (ks.length ? ks.map((k) => `things,${k},,${row}\n`).join("") : null);
      assert.ok(
        await env.t.store.completeChunk(
          jobId,
          chunk.seq,
          chunk.leaseToken,
          {
            succeeded: keys.ok.length,
            failed: keys.bad.length,
            succeededRows: rows(keys.ok, "succeeded,200,,Successful"),
            failedRows: rows(keys.bad, "failed,404,NoSuchKey,gone"),
            causes: tallyFailures(
              keys.bad.map((k) => ({ task: { bucket: "things", key: k }, result: failed(404, "NoSuchKey", "gone") })),
            ),
          },
          NOW,
        ),
      );
    }

    async function move(jobId: string, ...path: JobStatus[]) {
      let from = (await env.t.store.getJob(jobId))!.status;
      for (const to of path) {
        assert.ok(await env.t.store.transition(jobId, from, to, NOW, { statusUpdateReason: `to ${to}` }));
        from = to;
      }
    }

    async function reportManifest(jobId: string) {
      const body = await buffer(await env.storage.get("reports", reportManifestKey(jobId, "reports")));
      return JSON.parse(body.toString("utf8")) as { Results: { TaskExecutionStatus: string; Key: string }[] };
    }

    async function text(bucket: string, key: string) {
      return (await buffer(await env.storage.get(bucket, key))).toString("utf8");
    }

    it("completes a Completing job: its results files, then manifest.json, then Complete", async () => {
      const jobId = await activeJob();
      await recordChunk(jobId, { ok: ["a", "b"], bad: [] });
      await recordChunk(jobId, { ok: ["c"], bad: ["d"] });
      await move(jobId, "Completing");
      assert.equal(await finalizeJob(env.deps, jobId), true);
      const job = (await env.t.store.getJob(jobId))!;
      assert.equal(job.status, "Complete");
      assert.equal(job.statusUpdateReason, "Job complete");
      assert.equal(job.terminationDate?.getTime(), NOW);
      // Why tasks failed, from the causes counted with the chunks (D27).
      assert.deepEqual(job.failureReasons, [
        { code: "TasksFailed", reason: "1 task failed: 404 NoSuchKey (e.g. things/d)" },
      ]);
      const manifest = await reportManifest(jobId);
      assert.deepEqual(
        manifest.Results.map((r) => r.TaskExecutionStatus),
        ["succeeded", "failed"],
      );
      assert.equal(
        await text("reports", manifest.Results[0].Key),
        "things,a,,succeeded,200,,Successful\nthings,b,,succeeded,200,,Successful\nthings,c,,succeeded,200,,Successful\n",
      );
      assert.equal(await text("reports", manifest.Results[1].Key), "things,d,,failed,404,NoSuchKey,gone\n");
      assert.equal(await finalizeJob(env.deps, jobId), false, "a finished job is not finished again");
    });

    it("waits while a chunk of the job runs, and skips the chunks that never ran", async () => {
      const jobId = await activeJob();
      const running = (await env.t.store.leaseChunk(jobId, "still-running", NOW, 60_000))!;
      await move(jobId, "Cancelling");
      assert.equal(await finalizeJob(env.deps, jobId), false);
      assert.equal((await env.t.store.getJob(jobId))?.status, "Cancelling");
      await env.t.store.releaseChunk(jobId, running.seq, "still-running");
      assert.equal(await finalizeJob(env.deps, jobId), true);
      const job = (await env.t.store.getJob(jobId))!;
      assert.equal(job.status, "Cancelled");
      assert.equal(job.statusUpdateReason, "to Cancelling", "the user's reason for cancelling stays");
      assert.deepEqual(await env.t.store.countChunks(jobId, NOW), {
        pending: 0,
        running: 0,
        stale: 0,
        done: 0,
        skipped: 2,
      });
      assert.deepEqual((await reportManifest(jobId)).Results, [], "nothing ran: the report says so");
    });

    it("fails a Failing job, restating the threshold's entry from the final counts (D7)", async () => {
      const jobId = await activeJob();
      await recordChunk(jobId, { ok: [], bad: ["a", "b"] });
      // A chunk still running when the job goes Failing adds its tasks before the job is Failed.
      const inFlight = (await env.t.store.leaseChunk(jobId, randomUUID(), NOW, 60_000))!;
      await env.t.store.transition(jobId, "Active", "Failing", NOW, {
        failure: { code: "TaskFailureThresholdExceeded", reason: "2 of 2 tasks attempted (100%) failed" },
      });
      await recordChunk(jobId, { ok: ["c", "d"], bad: [] }, inFlight);
      assert.equal(await finalizeJob(env.deps, jobId), true);
      const job = (await env.t.store.getJob(jobId))!;
      assert.equal(job.status, "Failed");
      assert.equal(job.statusUpdateReason, "Job failed");
      assert.deepEqual(job.failureReasons, [
        {
          code: "TaskFailureThresholdExceeded",
          reason: "2 of 4 tasks attempted (50%) failed, above the 50% threshold.",
        },
        { code: "TasksFailed", reason: "2 tasks failed: 404 NoSuchKey (e.g. things/a)" },
      ]);
    });

    it("says in FailureReasons that the report could not be written, and still ends the job", async () => {
      await makeBucket(env, "doomed-reports");
      const jobId = await activeJob({ report: reportTo("doomed-reports") });
      await recordChunk(jobId, { ok: ["a", "b"], bad: [] });
      await recordChunk(jobId, { ok: ["c", "d"], bad: [] });
      await move(jobId, "Completing");
      await rm(join(env.dataDir, "buckets", "doomed-reports"), { recursive: true, force: true });
      assert.equal(await finalizeJob(env.deps, jobId), true);
      const job = (await env.t.store.getJob(jobId))!;
      assert.equal(job.status, "Complete");
      assert.equal(job.failureReasons.length, 1);
      assert.equal(job.failureReasons[0].code, "ReportWriteFailed");
      assert.match(job.failureReasons[0].reason, /^The job report could not be written: /);
    });

    it("leaves alone a job another engine is finishing, and a job that is not finishing", async () => {
      const jobId = await activeJob();
      assert.equal(await finalizeJob(env.deps, jobId), false, "Active: not finishing");
      await move(jobId, "Completing");
      assert.ok(await env.t.store.claimPhase(jobId, "Completing", "another-engine", NOW, 60_000));
      assert.equal(await finalizeJob(env.deps, jobId), false);
      assert.equal((await env.t.store.getJob(jobId))?.status, "Completing");
      assert.equal(await finalizeJob(env.deps, "no-such-job"), false);
    });
  });
}
