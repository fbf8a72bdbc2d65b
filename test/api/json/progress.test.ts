/**
 * A job's `progress` in GET /api/v1/jobs/{id}, on both stores, from what the store records: the job is moved
 * and its chunks leased and recorded through the real JobStore, as the engine would, at times the test sets on
 * the service's clock, so every number is exact. The rate over the last 10 s comes from the reads the server
 * served (D32): reads far apart fall back to the whole run's average, reads a second apart tell the recent rate.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ALICE,
  createRequest,
  DocumentChecker,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { TEST_STORES, type TestStore } from "../../helpers/stores.js";

const T0 = Date.UTC(2026, 5, 1);
const CHUNK = 1000;

for (const openStore of TEST_STORES) {
  describe(`progress (${openStore.name.replace("TestStore", "")})`, () => {
    let store: TestStore;
    let server: JsonApiServer;
    let alice: JsonApiClient;
    let clock = T0;

    before(async () => {
      store = await openStore();
      server = await startJsonApiServer(store, [ALICE], { now: () => clock });
      alice = new JsonApiClient(server.url, ALICE, await DocumentChecker.load(server.url));
    });

    after(async () => {
      await server.close();
      await store.dispose();
    });

    it("counts recorded tasks, running chunks, Active time, the rate over the run and the time left", async () => {
      const created = await alice.post("/api/v1/jobs", createRequest());
      assert.equal(created.status, 201);
      const { jobId } = created.json;
      const s = store.store;
      const progress = async () => {
        const r = await alice.get(`/api/v1/jobs/${jobId}`);
        assert.equal(r.status, 200, r.text);
        return r.json.progress;
      };

      // Preparing counts 3,000 tasks in three chunks; the job goes Active at T0 + 1 s.
      assert.ok(await s.transition(jobId, "New", "Preparing", T0));
      await s.setPrepared(jobId, 3 * CHUNK, null, T0);
      await s.insertChunks(
        jobId,
        [0, 1, 2].map((seq) => ({ seq, startByte: 0, endByte: 0, firstRecord: seq * CHUNK, records: CHUNK })),
      );
      assert.ok(await s.transition(jobId, "Preparing", "Ready", T0));
      clock = T0 + 500;
      assert.deepEqual(await progress(), {
        total: 3000,
        succeeded: 0,
        failed: 0,
        inFlight: 0,
        tasksPerSecond: 0,
        averageTasksPerSecond: 0,
        etaSeconds: null,
        elapsedMs: 0,
      });
      assert.ok(await s.transition(jobId, "Ready", "Active", T0 + 1_000));

      // Chunk 0 runs from T0 + 1 s and is recorded at T0 + 11 s: 990 succeeded, 10 failed.
      const first = await s.leaseChunk(jobId, "lease-0", T0 + 1_000, 30_000);
      assert.equal(first?.seq, 0);
      clock = T0 + 6_000;
      assert.deepEqual(await progress(), {
        total: 3000,
        succeeded: 0,
        failed: 0,
        inFlight: CHUNK,
        tasksPerSecond: 0,
        averageTasksPerSecond: 0,
        etaSeconds: null,
        elapsedMs: 5_000,
      });
      assert.ok(
        await s.completeChunk(
          jobId,
          0,
          "lease-0",
          { succeeded: 990, failed: 10, succeededRows: null, failedRows: null },
          T0 + 11_000,
        ),
      );
      // Chunk 1 is leased until T0 + 41 s.
      assert.equal((await s.leaseChunk(jobId, "lease-1", T0 + 11_000, 30_000))?.seq, 1);

      clock = T0 + 21_000;
      assert.deepEqual(await progress(), {
        total: 3000,
        succeeded: 990,
        failed: 10,
        inFlight: CHUNK,
        tasksPerSecond: 50,
        averageTasksPerSecond: 50,
        etaSeconds: 40,
        elapsedMs: 20_000,
      });

      // The lease has run out (its worker is presumed dead): nothing is in flight any more.
      clock = T0 + 51_000;
      assert.deepEqual(await progress(), {
        total: 3000,
        succeeded: 990,
        failed: 10,
        inFlight: 0,
        tasksPerSecond: 20,
        averageTasksPerSecond: 20,
        etaSeconds: 100,
        elapsedMs: 50_000,
      });

      // Cancelled at T0 + 61 s: the clock stops, nothing is left to wait for, nothing runs any more.
      assert.ok(await s.transition(jobId, "Active", "Cancelling", T0 + 61_000));
      assert.ok(await s.transition(jobId, "Cancelling", "Cancelled", T0 + 62_000));
      clock = T0 + 600_000;
      assert.deepEqual(await progress(), {
        total: 3000,
        succeeded: 990,
        failed: 10,
        inFlight: 0,
        tasksPerSecond: 0,
        averageTasksPerSecond: 16.667,
        etaSeconds: 0,
        elapsedMs: 60_000,
      });
    });
    it("tells the rate over the last 10 s beside the average, the time left at it, and 0 while nothing moves", async () => {
      const created = await alice.post("/api/v1/jobs", createRequest());
      assert.equal(created.status, 201);
      const { jobId } = created.json;
      const s = store.store;
      const at = async (ms: number) => {
        clock = B + ms;
        const r = await alice.get(`/api/v1/jobs/${jobId}`);
        assert.equal(r.status, 200, r.text);
        const { tasksPerSecond, averageTasksPerSecond, etaSeconds, inFlight, succeeded } = r.json.progress;
        return { succeeded, inFlight, tasksPerSecond, averageTasksPerSecond, etaSeconds };
      };

      // 10,000 tasks in ten chunks; Active from B.
      const B = T0 + 3_600_000;
      assert.ok(await s.transition(jobId, "New", "Preparing", B));
      await s.setPrepared(jobId, 10 * CHUNK, null, B);
      await s.insertChunks(
        jobId,
        Array.from({ length: 10 }, (_, seq) => ({
          seq,
          startByte: 0,
          endByte: 0,
          firstRecord: seq * CHUNK,
          records: CHUNK,
        })),
      );
      assert.ok(await s.transition(jobId, "Preparing", "Ready", B));
      assert.ok(await s.transition(jobId, "Ready", "Active", B));
      assert.equal((await s.leaseChunk(jobId, "lease-0", B, 60_000))?.seq, 0);
      const results = { succeeded: CHUNK, failed: 0, succeededRows: null, failedRows: null };
      assert.ok(await s.completeChunk(jobId, 0, "lease-0", results, B + 20_000));
      assert.equal((await s.leaseChunk(jobId, "lease-1", B + 20_000, 60_000))?.seq, 1);
      const live = (succeeded: number) =>
        s.recordLiveProgress([{ jobId, seq: 1, leaseToken: "lease-1", succeeded, failed: 0 }]);

      // The first read of the job: no recent rate yet, the run's average stands in (1,000 in 20 s).
      assert.deepEqual(await at(20_000), {
        succeeded: 1000,
        inFlight: 1000,
        tasksPerSecond: 50,
        averageTasksPerSecond: 50,
        etaSeconds: 180,
      });
      // Chunk 1 tells 300, then 600 finished tasks, a second apart.
      await live(300);
      assert.equal((await at(21_000)).tasksPerSecond, 61.905, "1 s seen: still the average, 1,300 in 21 s");
      await live(600);
      assert.deepEqual(await at(22_000), {
        succeeded: 1600,
        inFlight: 400,
        tasksPerSecond: 300, // 600 more in the last 2 s
        averageTasksPerSecond: 72.727,
        etaSeconds: 28, // 8,400 left at 300 a second
      });

      // The user pauses it; its running chunk tells nothing more, and the rate falls to 0 as the window moves on.
      assert.ok(await s.transition(jobId, "Active", "Pausing", B + 22_000, { hold: true }));
      assert.equal((await at(25_000)).tasksPerSecond, 120, "600 in the last 5 s");
      await at(30_000);
      assert.deepEqual(await at(33_000), {
        succeeded: 1600,
        inFlight: 400,
        tasksPerSecond: 0,
        averageTasksPerSecond: 72.727, // Active time stopped at 22 s
        etaSeconds: null,
      });

      // Listings feed the same samples: a job seen only in them meanwhile still has a rate over the last 10 s.
      const listed = async (ms: number) => {
        clock = B + ms;
        const r = await alice.get("/api/v1/jobs");
        assert.equal(r.status, 200, r.text);
      };
      await listed(50_000);
      await live(1000);
      await listed(52_000);
      const seen = await at(54_000);
      assert.equal(seen.tasksPerSecond, 100, "400 more since the listing at 50 s, not the average of 90.909");
      assert.equal(seen.averageTasksPerSecond, 90.909);
    });
  });
}
