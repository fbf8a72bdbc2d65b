/**
 * A job's `progress` in GET /api/v1/jobs/{id}, on both stores, from what the store records: the job is moved
 * and its chunks leased and recorded through the real JobStore, as the engine would, at times the test sets on
 * the service's clock, so every number is exact.
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
        etaSeconds: 100,
        elapsedMs: 50_000,
      });

      // Cancelled at T0 + 61 s: the clock stops, nothing is left to wait for.
      assert.ok(await s.transition(jobId, "Active", "Cancelling", T0 + 61_000));
      assert.ok(await s.transition(jobId, "Cancelling", "Cancelled", T0 + 62_000));
      clock = T0 + 600_000;
      assert.deepEqual(await progress(), {
        total: 3000,
        succeeded: 990,
        failed: 10,
        inFlight: 0,
        tasksPerSecond: 16.667,
        etaSeconds: 0,
        elapsedMs: 60_000,
      });
    });
  });
}
