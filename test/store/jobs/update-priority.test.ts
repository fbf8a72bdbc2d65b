/**
 * store/jobs/update-priority.ts on real SQLite and PostgreSQL: the new priority is what the engine's next tick
 * orders jobs by.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { updatePriority } from "../../../src/store/jobs/update-priority.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("updatePriority", (t) => {
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
    await updatePriority(t.db, t.dialect, second.jobId, 2_147_483_647, 7_000);
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
});
