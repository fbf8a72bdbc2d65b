/**
 * store/jobs/purge-terminated-jobs.ts on real SQLite and PostgreSQL: retention (D8) forgets the jobs that
 * finished before a time, with their chunks, however many there are, and nothing else.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { purgeTerminatedBefore } from "../../../src/store/jobs/purge-terminated-jobs.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn } from "../helpers.js";
import { plansOf, unindexed } from "../query-plans.js";

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
    assert.ok((await purgeTerminatedBefore(t.db, t.dialect, 21, 21)) >= 1);
    assert.equal(await t.store.getJob(done.jobId), undefined);
    assert.deepEqual(await t.store.sumChunkCounters(done.jobId), { succeeded: 0, failed: 0, records: 0 });
    assert.ok(await t.store.getJob(live.jobId));
  });

  it("purges every old job across batches, and keeps recent and unfinished ones", async () => {
    const old: string[] = [];
    for (let i = 0; i < 230; i++) old.push((await jobIn(t.store, i % 2 ? "Complete" : "Failed", {}, 50_000)).jobId);
    const recent = await jobIn(t.store, "Cancelled", {}, 70_000);
    const unfinished = await jobIn(t.store, "Active", {}, 50_000);
    assert.equal(await purgeTerminatedBefore(t.db, t.dialect, 60_000, 60_000), 230);
    for (const jobId of old) assert.equal(await t.store.getJob(jobId), undefined);
    assert.ok(await t.store.getJob(recent.jobId));
    assert.ok(await t.store.getJob(unfinished.jobId));
    assert.equal(await purgeTerminatedBefore(t.db, t.dialect, 60_000, 60_000), 0, "nothing left to purge");
  });

  it("purges `maxJobs` at most, the ones that finished first, and the rest on the next call", async () => {
    await t.db.deleteFrom("jobs").execute();
    const ended: string[] = [];
    for (let i = 0; i < 150; i++) {
      // Created in one order, finished in the reverse one: the purge goes by when they finished.
      const job = await jobIn(t.store, "Cancelling", {}, 1_000 + i);
      await t.store.transition(job.jobId, "Cancelling", "Cancelled", 100_000 - i);
      ended.unshift(job.jobId);
    }
    const left = async () => (await t.db.selectFrom("jobs").select("job_id").execute()).map((r) => r.job_id).sort();
    assert.equal(
      await purgeTerminatedBefore(t.db, t.dialect, 200_000, 200_000, 120),
      120,
      "two statements: 100, then 20",
    );
    assert.deepEqual(await left(), ended.slice(120).sort(), "the 120 that finished first are gone");
    assert.equal(await purgeTerminatedBefore(t.db, t.dialect, 200_000, 200_000, 120), 30);
    assert.deepEqual(await left(), []);
    assert.equal(await purgeTerminatedBefore(t.db, t.dialect, 200_000, 200_000, 0), 0);
  });

  it("finds the jobs to purge through an index", async () => {
    const [plan] = await plansOf(t.store, async (db) => {
      // The inner select is what walks the table; the delete by job id is the primary key's.
      await db
        .selectFrom("jobs")
        .select("job_id")
        .where("termination_time", "<", 5_000)
        .orderBy("termination_time", "asc")
        .limit(100)
        .execute();
    });
    assert.equal(unindexed(plan), undefined, plan);
    const plans = await plansOf(t.store, (db) => purgeTerminatedBefore(db, t.dialect, 5_000, 5_000, 100));
    for (const p of plans) assert.equal(unindexed(p), undefined, p);
  });
});
