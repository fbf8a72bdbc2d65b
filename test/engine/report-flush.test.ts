/**
 * engine/report-flush.ts on real SQLite and PostgreSQL and a real local data dir: which jobs write a report and
 * which of its statuses (FailedTasksOnly keeps the failed file alone), and writing a running job's ready parts:
 * only while this engine holds the job's Active phase claim (so two servers never write one part), giving the
 * claim back afterwards, and waiting a turn when the storage fails (a missing bucket, a bucket the job's account
 * may not use) instead of failing the engine.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import type { JobSpec } from "../../src/domain/job.js";
import type { EngineDeps } from "../../src/engine/deps.js";
import { flushRunningReport, reportFlusherFor } from "../../src/engine/report-flush.js";
import { TEST_STORES } from "../helpers/stores.js";
import { jobIn } from "../store/helpers.js";
import { ACCOUNT, makeBucket, type PrepareEnv, prepareEnv, reportTo } from "./helpers.js";
import { recordingLog } from "./recording-log.js";

/** 40 bytes a row: a part of 100 bytes is ready once a chunk is done. */
const row = (status: string, seq: number, i: number) => `things,k-${seq}-${i},,${status},200,,xxxxxxxxxx\n`;

for (const open of TEST_STORES) {
  describe(`report flush (${open.name.replace("TestStore", "")})`, () => {
    let env: PrepareEnv;
    const clock = 1_700_000_000_000;
    before(async () => {
      env = await prepareEnv(open, { reportPartBytes: 100, leaseMs: 60_000 }, () => clock);
      await makeBucket(env, "reports");
    });
    after(() => env.dispose());

    async function activeJob(spec: Partial<JobSpec>) {
      const { jobId } = await jobIn(env.t.store, "Active", { accountId: ACCOUNT, ...spec });
      return (await env.t.store.getJob(jobId))!;
    }

    /** Records `n` done chunks of the job, each with three succeeded rows and three failed ones. */
    async function finishChunks(jobId: string, n: number) {
      await env.t.store.insertChunks(
        jobId,
        Array.from({ length: n }, (_, seq) => ({ seq, startByte: 0, endByte: 0, firstRecord: seq * 4, records: 4 })),
      );
      for (let seq = 0; seq < n; seq++) {
        const chunk = (await env.t.store.leaseChunk(jobId, randomUUID(), clock, 60_000))!;
        const succeededRows = [0, 1, 2].map((i) => row("succeeded", chunk.seq, i)).join("");
        const failedRows = [0, 1, 2].map((i) => row("failed", chunk.seq, i)).join("");
        const results = { succeeded: 3, failed: 3, succeededRows, failedRows };
        assert.ok(await env.t.store.completeChunk(jobId, chunk.seq, chunk.leaseToken, results, clock));
      }
    }

    const partsOf = async (jobId: string, status: "succeeded" | "failed") =>
      (await env.t.store.reportFiles(jobId, status)).reduce((n, f) => n + f.parts.length, 0);
    const claimOf = async (jobId: string) => (await env.t.store.getJobState(jobId))?.phaseClaim;

    describe("reportFlusherFor", () => {
      it("gives a job without a report, or without a report bucket, no flusher", async () => {
        assert.equal(reportFlusherFor(env.deps, await activeJob({ report: { enabled: false } })), undefined);
        assert.equal(reportFlusherFor(env.deps, await activeJob({ report: { enabled: true } })), undefined);
      });

      it("keeps both statuses of an AllTasks report, the failed one alone of FailedTasksOnly, in the plain bucket", async () => {
        const all = reportFlusherFor(env.deps, await activeJob({ report: reportTo("reports") }));
        assert.deepEqual([all?.bucket, all?.statuses], ["reports", ["succeeded", "failed"]]);
        const failedOnly = reportFlusherFor(
          env.deps,
          await activeJob({ report: { ...reportTo("reports"), scope: "FailedTasksOnly" } }),
        );
        assert.deepEqual([failedOnly?.bucket, failedOnly?.statuses], ["reports", ["failed"]]);
      });
    });

    describe("flushRunningReport", () => {
      it("writes every ready part of each status the report keeps, then gives the phase claim back", async () => {
        const job = await activeJob({ report: reportTo("reports") });
        await finishChunks(job.jobId, 3);
        const report = reportFlusherFor(env.deps, job)!;
        const parts = await flushRunningReport(env.deps, job.jobId, report);
        assert.equal(parts, 6, "each chunk's rows of each status pass 100 bytes: a part each");
        assert.deepEqual([await partsOf(job.jobId, "succeeded"), await partsOf(job.jobId, "failed")], [3, 3]);
        assert.equal(await claimOf(job.jobId), undefined);
        assert.equal(await flushRunningReport(env.deps, job.jobId, report), 0, "nothing more is ready");
      });

      it("writes the failed file alone for FailedTasksOnly", async () => {
        const job = await activeJob({ report: { ...reportTo("reports"), scope: "FailedTasksOnly" } });
        await finishChunks(job.jobId, 2);
        assert.equal(await flushRunningReport(env.deps, job.jobId, reportFlusherFor(env.deps, job)!), 2);
        assert.deepEqual([await partsOf(job.jobId, "succeeded"), await partsOf(job.jobId, "failed")], [0, 2]);
      });

      it("writes nothing while another engine holds the job's phase, and leaves its claim alone", async () => {
        const job = await activeJob({ report: reportTo("reports") });
        await finishChunks(job.jobId, 2);
        assert.ok(await env.t.store.claimPhase(job.jobId, "Active", "another-engine", clock, 60_000));
        assert.equal(await flushRunningReport(env.deps, job.jobId, reportFlusherFor(env.deps, job)!), 0);
        assert.deepEqual([await partsOf(job.jobId, "succeeded"), await partsOf(job.jobId, "failed")], [0, 0]);
        assert.deepEqual(await claimOf(job.jobId), { owner: "another-engine", expires: clock + 60_000 });
      });

      it("writes nothing for a job that is no longer Active", async () => {
        const job = await activeJob({ report: reportTo("reports") });
        await finishChunks(job.jobId, 1);
        assert.ok(await env.t.store.transition(job.jobId, "Active", "Completing", clock));
        assert.equal(await flushRunningReport(env.deps, job.jobId, reportFlusherFor(env.deps, job)!), 0);
        assert.equal(await partsOf(job.jobId, "succeeded"), 0);
      });

      it("waits a turn when the report bucket is missing, with a warning, and writes once it is there", async () => {
        const { log, lines } = recordingLog();
        const deps: EngineDeps = { ...env.deps, log };
        const bucket = `late-${randomUUID().slice(0, 8)}`;
        const job = await activeJob({ report: reportTo(bucket) });
        await finishChunks(job.jobId, 2);
        const report = reportFlusherFor(deps, job)!;
        assert.equal(await flushRunningReport(deps, job.jobId, report), 0);
        assert.deepEqual(
          lines.map((l) => [l.level, l.msg, (l.err as { code?: string } | undefined)?.code]),
          [["warn", "writing report parts failed; trying again later", "NoSuchBucket"]],
        );
        assert.equal(await claimOf(job.jobId), undefined, "the claim is given back for the next turn");

        await makeBucket(env, bucket);
        assert.equal(await flushRunningReport(deps, job.jobId, report), 4);
      });

      it("writes through the job's own view of the storage: a bucket its account may not use is refused", async () => {
        const { log, lines } = recordingLog();
        const deps: EngineDeps = {
          ...env.deps,
          log,
          accounts: new StaticAccountRegistry([{ id: ACCOUNT, keys: [], buckets: ["things"] }]),
        };
        const job = await activeJob({ report: reportTo("reports") });
        await finishChunks(job.jobId, 1);
        assert.equal(await flushRunningReport(deps, job.jobId, reportFlusherFor(deps, job)!), 0);
        assert.equal((lines[0]?.err as { code?: string } | undefined)?.code, "AccessDenied");
        assert.equal(await partsOf(job.jobId, "succeeded"), 0);
      });
    });
  });
}
