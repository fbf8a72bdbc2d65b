/**
 * engine/chunk-slots.ts on real SQLite and PostgreSQL, with an executor the test drives by hand: chunks are
 * leased while slots are free, for the first Active job of the list first; each is run, recorded once and only
 * by the lease holder (a chunk taken over meanwhile is counted by its new holder alone), given back when it
 * came back aborted or failed, and its job failed when its manifest can no longer be read; stop() leases nothing
 * more and drain() gives back what did not finish within the grace. On SQLite whose disk fills up, a chunk's
 * results wait until the store can write, then count once. The engine's clock is injected; the tests wait for
 * what the slots do, never for a fixed time.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Job } from "../../src/domain/job.js";
import type { JobStatus } from "../../src/domain/status.js";
import type { ChunkExecution, ChunkRange } from "../../src/engine/chunk-runner.js";
import { ChunkSlots } from "../../src/engine/chunk-slots.js";
import type { ChunkExecutor } from "../../src/engine/executor.js";
import type { EngineOptions } from "../../src/engine/options.js";
import { StoreOutage } from "../../src/engine/store-outage.js";
import { StorageError } from "../../src/storage/errors.js";
import type { LeasedChunk } from "../../src/store/chunks/lease-chunk.js";
import { openSqlite } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { waitFor } from "../helpers/held-sockets.js";
import { mountSmallDisk, PAGES_OF_TEXT, type SmallDisk } from "../helpers/store-faults.js";
import { sqliteTestStore, TEST_STORES, type TestStore } from "../helpers/stores.js";
import { byteRangePlans, jobIn } from "../store/helpers.js";
import { ACCOUNT, type PrepareEnv, prepareEnv } from "./helpers.js";
import { type RecordingLog, recordingLog } from "./recording-log.js";

type Outcome = ChunkExecution | Error;

const done = (succeeded: number, succeededRows: string | null = null): ChunkExecution => ({
  kind: "done",
  results: { succeeded, failed: 0, succeededRows, failedRows: null },
});

/**
 * Runs nothing: records each chunk it is handed, then answers what `auto` says at once, or, without `auto`,
 * holds the chunk until the test finishes it (or abort() comes back "aborted" for every held chunk).
 */
class HandExecutor implements ChunkExecutor {
  readonly started: { jobId: string; seq: number; attempts: number }[] = [];
  readonly statusUpdates: Map<string, JobStatus>[] = [];
  aborts = 0;
  private readonly held = new Map<string, (outcome: Outcome) => void>();
  private arrivals: (() => void)[] = [];

  constructor(private readonly auto?: (chunk: LeasedChunk) => Outcome) {}

  execute(job: Job, chunk: ChunkRange): Promise<ChunkExecution> {
    const leased = chunk as LeasedChunk;
    this.started.push({ jobId: job.jobId, seq: leased.seq, attempts: leased.attempts });
    for (const arrived of this.arrivals.splice(0)) arrived();
    if (this.auto) {
      const outcome = this.auto(leased);
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    }
    return new Promise((resolve, reject) => {
      this.held.set(`${job.jobId}/${leased.seq}`, (o) => (o instanceof Error ? reject(o) : resolve(o)));
    });
  }

  /** Answers the held chunk `seq` of `jobId`. */
  finish(jobId: string, seq: number, outcome: Outcome = done(1)) {
    const answer = this.held.get(`${jobId}/${seq}`);
    assert.ok(answer, `chunk ${seq} is held`);
    this.held.delete(`${jobId}/${seq}`);
    answer(outcome);
  }

  /** Resolves once `n` chunks have been handed over in all. */
  async whenStarted(n: number) {
    while (this.started.length < n) await new Promise<void>((resolve) => this.arrivals.push(resolve));
  }

  seqs(jobId?: string) {
    return this.started.filter((s) => jobId === undefined || s.jobId === jobId).map((s) => s.seq);
  }

  updateStatuses(statuses: ReadonlyMap<string, JobStatus>) {
    this.statusUpdates.push(new Map(statuses));
  }

  abort() {
    this.aborts++;
    for (const answer of this.held.values()) answer({ kind: "aborted" });
    this.held.clear();
  }

  async close() {}
}

interface Slots {
  readonly slots: ChunkSlots;
  readonly statuses: Map<string, JobStatus>;
  readonly recording: RecordingLog;
  readonly wakes: () => number;
}

for (const open of TEST_STORES) {
  describe(`ChunkSlots (${open.name.replace("TestStore", "")})`, () => {
    let env: PrepareEnv;
    let clock = 1_700_000_000_000;
    before(async () => {
      env = await prepareEnv(open, { leaseMs: 60_000, chunkSlots: 2 }, () => clock);
    });
    after(() => env.dispose());

    /** Slots over the test's store, or over `store` (the same store, seen through a wrapper). */
    function slotsWith(executor: ChunkExecutor, options: Partial<EngineOptions> = {}, store = env.t.store): Slots {
      const recording = recordingLog();
      const deps = { ...env.deps, store, log: recording.log, options: { ...env.deps.options, ...options } };
      const statuses = new Map<string, JobStatus>();
      let wakes = 0;
      const slots = new ChunkSlots(deps, executor, new StoreOutage(deps.log, 1, () => clock), statuses, () => wakes++);
      return { slots, statuses, recording, wakes: () => wakes };
    }

    /** An Active job with `chunks` one-task chunks, marked Active in `statuses`. */
    async function activeJob(chunks: number, statuses: Map<string, JobStatus>): Promise<Job> {
      const { jobId } = await jobIn(env.t.store, "Active", { accountId: ACCOUNT }, clock);
      await env.t.store.insertChunks(jobId, byteRangePlans(chunks));
      statuses.set(jobId, "Active");
      return (await env.t.store.getJob(jobId, clock))!;
    }

    const progress = async (jobId: string) => {
      const job = (await env.t.store.getJob(jobId, clock))!;
      return [job.progress.succeeded, job.progress.failed];
    };
    const counts = (jobId: string, at = clock) => env.t.store.countChunks(jobId, at);

    it("runs and records every chunk of a job, each once, waking the engine once slots stay free", async () => {
      const executor = new HandExecutor(() => done(1));
      const { slots, statuses, wakes } = slotsWith(executor);
      const job = await activeJob(5, statuses);
      assert.equal(await slots.fill([job]), undefined);
      await slots.settled();
      assert.deepEqual(executor.seqs(), [0, 1, 2, 3, 4]);
      assert.deepEqual(await progress(job.jobId), [5, 0]);
      assert.equal((await counts(job.jobId)).done, 5);
      assert.equal(slots.recorded, 5);
      assert.equal(slots.size, 0);
      assert.ok(wakes() >= 1, "the last chunk left its slot free");
      assert.deepEqual(executor.statusUpdates, [new Map([[job.jobId, "Active"]])], "told the statuses at fill");
    });

    it("lets go of a chunk's report rows once they are recorded, keeping its counts", async () => {
      // The execution outlives its recording (the executor's promise and the chunk's async frames hold it), so
      // the rows must not stay reachable from it (docs/decisions.md D23).
      const executions: ChunkExecution[] = [];
      const executor = new HandExecutor((chunk) => {
        const execution = done(1, `bucket,key-${chunk.seq},,succeeded,200,,Successful\n`);
        executions.push(execution);
        return execution;
      });
      const { slots, statuses } = slotsWith(executor);
      const job = await activeJob(2, statuses);
      await slots.fill([job]);
      await slots.settled();
      assert.equal(slots.recorded, 2);
      const rows: string[] = [];
      for await (const text of env.t.store.rowsBetween(job.jobId, "succeeded", -1, 1)) rows.push(text);
      assert.deepEqual(rows, [
        "bucket,key-0,,succeeded,200,,Successful\n",
        "bucket,key-1,,succeeded,200,,Successful\n",
      ]);
      assert.equal(executions.length, 2);
      for (const execution of executions) {
        assert.equal(execution.kind, "done");
        if (execution.kind !== "done") continue;
        assert.equal(execution.results.succeededRows, null);
        assert.equal(execution.results.succeeded, 1);
      }
    });

    it("wakes the engine only when a finished chunk leaves its slot free, not while the next one takes it", async () => {
      const executor = new HandExecutor();
      const { slots, statuses, wakes } = slotsWith(executor);
      const job = await activeJob(4, statuses);
      await slots.fill([job]);
      const fillsDone = () => new Promise<void>((resolve) => setImmediate(resolve));
      executor.finish(job.jobId, 0);
      await executor.whenStarted(3);
      executor.finish(job.jobId, 1);
      await executor.whenStarted(4);
      await fillsDone();
      assert.equal(wakes(), 0, "each freed slot went to the next chunk");
      executor.finish(job.jobId, 2);
      executor.finish(job.jobId, 3);
      await slots.settled();
      await fillsDone();
      assert.ok(wakes() >= 1, "no chunk left for the freed slots: the engine looks");
      assert.deepEqual(await progress(job.jobId), [4, 0]);
    });

    it("runs at most chunkSlots chunks at once, and gives a finished chunk's slot to the next", async () => {
      const executor = new HandExecutor();
      const { slots, statuses } = slotsWith(executor);
      const job = await activeJob(4, statuses);
      await slots.fill([job]);
      assert.deepEqual(executor.seqs(), [0, 1]);
      assert.equal(slots.size, 2);
      assert.equal(slots.holdsChunksOf(job.jobId), true);
      assert.equal(slots.holdsChunksOf("another-job"), false);

      executor.finish(job.jobId, 1);
      await executor.whenStarted(3);
      assert.deepEqual(executor.seqs(), [0, 1, 2]);
      assert.equal(slots.size, 2);
      executor.finish(job.jobId, 0);
      await executor.whenStarted(4);
      executor.finish(job.jobId, 2);
      executor.finish(job.jobId, 3);
      await slots.settled();
      assert.equal(slots.holdsChunksOf(job.jobId), false);
      assert.equal(slots.recorded, 4);
      assert.deepEqual(await progress(job.jobId), [4, 0]);
    });

    it("fills the slots for the first job of the list first, and for the next only once it has no chunk left", async () => {
      const executor = new HandExecutor(() => done(1));
      const { slots, statuses } = slotsWith(executor, { chunkSlots: 1 });
      const first = await activeJob(3, statuses);
      const second = await activeJob(2, statuses);
      await slots.fill([first, second]);
      await slots.settled();
      assert.deepEqual(
        executor.started.map((s) => [s.jobId === first.jobId ? "first" : "second", s.seq]),
        [
          ["first", 0],
          ["first", 1],
          ["first", 2],
          ["second", 0],
          ["second", 1],
        ],
      );
    });

    it("leases only for jobs whose status in the engine's view is Active", async () => {
      const executor = new HandExecutor(() => done(1));
      const { slots, statuses } = slotsWith(executor);
      const pausing = await activeJob(2, statuses);
      statuses.set(pausing.jobId, "Pausing");
      const unknown = await activeJob(2, statuses);
      statuses.delete(unknown.jobId);
      await slots.fill([pausing, unknown]);
      await slots.settled();
      assert.deepEqual(executor.started, []);
      assert.equal((await counts(pausing.jobId)).pending, 2);
    });

    it("gets nothing for a job that left Active since the engine looked: no error, one try per fill, the next job runs", async () => {
      const executor = new HandExecutor(() => done(1));
      // The real store, counting the leases asked of it per job.
      const tries = new Map<string, number>();
      const leaseChunk = env.t.store.leaseChunk.bind(env.t.store);
      const counting = Object.create(env.t.store) as typeof env.t.store;
      counting.leaseChunk = (jobId, ...rest) => {
        tries.set(jobId, (tries.get(jobId) ?? 0) + 1);
        return leaseChunk(jobId, ...rest);
      };
      const { slots, statuses, recording, wakes } = slotsWith(executor, { chunkSlots: 1 }, counting);
      const paused = await activeJob(2, statuses);
      const cancelled = await activeJob(2, statuses);
      const next = await activeJob(3, statuses);
      // The user pauses one and cancels the other after the tick that saw them Active (D31, D32).
      assert.ok(await env.t.store.transition(paused.jobId, "Active", "Pausing", clock, { hold: true }));
      assert.ok(await env.t.store.transition(cancelled.jobId, "Active", "Cancelling", clock));
      assert.equal(await slots.fill([paused, cancelled, next]), undefined);
      await slots.settled();
      assert.deepEqual(executor.seqs(next.jobId), [0, 1, 2], "the slot went to the job still Active");
      assert.deepEqual(executor.seqs(paused.jobId), []);
      assert.deepEqual(executor.seqs(cancelled.jobId), []);
      assert.deepEqual([tries.get(paused.jobId), tries.get(cancelled.jobId)], [1, 1], "asked once, not in a loop");
      assert.equal((await counts(paused.jobId)).pending, 2);
      assert.equal((await counts(cancelled.jobId)).pending, 2);
      assert.deepEqual(
        recording.lines.filter((l) => l.level === "error" || l.level === "warn"),
        [],
        "nothing is logged as a failure",
      );
      assert.ok(wakes() >= 1, "the slot left free has the engine look again, and read the statuses anew");
      assert.equal(slots.size, 0);
    });

    it("gives a chunk that failed for a passing reason back, and leases no more of its job until the next fill", async () => {
      let failures = 0;
      const executor = new HandExecutor((chunk) =>
        chunk.seq === 0 && failures++ === 0
          ? new StorageError("SlowDown", 503, "Please reduce your request rate.")
          : done(1),
      );
      const { slots, statuses, recording } = slotsWith(executor, { chunkSlots: 1 });
      const job = await activeJob(3, statuses);
      await slots.fill([job]);
      await slots.settled();
      assert.deepEqual(executor.seqs(), [0], "the job rests after its chunk failed");
      assert.deepEqual(await counts(job.jobId), { pending: 3, running: 0, stale: 0, done: 0, skipped: 0 });
      assert.deepEqual(recording.said(), ["error: chunk failed; it will be retried"]);
      assert.equal(statuses.get(job.jobId), "Active");

      await slots.fill([job]);
      await slots.settled();
      assert.deepEqual(
        executor.started.map((s) => [s.seq, s.attempts]),
        [
          [0, 1],
          [0, 2],
          [1, 1],
          [2, 1],
        ],
        "the chunk runs again, from a new lease",
      );
      assert.deepEqual(await progress(job.jobId), [3, 0]);
    });

    it("fails the job of a chunk whose manifest can no longer be read, with a clipped reason, and runs no more of it", async () => {
      const why = `The manifest changed since the job was prepared: ${"x".repeat(300)}`;
      const executor = new HandExecutor(() => new StorageError("PreconditionFailed", 412, why, false));
      const { slots, statuses, recording } = slotsWith(executor, { chunkSlots: 1 });
      const job = await activeJob(3, statuses);
      await slots.fill([job]);
      await slots.settled();
      assert.deepEqual(executor.seqs(), [0], "nothing after the chunk that failed");
      const failing = (await env.t.store.getJob(job.jobId, clock))!;
      assert.equal(failing.status, "Failing");
      assert.equal(failing.failureReasons.length, 1);
      assert.equal(failing.failureReasons[0]?.code, "PreconditionFailed");
      assert.equal(failing.failureReasons[0]?.reason.length, 256);
      assert.match(
        failing.failureReasons[0]?.reason ?? "",
        /^Reading the manifest failed: The manifest changed .*\.\.\.$/,
      );
      assert.equal(statuses.get(job.jobId), "Failing");
      assert.equal(executor.statusUpdates.at(-1)?.get(job.jobId), "Failing", "the executor is told at once");
      assert.equal((await counts(job.jobId)).pending, 3, "the chunks are given back");
      assert.ok(recording.said().includes("warn: manifest chunk unreadable; failing the job"));
    });

    it("discards the results of a chunk whose lease was taken over: its new holder's count once", async () => {
      const executor = new HandExecutor();
      const { slots, statuses, recording } = slotsWith(executor, { chunkSlots: 1 });
      const job = await activeJob(1, statuses);
      await slots.fill([job]);
      // The lease ran out (this engine looked dead); another engine takes the chunk over and records it.
      const other = (await env.t.store.leaseChunk(job.jobId, randomUUID(), clock + 120_000, 60_000))!;
      assert.equal(other.seq, 0);
      const theirs = { succeeded: 1, failed: 0, succeededRows: null, failedRows: null };
      assert.ok(await env.t.store.completeChunk(job.jobId, 0, other.leaseToken, theirs, clock + 120_000));

      executor.finish(job.jobId, 0, done(1));
      await slots.settled();
      assert.equal(slots.recorded, 0);
      assert.deepEqual(await progress(job.jobId), [1, 0], "counted once");
      assert.deepEqual(recording.said(), [
        "warn: chunk lease was taken over (or an earlier attempt recorded it); these results are discarded",
      ]);
    });

    it("renews the leases of the chunks it runs, by the engine's clock", async () => {
      const executor = new HandExecutor();
      const { slots, statuses } = slotsWith(executor, { chunkSlots: 1 });
      await slots.renewLeases(); // nothing runs: nothing to renew
      const job = await activeJob(1, statuses);
      const leasedAt = clock;
      await slots.fill([job]);
      clock += 50_000;
      await slots.renewLeases();
      assert.equal(
        (await counts(job.jobId, leasedAt + 100_000)).running,
        1,
        "the lease now ends 60 s from the renewal",
      );
      assert.equal(await env.t.store.leaseChunk(job.jobId, randomUUID(), leasedAt + 100_000, 60_000), undefined);
      executor.finish(job.jobId, 0);
      await slots.settled();
      assert.equal(slots.recorded, 1);
    });

    it("leases nothing once stopped, lets running chunks finish within the grace, and does not cut them short", async () => {
      const executor = new HandExecutor();
      const { slots, statuses } = slotsWith(executor);
      const job = await activeJob(4, statuses);
      await slots.fill([job]);
      slots.stop();
      const draining = slots.drain(600_000);
      executor.finish(job.jobId, 0);
      executor.finish(job.jobId, 1);
      await draining;
      assert.equal(executor.aborts, 0);
      assert.deepEqual(executor.seqs(), [0, 1], "nothing leased after stop()");
      assert.deepEqual(await slots.fill([job]), undefined);
      assert.deepEqual(executor.seqs(), [0, 1], "nor by a later fill");
      assert.deepEqual(await counts(job.jobId), { pending: 2, running: 0, stale: 0, done: 2, skipped: 0 });
    });

    it("cuts short the chunks still running when the grace is over: given back, unrecorded, to run again", async () => {
      const executor = new HandExecutor();
      const { slots, statuses } = slotsWith(executor);
      const job = await activeJob(3, statuses);
      await slots.fill([job]);
      executor.finish(job.jobId, 0);
      await executor.whenStarted(3);
      slots.stop();
      await slots.drain(0);
      assert.equal(executor.aborts, 1);
      assert.equal(slots.size, 0);
      assert.equal(slots.recorded, 1);
      assert.deepEqual(await counts(job.jobId), { pending: 2, running: 0, stale: 0, done: 1, skipped: 0 });
      assert.deepEqual(await progress(job.jobId), [1, 0]);
    });
  });
}

describe("ChunkSlots.fill on a store that fails", () => {
  let t: TestStore;
  let env: PrepareEnv;
  before(async () => {
    t = await sqliteTestStore();
    env = await prepareEnv(async () => t);
  });
  after(() => env.dispose());

  it("never rejects: the error that stopped the leasing comes back", async () => {
    const { jobId } = await jobIn(t.store, "Active", { accountId: ACCOUNT });
    await t.store.insertChunks(jobId, byteRangePlans(1));
    const job = (await t.store.getJob(jobId))!;
    const executor = new HandExecutor(() => done(1));
    const statuses = new Map<string, JobStatus>([[jobId, "Active"]]);
    const slots = new ChunkSlots(env.deps, executor, new StoreOutage(env.deps.log, 1), statuses, () => undefined);
    await t.store.close();
    const error = await slots.fill([job]);
    assert.ok(error instanceof Error, String(error));
    assert.deepEqual(executor.started, []);
  });
});

describe("ChunkSlots on a SQLite store whose disk fills up", () => {
  let disk: SmallDisk;
  let env: PrepareEnv;
  before(async () => {
    disk = await mountSmallDisk("4m");
    const store = new JobStore(await openSqlite(`${disk.dir}/jobs.sqlite`));
    env = await prepareEnv(async () => ({ name: "sqlite", store, url: "", dispose: () => store.close() }), {
      leaseMs: 600_000,
      chunkSlots: 1,
    });
  });
  after(async () => {
    await env?.dispose();
    await disk?.dispose();
  });

  /**
   * A one-chunk job leased by slots whose store retries wait at most 5 ms; its chunk comes back with results
   * too big for the full disk, and the slots have begun retrying the record. `meanwhile` runs then, and the
   * disk has room again once it is done.
   */
  async function recordOnFullDisk(meanwhile: (slots: ChunkSlots, job: Job) => Promise<void>) {
    const executor = new HandExecutor();
    const recording = recordingLog();
    const deps = { ...env.deps, log: recording.log };
    const statuses = new Map<string, JobStatus>();
    const slots = new ChunkSlots(deps, executor, new StoreOutage(deps.log, 5), statuses, () => undefined);
    const { jobId } = await jobIn(env.t.store, "Active", { accountId: ACCOUNT });
    await env.t.store.insertChunks(jobId, byteRangePlans(1));
    statuses.set(jobId, "Active");
    const job = (await env.t.store.getJob(jobId))!;
    await slots.fill([job]);

    await disk.fill();
    try {
      executor.finish(jobId, 0, done(1, PAGES_OF_TEXT));
      const noticed = () => recording.lines.some((l) => l.msg === "job store unavailable; retrying with backoff");
      await waitFor(noticed, "the outage to be noticed", 30_000);
      await meanwhile(slots, job);
    } finally {
      await disk.free();
    }
    return { slots, job, recording };
  }

  it("keeps a chunk's results while the store cannot write, and records them once when it can", async () => {
    const { slots, job, recording } = await recordOnFullDisk(async (slots, job) => {
      assert.equal((await env.t.store.getJob(job.jobId))?.progress.succeeded, 0, "not recorded yet; reads still work");
      assert.equal(slots.size, 1, "the chunk still holds its slot");
    });
    await slots.settled();
    assert.equal(slots.recorded, 1);
    assert.equal((await env.t.store.getJob(job.jobId))?.progress.succeeded, 1);
    const outage = recording.said().filter((l) => !l.startsWith("debug:"));
    assert.deepEqual(outage, ["warn: job store unavailable; retrying with backoff", "info: job store available again"]);
  });

  it("gives up recording when stopped: the chunk keeps its lease, to run again once it expires", async () => {
    const { slots, job, recording } = await recordOnFullDisk(async (slots) => {
      slots.stop();
      await slots.settled();
    });
    assert.equal(slots.recorded, 0);
    assert.ok(
      recording
        .said()
        .includes("warn: a chunk's results could not be recorded; the chunk runs again once its lease expires"),
    );
    const now = Date.now();
    assert.deepEqual(await env.t.store.countChunks(job.jobId, now), {
      pending: 0,
      running: 1,
      stale: 0,
      done: 0,
      skipped: 0,
    });
    assert.equal((await env.t.store.getJob(job.jobId))?.progress.succeeded, 0);
    const later = await env.t.store.leaseChunk(job.jobId, randomUUID(), now + 600_001, 60_000);
    assert.equal(later?.attempts, 2, "taken up again once the lease expired");
  });
});
