/**
 * A job failed by the task-failure threshold (D7) states counts in FailureReasons that agree with the
 * ProgressSummary it finally shows, even when chunks that were in flight when the threshold was crossed record
 * their tasks afterwards (between Active -> Failing and Failing -> Failed). Real engine, real store (SQLite and
 * PostgreSQL), real local storage; the chunks run for real, and only the moment their results reach the engine
 * is held back, so the order of events is fixed rather than left to the machine's speed.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job } from "../../src/domain/job.js";
import type { JobStatus } from "../../src/domain/status.js";
import type { ChunkExecution, ChunkRange } from "../../src/engine/chunk-runner.js";
import { Engine } from "../../src/engine/engine.js";
import type { ChunkExecutor } from "../../src/engine/executor.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import { TEST_STORES } from "../helpers/stores.js";
import { baseSpec, bucketRef, dropObjects, makeBucket, type PrepareEnv, prepareEnv } from "./helpers.js";

/**
 * Runs chunks on a real executor, but holds their results back: chunk 0's until chunks 1-3 have run too (so
 * they ran while the job was Active), every other chunk's until the test opens the gate.
 */
class HeldResultsExecutor implements ChunkExecutor {
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.opened = resolve;
  });
  private othersRan!: () => void;
  private readonly others = new Promise<void>((resolve) => {
    this.othersRan = resolve;
  });
  private ran = 0;

  constructor(private readonly inner: ChunkExecutor) {}

  async execute(job: Job, chunk: ChunkRange): Promise<ChunkExecution> {
    const execution = await this.inner.execute(job, chunk);
    if (chunk.seq === 0) {
      await this.others;
      return execution;
    }
    if (chunk.seq <= 3 && ++this.ran === 3) this.othersRan();
    await this.gate;
    return execution;
  }

  open() {
    this.opened();
  }

  updateStatuses(statuses: ReadonlyMap<string, JobStatus>) {
    this.inner.updateStatuses(statuses);
  }

  abort() {
    this.inner.abort();
    this.open();
  }

  close() {
    return this.inner.close();
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

for (const open of TEST_STORES) {
  describe(`the failure threshold's FailureReasons (${open.name})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open, {
        chunkSize: 10,
        chunkSlots: 4,
        runnerThreads: 0,
        pollMs: 10,
        failureThresholdTasks: 10,
        failureRatio: 0.5,
      });
    });
    after(() => env.dispose());

    it("agree with the final counts when chunks in flight finish after the threshold", async () => {
      // 100 tasks deleting tags; only every fifth object exists, so 80% of the tasks fail (404 NoSuchKey).
      await makeBucket(env, "things");
      const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
      await dropObjects(env, "things", Object.fromEntries(keys.filter((_, i) => i % 5 === 0).map((k) => [k, k])));
      await writeFile(
        join(env.dataDir, "buckets", "things", "manifest.csv"),
        `${keys.map((k) => `things,${k}`).join("\n")}\n`,
      );
      const { jobId } = await env.service.createJob(
        baseSpec({
          manifest: {
            format: "S3BatchOperations_CSV_20180820",
            fields: ["Bucket", "Key"],
            location: { bucket: bucketRef("things"), key: "manifest.csv" },
          },
        }),
        "reuse",
      );

      const executor = new HeldResultsExecutor(
        new InProcessExecutor(env.storage, env.deps.accounts, env.deps.options, env.deps.log),
      );
      const engine = new Engine({ ...env.deps, executor });
      engine.start();
      try {
        // Chunk 0 (8 of 10 failed) crosses the threshold while chunks 1-3 have run but not reported.
        const failing = await until("the job to start Failing", async () => {
          const job = await env.t.store.getJob(jobId);
          return job?.status === "Failing" ? job : undefined;
        });
        assert.deepEqual([failing.progress.succeeded, failing.progress.failed], [2, 8]);
        executor.open();

        const job = await until("the job to be Failed", async () => {
          const j = await env.t.store.getJob(jobId);
          return j?.status === "Failed" ? j : undefined;
        });
        const { succeeded, failed } = job.progress;
        assert.ok(failed >= 32, `chunks 1-3 (24 failures) were counted after the threshold: ${failed} failed`);
        const attempted = succeeded + failed;
        assert.deepEqual(job.failureReasons[0], {
          code: "TaskFailureThresholdExceeded",
          reason: `${failed} of ${attempted} tasks attempted (${Math.round((100 * failed) / attempted)}%) failed, above the 50% threshold.`,
        });
        // Then why they failed, counted with the same chunks (D27).
        assert.equal(job.failureReasons.length, 2, JSON.stringify(job.failureReasons));
        assert.equal(job.failureReasons[1].code, "TasksFailed");
        assert.match(
          job.failureReasons[1].reason,
          new RegExp(`^${failed} tasks failed: 404 NoSuchKey \\(e\\.g\\. things/k\\d+\\)$`),
        );
      } finally {
        executor.open();
        await engine.stop();
      }
    });
  });
}
