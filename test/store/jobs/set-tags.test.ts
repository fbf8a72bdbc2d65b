/**
 * store/jobs/set-tags.ts on real SQLite and PostgreSQL: the tags are replaced whole, and emptied.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setTags } from "../../../src/store/jobs/set-tags.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("setTags", (t) => {
  it("replaces the job's tags whole, and empties them", async () => {
    const job = await jobIn(t.store, "Active", { tags: [{ key: "old", value: "1" }] });
    const tags = [
      { key: "objbatch:max-requests-per-second", value: "5" },
      { key: "team", value: "取消 ✓" },
    ];
    await setTags(t.db, t.dialect, job.jobId, tags, 3_000);
    assert.deepEqual((await t.store.getJob(job.jobId))?.tags, tags);
    assert.equal((await rawJobRow(t.store, job.jobId))?.updated_time, 3_000);
    await setTags(t.db, t.dialect, job.jobId, [], 4_000);
    assert.deepEqual((await t.store.getJob(job.jobId))?.tags, []);
  });
});
