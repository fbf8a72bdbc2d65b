/**
 * engine/engine.ts, one tick at a time: the engine is built on a real store (SQLite and PostgreSQL), the real
 * local backend and the in-process executor, its clock is injected, and the test calls tick() and settled()
 * itself instead of start(). So each assertion is about an order of events the engine chose, never about how
 * fast the machine ran it. Where a test needs chunks in flight, their results are held back until it opens
 * the gate.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import type { Job } from "../../src/domain/job.js";
import type { JobStatus } from "../../src/domain/status.js";
import type { ChunkExecution, ChunkRange } from "../../src/engine/chunk-runner.js";
import { Engine } from "../../src/engine/engine.js";
import type { ChunkExecutor } from "../../src/engine/executor.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import type { EngineOptions } from "../../src/engine/options.js";
import { reportManifestKey } from "../../src/report/report-writer.js";
import { TEST_STORES } from "../helpers/stores.js";
import {
  baseSpec,
  dropObjects,
  makeBucket,
  type PrepareEnv,
  prepareEnv,
  reportTo,
  writeCsvManifest,
} from "./helpers.js";

/** Runs chunks on a real executor; the results of the jobs in `held` wait until open(). */
class GatedExecutor implements ChunkExecutor {
  readonly held = new Set<string>();
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.opened = resolve;
  });
  private arrivals: (() => void)[] = [];
  /** Chunks of held jobs that have run and wait at the gate. */
  waiting = 0;

  constructor(private readonly inner: ChunkExecutor) {}

  async execute(job: Job, chunk: ChunkRange): Promise<ChunkExecution> {
    const execution = await this.inner.execute(job, chunk);
    if (this.held.has(job.jobId)) {
      this.waiting++;
      for (const arrived of this.arrivals.splice(0)) arrived();
      await this.gate;
    }
    return execution;
  }

  /** Resolves once `n` chunks of held jobs have run and wait at the gate. */
  async whenWaiting(n: number): Promise<void> {
    while (this.waiting < n) await new Promise<void>((resolve) => this.arrivals.push(resolve));
  }

  open() {
    this.opened();
  }

  updateStatuses(statuses: ReadonlyMap<string, JobStatus>) {
    this.inner.updateStatuses(statuses);
  }

  abort() {
    this.open();
    this.inner.abort();
  }

  close() {
    return this.inner.close();
  }
}

const DAY = 86_400_000;

for (const open of TEST_STORES) {
  describe(`Engine.tick (${open.name})`, () => {
    let env: PrepareEnv;
    let clock = 1_700_000_000_000;
    const engines: Engine[] = [];

    before(async () => {
      env = await prepareEnv(
        open,
        {
          chunkSize: 2,
          chunkSlots: 1,
          maxActiveJobs: 1,
          runnerThreads: 0,
          housekeepingMs: 1_000,
          suspendedTimeoutMs: DAY,
          retentionMs: 2 * DAY,
        },
        () => clock,
      );
      await makeBucket(env, "things");
      await makeBucket(env, "reports");
      await dropObjects(env, "things", { a: "a", b: "b", c: "c", d: "d", e: "e" });
    });
    after(async () => {
      for (const engine of engines) await engine.stop();
      await env.dispose();
    });

    function engineWith(options: Partial<EngineOptions> = {}) {
      const deps = { ...env.deps, options: { ...env.deps.options, ...options }, owner: `engine-${randomUUID()}` };
      const executor = new GatedExecutor(new InProcessExecutor(env.storage, deps.accounts, deps.options, deps.log));
      const engine = new Engine({ ...deps, executor });
      engines.push(engine);
      return { engine, executor };
    }

    async function createJob(keys: string[], spec: Parameters<typeof baseSpec>[0] = {}) {
      const manifest = await writeCsvManifest(env, "things", `${randomUUID()}.csv`, keys);
      const { jobId } = await env.service.createJob(baseSpec({ manifest, ...spec }), "reuse");
      return jobId;
    }

    const job = async (jobId: string) => (await env.t.store.getJob(jobId, clock))!;
    const statusOf = async (jobId: string) => (await job(jobId)).status;

    /** One tick, then everything it started (and whatever that started) has ended. */
    async function step(engine: Engine) {
      await engine.tick();
      await engine.settled();
    }

    it("takes a job from New to Complete, one tick at a time", async () => {
      const { engine } = engineWith();
      const jobId = await createJob(["a", "b", "c", "d", "e"], { report: reportTo("reports") });
      assert.equal(await statusOf(jobId), "New");

      await step(engine);
      assert.equal(await statusOf(jobId), "Ready", "the first tick prepares the job");
      assert.equal((await job(jobId)).progress.total, 5);

      await step(engine);
      let now = await job(jobId);
      assert.equal(now.status, "Active", "the next gives it an execution slot and runs its chunks");
      assert.deepEqual([now.progress.succeeded, now.progress.failed], [5, 0]);
      assert.equal(engine.stats.chunksRecorded, 3);

      await step(engine);
      assert.equal(await statusOf(jobId), "Completing", "every chunk is done");

      await step(engine);
      now = await job(jobId);
      assert.equal(now.status, "Complete", "finished: report written, terminal status");
      assert.equal(now.terminationDate?.getTime(), clock);
      const manifest = JSON.parse(
        (await buffer(await env.storage.get("reports", reportManifestKey(jobId, "reports")))).toString("utf8"),
      );
      assert.deepEqual(
        manifest.Results.map((r: { TaskExecutionStatus: string }) => r.TaskExecutionStatus),
        ["succeeded"],
        "no task failed: no file of failed tasks",
      );
      assert.deepEqual(await env.t.store.sumChunkCounters(jobId), { succeeded: 5, failed: 0, records: 5 });
    });

    it("gives the slot to a higher-priority job: the running one pauses, then resumes when the slot frees", async () => {
      const { engine, executor } = engineWith();
      const low = await createJob(["a", "b", "c", "d"], { priority: 1 });
      const high = await createJob(["e"], { priority: 10, confirmationRequired: true });
      await step(engine);
      assert.deepEqual([await statusOf(low), await statusOf(high)], ["Ready", "Suspended"]);

      executor.held.add(low);
      await engine.tick();
      assert.equal(await statusOf(low), "Active");
      await executor.whenWaiting(1);
      await env.service.updateJobStatus("111122223333", high, "Ready", "go");

      await engine.tick();
      assert.deepEqual(
        [await statusOf(low), await statusOf(high)],
        ["Pausing", "Active"],
        "the higher priority takes the one slot; the lower one pauses while its chunk is still out",
      );
      await engine.tick();
      assert.equal(await statusOf(low), "Pausing", "still pausing: its chunk has not come back");

      executor.open();
      await engine.settled();
      assert.equal((await job(low)).progress.succeeded, 2, "the chunk in flight is recorded");
      assert.equal((await job(high)).progress.succeeded, 1, "the freed chunk slot ran the high job");

      await step(engine);
      assert.deepEqual([await statusOf(low), await statusOf(high)], ["Paused", "Completing"]);
      await step(engine);
      assert.deepEqual([await statusOf(low), await statusOf(high)], ["Active", "Complete"], "the slot is free again");
      assert.equal((await job(low)).progress.succeeded, 4);
      await step(engine);
      await step(engine);
      assert.equal(await statusOf(low), "Complete");
    });

    it("finishes a job cancelled while its chunk runs only once the chunk is back, and runs no more of it", async () => {
      const { engine, executor } = engineWith();
      const jobId = await createJob(["a", "b", "c", "d"]);
      await step(engine);
      executor.held.add(jobId);
      await engine.tick();
      assert.equal(await statusOf(jobId), "Active");
      await executor.whenWaiting(1);
      await env.service.updateJobStatus("111122223333", jobId, "Cancelled", "changed my mind");

      await engine.tick();
      assert.equal(await statusOf(jobId), "Cancelling", "not finished while its chunk is out");
      executor.open();
      await engine.settled();
      await step(engine);
      const cancelled = await job(jobId);
      assert.equal(cancelled.status, "Cancelled");
      assert.equal(cancelled.statusUpdateReason, "changed my mind");
      assert.deepEqual([cancelled.progress.succeeded, cancelled.progress.failed], [2, 0]);
      assert.equal((await env.t.store.countChunks(jobId, clock)).skipped, 1);
    });

    it("fails a job whose manifest changed after it was prepared (the chunk read is pinned to its ETag)", async () => {
      const { engine } = engineWith();
      const manifestKey = `${randomUUID()}.csv`;
      const manifest = await writeCsvManifest(env, "things", manifestKey, ["a", "b"]);
      const { jobId } = await env.service.createJob(baseSpec({ manifest }), "reuse");
      await step(engine);
      assert.equal(await statusOf(jobId), "Ready");
      await writeFile(join(env.dataDir, "buckets", "things", manifestKey), "things,c\nthings,d\n");

      await step(engine);
      const failing = await job(jobId);
      assert.equal(failing.status, "Failing");
      assert.equal(failing.failureReasons[0]?.code, "PreconditionFailed");
      assert.match(failing.failureReasons[0]?.reason ?? "", /^Reading the manifest failed: /);
      await step(engine);
      assert.equal(await statusOf(jobId), "Failed");
      assert.deepEqual([(await job(jobId)).progress.succeeded, (await job(jobId)).progress.failed], [0, 0]);
    });

    it("fails an unconfirmed job past its timeout and purges finished jobs past retention, by the injected clock", async () => {
      const { engine } = engineWith();
      const waiting = await createJob(["a"], { confirmationRequired: true });
      await step(engine);
      assert.equal(await statusOf(waiting), "Suspended");

      clock += DAY;
      await step(engine);
      assert.equal(await statusOf(waiting), "Suspended", "exactly the timeout: not past it");

      clock += 1_000;
      await step(engine);
      const failed = await job(waiting);
      assert.equal(failed.status, "Failed");
      assert.equal(failed.failureReasons[0]?.code, "ConfirmationTimeout");
      const endedAt = clock;

      const recent = await createJob(["a"], { confirmationRequired: true });
      await step(engine);
      await env.service.updateJobStatus("111122223333", recent, "Cancelled", undefined);
      clock = endedAt + 2 * DAY - 1;
      await step(engine);
      await step(engine);
      assert.equal(await statusOf(recent), "Cancelled");
      assert.ok(await env.t.store.getJob(waiting), "not yet past retention");

      clock = endedAt + 2 * DAY + 1_000;
      await step(engine);
      assert.equal(await env.t.store.getJob(waiting), undefined, "purged past retention");
      assert.equal(await statusOf(recent), "Cancelled", "a later job stays");
      const eventsOf = (jobId: string) =>
        env.t.store.readScopeEvents({ accountId: "111122223333", jobId }, 0, Number.MAX_SAFE_INTEGER, 100);
      assert.deepEqual(
        (await eventsOf(waiting)).map((e) => [e.type, e.payload.deletedBy, e.time.getTime()]),
        [["job.deleted", "retention", clock]],
        "its events went with it, but for one job.deleted (D34)",
      );

      // Events past their own retention go too, below a horizon a resuming reader is told about.
      const [waitingDeleted] = await eventsOf(waiting);
      const { engine: forgetful } = engineWith({ eventRetentionMs: DAY });
      const saved = clock;
      clock = Date.now() + 2 * DAY; // past every event's time (the service writes at the wall clock's)
      await step(forgetful);
      clock = saved;
      assert.deepEqual(await eventsOf(waiting), [], "past event retention");
      assert.ok((await env.t.store.readEventLogBounds()).purgedThrough >= waitingDeleted.id);
    });
  });
}
