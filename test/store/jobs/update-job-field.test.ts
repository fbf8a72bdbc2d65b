/**
 * store/jobs/update-job-field.ts on real SQLite and PostgreSQL: a new priority is what the engine's next tick
 * orders jobs by; tags are replaced whole, and emptied; a job that is gone is reported so.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { updateJobField } from "../../../src/store/jobs/update-job-field.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("updateJobField", (t) => {
  it("changes the job's priority, and with it the order the engine sees", async () => {
    const tag = randomUUID();
    const first = await jobIn(t.store, "Paused", { priority: 5, description: tag });
    const second = await jobIn(t.store, "Paused", { priority: 4, description: tag });
    const ours = async () =>
      (await t.store.jobStatesIn(["Paused"])).filter((s) => s.jobId === first.jobId || s.jobId === second.jobId);
    assert.deepEqual(
      (await ours()).map((s) => s.jobId),
      [first.jobId, second.jobId],
    );
    await updateJobField(t.db, t.dialect, second.jobId, { field: "priority", priority: 2_147_483_647 }, 7_000);
    assert.deepEqual(
      (await ours()).map((s) => [s.jobId, s.priority]),
      [
        [second.jobId, 2_147_483_647],
        [first.jobId, 5],
      ],
    );
    assert.equal((await t.store.getJob(second.jobId))?.priority, 2_147_483_647);
    assert.equal((await rawJobRow(t.store, second.jobId))?.updated_time, 7_000);
  });

  it("replaces the job's tags whole, and empties them", async () => {
    const job = await jobIn(t.store, "Active", { tags: [{ key: "old", value: "1" }] });
    const tags = [
      { key: "objbatch:max-requests-per-second", value: "5" },
      { key: "team", value: "取消 ✓" },
    ];
    await updateJobField(t.db, t.dialect, job.jobId, { field: "tags", tags }, 3_000);
    assert.deepEqual((await t.store.getJob(job.jobId))?.tags, tags);
    assert.equal((await rawJobRow(t.store, job.jobId))?.updated_time, 3_000);
    await updateJobField(t.db, t.dialect, job.jobId, { field: "tags", tags: [] }, 4_000);
    assert.deepEqual((await t.store.getJob(job.jobId))?.tags, []);
  });

  it("answers false for a job that is gone, and writes nothing", async () => {
    assert.equal(await updateJobField(t.db, t.dialect, randomUUID(), { field: "priority", priority: 1 }, 1), false);
  });
});
