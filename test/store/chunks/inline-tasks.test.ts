/**
 * Chunks with inline tasks (generated and inventory manifests) on real SQLite and PostgreSQL, through
 * store/chunks/: the lease hands the tasks to the runner, and they are dropped once the chunk is done; a skipped
 * chunk keeps them, and unrunChunks reads them back (D35).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { encodeInlineTasks, inlineTask } from "../../../src/manifest/inline-tasks.js";
import { database, describeOnStores, jobIn } from "../helpers.js";

const results = { succeeded: 1, failed: 0, succeededRows: null, failedRows: null };

describeOnStores("inline chunk tasks", (t) => {
  it("leases hand out the tasks; done chunks drop them, skipped ones keep them; byte-range chunks have none", async () => {
    const row = await jobIn(t.store, "Active");
    const big = encodeInlineTasks(Array.from({ length: 1000 }, (_, i) => inlineTask("b", `k/${i} ✓,"x"`)));
    await t.store.insertChunks(row.jobId, [
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
    const first = (await t.store.leaseChunk(row.jobId, "lease-a", 1_000, 60_000))!;
    assert.equal(first.seq, 0);
    assert.equal(first.tasks, big);
    assert.equal(await t.store.completeChunk(row.jobId, 0, "lease-a", results, 2_000), true);

    const second = (await t.store.leaseChunk(row.jobId, "lease-b", 2_000, 60_000))!;
    assert.equal(second.seq, 1);
    assert.deepEqual(JSON.parse(second.tasks!), [["b", "z", "v"]]);
    const third = (await t.store.leaseChunk(row.jobId, "lease-c", 2_000, 60_000))!;
    assert.equal(third.seq, 2);
    assert.equal(third.tasks, null);
    await t.store.releaseChunk(row.jobId, 1, "lease-b");
    await t.store.abandonUnfinishedChunks(row.jobId);
    assert.equal(await t.store.leaseChunk(row.jobId, "lease-d", 10_000_000, 1000), undefined, "nothing to lease");

    const rows = await database(t.store)
      .selectFrom("chunks")
      .select(["seq", "state", "tasks"])
      .where("job_id", "=", row.jobId)
      .orderBy("seq")
      .execute();
    // Plain objects: node:sqlite (Node 24) returns rows with a null prototype.
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { seq: 0, state: "done", tasks: null },
        // Kept: a rerun of the tasks that never got a result reads them (D35).
        { seq: 1, state: "skipped", tasks: JSON.stringify([["b", "z", "v"]]) },
        { seq: 2, state: "skipped", tasks: null },
      ],
    );
    const unrun = await t.store.unrunChunks(row.jobId, -1, 10);
    assert.deepEqual(
      unrun.map((c) => [c.seq, c.startByte, c.endByte, c.firstRecord, c.records, c.tasks]),
      [
        [1, 0, 0, 1000, 1, JSON.stringify([["b", "z", "v"]])],
        [2, 10, 20, 1001, 2, null],
      ],
    );
    assert.deepEqual(
      (await t.store.unrunChunks(row.jobId, 1, 10)).map((c) => c.seq),
      [2],
      "a page starts after the seq given",
    );
  });
});
