/**
 * Chunks with inline tasks (generated and inventory manifests) on real SQLite and PostgreSQL: the lease hands
 * the tasks to the runner, and they are dropped once the chunk is done or skipped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { encodeInlineTasks, inlineTask } from "../../src/manifest/inline-tasks.js";
import { newJobRow as newJob, TEST_STORES, type TestStore } from "../helpers/stores.js";

const results = { succeeded: 1, failed: 0, succeededRows: null, failedRows: null };

for (const open of TEST_STORES) {
  describe(`inline chunk tasks (${open.name})`, () => {
    let t: TestStore;
    before(async () => {
      t = await open();
    });
    after(() => t.dispose());

    it("leases hand out the tasks; done and skipped chunks drop them; byte-range chunks have none", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      const big = encodeInlineTasks(Array.from({ length: 1000 }, (_, i) => inlineTask("b", `k/${i} ✓,"x"`)));
      await t.store.insertChunks(row.job_id, [
        { seq: 0, startByte: 0, endByte: 0, firstRecord: 0, records: 1000, tasks: big },
        {
          seq: 1,
          startByte: 0,
          endByte: 0,
          firstRecord: 1000,
          records: 1,
          tasks: encodeInlineTasks([inlineTask("b", "z", "v")]),
        },
        { seq: 2, startByte: 10, endByte: 20, firstRecord: 1001, records: 2 },
      ]);
      const first = (await t.store.leaseChunk(row.job_id, "lease-a", 1_000, 60_000))!;
      assert.equal(first.seq, 0);
      assert.equal(first.tasks, big);
      assert.equal(await t.store.completeChunk(row.job_id, 0, "lease-a", results, 2_000), true);

      const second = (await t.store.leaseChunk(row.job_id, "lease-b", 2_000, 60_000))!;
      assert.equal(second.seq, 1);
      assert.deepEqual(JSON.parse(second.tasks!), [["b", "z", "v"]]);
      const third = (await t.store.leaseChunk(row.job_id, "lease-c", 2_000, 60_000))!;
      assert.equal(third.seq, 2);
      assert.equal(third.tasks, null);
      await t.store.releaseChunk(row.job_id, 1, "lease-b");
      await t.store.abandonUnfinishedChunks(row.job_id);
      assert.equal(await t.store.leaseChunk(row.job_id, "lease-d", 10_000_000, 1000), undefined, "nothing to lease");

      const db = (
        t.store as unknown as { conn: { db: import("kysely").Kysely<import("../../src/store/schema.js").Database> } }
      ).conn.db;
      const rows = await db
        .selectFrom("chunks")
        .select(["seq", "state", "tasks"])
        .where("job_id", "=", row.job_id)
        .orderBy("seq")
        .execute();
      // Plain objects: node:sqlite (Node 24) returns rows with a null prototype.
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [
          { seq: 0, state: "done", tasks: null },
          { seq: 1, state: "skipped", tasks: null },
          { seq: 2, state: "skipped", tasks: null },
        ],
      );
    });
  });
}
