/**
 * store/jobs/purge-terminated-jobs.ts on real SQLite and PostgreSQL: retention (D8) forgets the jobs that
 * finished before a time, with their chunks, however many there are, and nothing else.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { purgeTerminatedBefore } from "../../../src/store/jobs/purge-terminated-jobs.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn } from "../helpers.js";

describeOnStores("purgeTerminatedBefore", (t) => {
  it("purges terminal jobs past retention and deletes only terminal jobs", async () => {
    const done = newJob();
    const live = newJob();
    await t.store.insertJob(done);
    await t.store.insertJob(live);
    await t.store.insertChunks(done.jobId, [{ seq: 0, startByte: 0, endByte: 1, firstRecord: 0, records: 1 }]);
    await t.store.transition(done.jobId, "New", "Cancelling", 10);
    await t.store.transition(done.jobId, "Cancelling", "Cancelled", 20);
    assert.equal(await t.store.deleteTerminalJob(live.jobId), false);
    assert.ok((await purgeTerminatedBefore(t.db, 21)) >= 1);
    assert.equal(await t.store.getJob(done.jobId), undefined);
    assert.deepEqual(await t.store.sumChunkCounters(done.jobId), { succeeded: 0, failed: 0, records: 0 });
    assert.ok(await t.store.getJob(live.jobId));
  });

  it("purges every old job across batches, and keeps recent and unfinished ones", async () => {
    const old: string[] = [];
    for (let i = 0; i < 230; i++) old.push((await jobIn(t.store, i % 2 ? "Complete" : "Failed", {}, 50_000)).jobId);
    const recent = await jobIn(t.store, "Cancelled", {}, 70_000);
    const unfinished = await jobIn(t.store, "Active", {}, 50_000);
    assert.equal(await purgeTerminatedBefore(t.db, 60_000), 230);
    for (const jobId of old) assert.equal(await t.store.getJob(jobId), undefined);
    assert.ok(await t.store.getJob(recent.jobId));
    assert.ok(await t.store.getJob(unfinished.jobId));
    assert.equal(await purgeTerminatedBefore(t.db, 60_000), 0, "nothing left to purge");
  });
});
