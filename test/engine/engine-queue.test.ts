/**
 * engine/engine.ts with a backlog: on a real store (SQLite and PostgreSQL), the real local backend and the
 * in-process executor, ticks driven by hand on an injected clock. A backlog of New jobs is prepared within one
 * tick (no tick per job), claimed in batches of as many as there is room for (D49); the execution slots go to the jobs a look at every job
 * would pick; a tick's statements and rows stay the same when the backlog grows tenfold (counted by a plugin
 * on the store, never timed); and the statuses the engine keeps cover the jobs it acts on, not the backlog.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { JobStatus } from "../../src/domain/status.js";
import { Engine } from "../../src/engine/engine.js";
import type { ChunkExecutor } from "../../src/engine/executor.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import type { EngineOptions } from "../../src/engine/options.js";
import { planSchedule } from "../../src/engine/scheduler.js";
import { openPostgres, type StoreConnection } from "../../src/store/connect.js";
import { JobStore } from "../../src/store/job-store.js";
import { byQueueOrder } from "../../src/store/jobs/queue-reads.js";
import { TEST_STORES } from "../helpers/stores.js";
import { database } from "../store/helpers.js";
import { countedStore } from "../store/query-counter.js";
import { baseSpec, dropObjects, makeBucket, type PrepareEnv, prepareEnv, writeCsvManifest } from "./helpers.js";

const CONTENDERS: JobStatus[] = ["Ready", "Active", "Pausing", "Paused"];

/** A store on the same connection that watches the engine's claims and finishes of preparations. */
class ClaimWatchingStore extends JobStore {
  readonly claims: { limit: number; taken: number }[] = [];
  inFlight = 0;
  mostInFlight = 0;

  static on(store: JobStore): ClaimWatchingStore {
    const conn = (store as unknown as { conn: StoreConnection }).conn;
    return new ClaimWatchingStore({ ...conn, close: async () => {} });
  }

  override async claimNextPreparations(...args: Parameters<JobStore["claimNextPreparations"]>) {
    const jobs = await super.claimNextPreparations(...args);
    this.claims.push({ limit: args[4], taken: jobs.length });
    this.inFlight += jobs.length;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    return jobs;
  }

  override async finishPreparation(...args: Parameters<JobStore["finishPreparation"]>) {
    const to = await super.finishPreparation(...args);
    this.inFlight--;
    return to;
  }
}

/** The in-process executor, remembering the largest status map the engine handed it. */
class WatchedExecutor extends InProcessExecutor {
  largestStatusMap = 0;
  override updateStatuses(statuses: ReadonlyMap<string, JobStatus>) {
    this.largestStatusMap = Math.max(this.largestStatusMap, statuses.size);
    super.updateStatuses(statuses);
  }
}

for (const open of TEST_STORES) {
  describe(`Engine with a backlog (${open.name})`, () => {
    let env: PrepareEnv;
    const clock = 1_700_000_000_000;
    const engines: Engine[] = [];

    before(async () => {
      env = await prepareEnv(open, { runnerThreads: 0, housekeepingMs: 60_000 }, () => clock);
      await makeBucket(env, "things");
      await dropObjects(env, "things", { a: "a" });
    });
    after(async () => {
      for (const engine of engines) await engine.stop();
      await env.dispose();
    });

    function engineOn(store: JobStore, options: Partial<EngineOptions>) {
      const deps = {
        ...env.deps,
        store,
        options: { ...env.deps.options, ...options },
        owner: `engine-${randomUUID()}`,
      };
      const executor = new WatchedExecutor(env.storage, deps.accounts, deps.options, deps.log);
      const engine = new Engine({ ...deps, executor: executor as ChunkExecutor });
      engines.push(engine);
      return { engine, executor };
    }

    async function clear() {
      await database(env.t.store).deleteFrom("jobs").execute();
    }

    let manifest: Awaited<ReturnType<typeof writeCsvManifest>>;
    async function createJobs(n: number, spec: (i: number) => Parameters<typeof baseSpec>[0] = () => ({})) {
      manifest ??= await writeCsvManifest(env, "things", "one.csv", ["a"]);
      const made: string[] = [];
      for (let i = 0; i < n; i++) {
        made.push((await env.service.createJob(baseSpec({ manifest, ...spec(i) }), "reuse")).jobId);
      }
      return made;
    }

    async function statusCounts(): Promise<Record<string, number>> {
      const rows = await database(env.t.store)
        .selectFrom("jobs")
        .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy("status")
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    }

    it("prepares a whole backlog of New jobs in one tick, `prepareConcurrency` at a time", async () => {
      await clear();
      const { engine } = engineOn(env.t.store, { prepareConcurrency: 3, chunkSlots: 0, maxActiveJobs: 1 });
      await createJobs(30, (i) => ({ confirmationRequired: i % 3 === 0 }));
      await engine.tick();
      await engine.settled();
      assert.deepEqual(await statusCounts(), { Suspended: 10, Ready: 20 }, "none left New or Preparing");
    });

    it("claims a backlog in batches of as many as there is room for, never preparing more at once", async () => {
      await clear();
      const store = ClaimWatchingStore.on(env.t.store);
      const { engine } = engineOn(store, { prepareConcurrency: 4, chunkSlots: 0, maxActiveJobs: 1 });
      await createJobs(13, () => ({ confirmationRequired: true }));
      await engine.tick();
      await engine.settled();
      assert.deepEqual(await statusCounts(), { Suspended: 13 });
      const fromNew = store.claims.filter((c) => c.limit > 1 || c.taken > 0);
      assert.deepEqual(fromNew[0], { limit: 4, taken: 4 }, "the first claim fills every place at once");
      assert.equal(
        fromNew.reduce((n, c) => n + c.taken, 0),
        13,
        "each job claimed once",
      );
      assert.ok(
        store.claims.every((c) => c.taken <= c.limit && c.limit <= 4),
        JSON.stringify(store.claims),
      );
      assert.equal(store.mostInFlight, 4, "never more than prepareConcurrency at once");
    });

    it("gives the execution slots to the jobs a look at every job would, as priorities change", async () => {
      await clear();
      const { engine } = engineOn(env.t.store, { prepareConcurrency: 2, chunkSlots: 0, maxActiveJobs: 3 });
      // Few priorities: ties go to the older job, then the job id.
      const jobs = await createJobs(24, (i) => ({ priority: [3, 7, 5, 7, 1][i % 5] }));
      const plan = async () => {
        const every = await env.t.store.jobStatesIn(CONTENDERS);
        return planSchedule(every, 3);
      };
      const active = async () => (await env.t.store.jobStatesIn(["Active"])).map((j) => j.jobId).sort();
      await engine.tick();
      await engine.settled();
      const expected = (await env.t.store.jobStatesIn(CONTENDERS))
        .sort(byQueueOrder)
        .slice(0, 3)
        .map((j) => j.jobId)
        .sort();
      await engine.tick();
      await engine.settled();
      assert.deepEqual(await active(), expected, "the top three by priority, then age");
      assert.deepEqual(await plan(), [], "nothing left to move");

      // A waiting job is raised above all: it takes a slot, and the lowest running one gives its slot up.
      const waiting = jobs.find((id) => !expected.includes(id))!;
      await env.service.updateJobPriority("111122223333", waiting, 100);
      const moves = await plan();
      await engine.tick();
      await engine.settled();
      const after = await env.t.store.jobStatesIn(CONTENDERS);
      for (const move of moves) {
        // No chunk of it runs (no chunk slots): a job that gives up its slot is Paused within the same tick.
        const to = move.to === "Pausing" ? "Paused" : move.to;
        assert.equal(after.find((j) => j.jobId === move.jobId)?.status, to, `${move.from} -> ${move.to}`);
      }
      assert.equal(moves.length, 2, "one job in, one out");
      assert.ok((await active()).includes(waiting));
    });

    it("shares a backlog between two engines on one store: each job prepared once, none left", async () => {
      await clear();
      // On PostgreSQL the second engine has a connection of its own, as another process would.
      const second = open.name === "postgresTestStore" ? new JobStore(await openPostgres(env.t.url, 4)) : env.t.store;
      try {
        const options = { prepareConcurrency: 2, chunkSlots: 0, maxActiveJobs: 1 };
        const a = engineOn(env.t.store, options).engine;
        const b = engineOn(second, options).engine;
        const jobs = await createJobs(40);
        await Promise.all([a.tick(), b.tick()]);
        await Promise.all([a.settled(), b.settled()]);
        const counts = await statusCounts();
        assert.equal((counts.Ready ?? 0) + (counts.Active ?? 0), 40, JSON.stringify(counts));
        for (const jobId of jobs) {
          assert.deepEqual(await env.t.store.sumChunkCounters(jobId), { succeeded: 0, failed: 0, records: 1 });
        }
      } finally {
        if (second !== env.t.store) await second.close();
      }
    });

    it("reads as many rows a tick with ten times the backlog, and keeps statuses only for jobs it acts on", async () => {
      await clear();
      const { store, counter } = countedStore(env.t.store);
      const { engine, executor } = engineOn(store, { prepareConcurrency: 2, chunkSlots: 0, maxActiveJobs: 2 });
      const backlog = async (n: number) => {
        await createJobs(n, (i) => ({ confirmationRequired: i % 2 === 0, priority: 1 + (i % 4) }));
        await engine.tick();
        await engine.settled();
        await engine.tick(); // the prepared jobs are scheduled
        await engine.settled();
        counter.take();
        await engine.tick();
        await engine.settled();
        return counter.take();
      };
      const small = await backlog(20);
      const large = await backlog(180);
      const counts = await statusCounts();
      assert.equal(counts.Suspended, 100);
      assert.equal(counts.Active, 2);
      assert.equal(counts.Ready, 98);
      assert.deepEqual(large, small, "the same statements and rows with 200 jobs as with 20");
      assert.ok(executor.largestStatusMap <= 2, `the engine kept ${executor.largestStatusMap} statuses`);
    });
  });
}
