/**
 * store/chunks/read-chunks.ts on real SQLite and PostgreSQL: how many of a job's chunks are pending, running,
 * stale (their worker presumed dead), done or skipped, and what the done ones counted.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import {
  countChunks,
  hasRunningChunks,
  hasUnfinishedChunks,
  sumChunkCounters,
} from "../../../src/store/chunks/read-chunks.js";
import { byteRangePlans, describeOnStores, jobIn } from "../helpers.js";
import { countedStore } from "../query-counter.js";
import { plansOf, unindexed } from "../query-plans.js";

describeOnStores("countChunks and sumChunkCounters", (t) => {
  it("tells every state apart, running from stale by the time asked", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(5));
    await t.store.leaseChunk(job.jobId, "l0", 1_000, 1_000);
    await t.store.leaseChunk(job.jobId, "l1", 1_500, 1_000);
    await t.store.leaseChunk(job.jobId, "l2", 1_000, 60_000);
    await t.store.completeChunk(
      job.jobId,
      2,
      "l2",
      { succeeded: 3, failed: 1, succeededRows: null, failedRows: null },
      1,
    );
    assert.deepEqual(await countChunks(t.db, job.jobId, 2_000), {
      pending: 2,
      running: 2,
      stale: 0,
      done: 1,
      skipped: 0,
    });
    assert.deepEqual(await countChunks(t.db, job.jobId, 2_001), {
      pending: 2,
      running: 1,
      stale: 1,
      done: 1,
      skipped: 0,
    });
    assert.deepEqual(await sumChunkCounters(t.db, job.jobId), { succeeded: 3, failed: 1, records: 5 });
    assert.deepEqual(await countChunks(t.db, "no-such-job", 0), {
      pending: 0,
      running: 0,
      stale: 0,
      done: 0,
      skipped: 0,
    });
  });
});

describeOnStores("hasUnfinishedChunks and hasRunningChunks", (t) => {
  it("tell whether a chunk is left to run, and whether one runs now, by the time asked", async () => {
    const job = await jobIn(t.store, "Active");
    assert.equal(await hasUnfinishedChunks(t.db, job.jobId), false, "no chunks at all");
    await t.store.insertChunks(job.jobId, byteRangePlans(3));
    assert.equal(await hasUnfinishedChunks(t.db, job.jobId), true, "pending");
    assert.equal(await hasRunningChunks(t.db, job.jobId, 1_000), false);

    await t.store.leaseChunk(job.jobId, "l0", 1_000, 1_000);
    assert.equal(await hasRunningChunks(t.db, job.jobId, 2_000), true, "leased until 2,000");
    assert.equal(await hasRunningChunks(t.db, job.jobId, 2_001), false, "its lease ran out");
    const done = { succeeded: 1, failed: 0, succeededRows: null, failedRows: null };
    await t.store.completeChunk(job.jobId, 0, "l0", done, 1_500);
    await t.store.leaseChunk(job.jobId, "l1", 1_000, 1_000);
    await t.store.completeChunk(job.jobId, 1, "l1", done, 1_500);
    await t.store.leaseChunk(job.jobId, "l2", 1_000, 1_000);
    assert.equal(await hasUnfinishedChunks(t.db, job.jobId), true, "leased, even past its lease (stale)");
    await t.store.completeChunk(job.jobId, 2, "l2", done, 1_500);
    assert.equal(await hasUnfinishedChunks(t.db, job.jobId), false, "every chunk done");
    assert.equal(await hasRunningChunks(t.db, job.jobId, 1_500), false);
  });

  it("read one row at most, through the job's chunk index, however many chunks", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(300));
    for (let i = 0; i < 5; i++) await t.store.leaseChunk(job.jobId, `l${i}`, 1_000, 60_000);
    const { store, counter } = countedStore(t.store);
    counter.take();
    await store.hasUnfinishedChunks(job.jobId);
    await store.hasRunningChunks(job.jobId, 2_000);
    assert.deepEqual(counter.take(), { queries: 2, rows: 2, largest: 1 });
    const plans = [
      ...(await plansOf(t.store, (db) => hasUnfinishedChunks(db, job.jobId))),
      ...(await plansOf(t.store, (db) => hasRunningChunks(db, job.jobId, 2_000))),
    ];
    for (const plan of plans) assert.equal(unindexed(plan), undefined, plan);
  });
});
