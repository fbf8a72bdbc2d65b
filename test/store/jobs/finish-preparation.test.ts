/**
 * store/jobs/finish-preparation.ts on real SQLite and PostgreSQL: one statement records the counted manifest,
 * moves the job to Ready (confirmed) or Suspended (awaiting confirmation, with the time and the cause) and gives
 * up the claim, only for the preparer that holds it and only while the job is Preparing; the preparer's last
 * chunks are recorded in the same transaction, and only when the move is made. Several jobs' ends go in one
 * transaction (the store's group commit, D49), each its own compare-and-set, their chunks in one insert and their
 * events in another.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { finishPreparation, finishPreparations } from "../../../src/store/jobs/finish-preparation.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";
import { countedStore } from "../query-counter.js";

const MANIFEST = { totalTasks: 12, manifestEtag: "etag-1", suspendedCause: "awaiting confirmation" };
const LAST_CHUNKS = [
  { seq: 1, startByte: 100, endByte: 150, firstRecord: 10, records: 2 },
  { seq: 2, startByte: 150, endByte: 160, firstRecord: 12, records: 1 },
];

describeOnStores("finishPreparation", (t) => {
  it("moves a confirmed job to Ready with its counts, and gives up the claim", async () => {
    const job = await jobIn(t.store, "Preparing", { confirmationRequired: false }, 1_000);
    assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "me", 1_000, 60_000));
    assert.equal(await finishPreparation(t.db, t.dialect, job.jobId, "me", MANIFEST, 2_000), "Ready");
    const row = (await rawJobRow(t.store, job.jobId))!;
    assert.deepEqual(
      [row.status, Number(row.total_tasks), row.manifest_etag, row.phase_owner, row.phase_expires],
      ["Ready", 12, "etag-1", null, null],
    );
    assert.deepEqual([row.suspended_time, row.suspended_cause, Number(row.updated_time)], [null, null, 2_000]);
  });

  it("moves a job awaiting confirmation to Suspended, when and why, as the transition would", async () => {
    const job = await jobIn(t.store, "Preparing", { confirmationRequired: true }, 1_000);
    assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "me", 1_000, 60_000));
    assert.equal(
      await finishPreparation(t.db, t.dialect, job.jobId, "me", { ...MANIFEST, manifestEtag: null }, 3_000),
      "Suspended",
    );
    const state = (await t.store.getJobState(job.jobId))!;
    assert.deepEqual(
      [state.status, state.totalTasks, state.suspendedTime, state.phaseClaim],
      ["Suspended", 12, 3_000, undefined],
    );
    const described = (await t.store.getJob(job.jobId, 3_000))!;
    assert.equal(described.suspendedCause, "awaiting confirmation");
  });

  it("goes by the confirmation as it stands when preparing ends (OSS may confirm a Preparing job)", async () => {
    const job = await jobIn(t.store, "Preparing", { confirmationRequired: true }, 1_000);
    assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "me", 1_000, 60_000));
    await t.store.markConfirmed(job.jobId, undefined, 1_500);
    assert.equal(await finishPreparation(t.db, t.dialect, job.jobId, "me", MANIFEST, 2_000), "Ready");
  });

  it("finishes nothing for a preparer that no longer holds the claim, or a job that left Preparing", async () => {
    const taken = await jobIn(t.store, "Preparing", {}, 1_000);
    assert.ok(await t.store.claimPhase(taken.jobId, "Preparing", "other", 1_000, 60_000));
    assert.equal(await finishPreparation(t.db, t.dialect, taken.jobId, "me", MANIFEST, 2_000), undefined);
    assert.equal((await t.store.getJobState(taken.jobId))?.status, "Preparing");
    assert.equal((await t.store.getJobState(taken.jobId))?.totalTasks, -1);

    const cancelled = await jobIn(t.store, "Preparing", {}, 1_000);
    assert.ok(await t.store.claimPhase(cancelled.jobId, "Preparing", "me", 1_000, 60_000));
    await t.store.transition(cancelled.jobId, "Preparing", "Cancelling", 1_500);
    assert.equal(await finishPreparation(t.db, t.dialect, cancelled.jobId, "me", MANIFEST, 2_000), undefined);
    assert.equal((await t.store.getJobState(cancelled.jobId))?.status, "Cancelling");
  });

  it("records the last chunks with the move, after those written before", async () => {
    const job = await jobIn(t.store, "Preparing", { confirmationRequired: false }, 1_000);
    assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "me", 1_000, 60_000));
    await t.store.insertChunks(job.jobId, [{ seq: 0, startByte: 0, endByte: 100, firstRecord: 0, records: 10 }]);
    const manifest = { ...MANIFEST, totalTasks: 13, lastChunks: LAST_CHUNKS };
    assert.equal(await finishPreparation(t.db, t.dialect, job.jobId, "me", manifest, 2_000), "Ready");
    assert.equal((await t.store.countChunks(job.jobId, 2_000)).pending, 3);
  });

  it("records no chunks for a preparer that no longer holds the claim, nor for a job that left Preparing", async () => {
    const taken = await jobIn(t.store, "Preparing", {}, 1_000);
    assert.ok(await t.store.claimPhase(taken.jobId, "Preparing", "other", 1_000, 60_000));
    // The preparer that took it over wrote its own chunks: a stale one must not add its own beside them.
    await t.store.insertChunks(taken.jobId, [{ seq: 1, startByte: 0, endByte: 100, firstRecord: 0, records: 10 }]);
    const manifest = { ...MANIFEST, lastChunks: LAST_CHUNKS };
    assert.equal(await finishPreparation(t.db, t.dialect, taken.jobId, "me", manifest, 2_000), undefined);
    assert.equal((await t.store.countChunks(taken.jobId, 2_000)).pending, 1);

    const cancelled = await jobIn(t.store, "Preparing", {}, 1_000);
    assert.ok(await t.store.claimPhase(cancelled.jobId, "Preparing", "me", 1_000, 60_000));
    await t.store.transition(cancelled.jobId, "Preparing", "Cancelling", 1_500);
    assert.equal(await finishPreparation(t.db, t.dialect, cancelled.jobId, "me", manifest, 2_000), undefined);
    assert.equal((await t.store.countChunks(cancelled.jobId, 2_000)).pending, 0);
  });

  it("finishes several jobs in one transaction and one move: each by its own claim, chunks and events for those that moved", async () => {
    const ready = await jobIn(t.store, "Preparing", { confirmationRequired: false }, 1_000);
    const waiting = await jobIn(t.store, "Preparing", { confirmationRequired: true }, 1_000);
    const taken = await jobIn(t.store, "Preparing", {}, 1_000);
    for (const [job, owner] of [
      [ready, "me"],
      [waiting, "me"],
      [taken, "other"],
    ] as const) {
      assert.ok(await t.store.claimPhase(job.jobId, "Preparing", owner, 1_000, 60_000));
    }
    const { counter } = countedStore(t.store);
    const db = t.db.withPlugin(counter);
    counter.take();
    const ends = [ready, taken, waiting].map((job, i) => ({
      jobId: job.jobId,
      owner: "me",
      manifest: { ...MANIFEST, totalTasks: 2 + i, lastChunks: LAST_CHUNKS },
      now: 2_000 + i,
    }));
    assert.deepEqual(await finishPreparations(db, t.dialect, ends), ["Ready", undefined, "Suspended"]);
    // One statement moves them (each by its own claim), then one insert of both moved jobs' chunks and one of
    // their events.
    assert.equal(counter.take().queries, 3);
    assert.deepEqual(
      [(await t.store.getJobState(ready.jobId))?.totalTasks, (await t.store.getJobState(waiting.jobId))?.totalTasks],
      [2, 4],
    );
    assert.equal((await t.store.getJobState(waiting.jobId))?.suspendedTime, 2_002, "each job's own time");
    assert.deepEqual(
      await Promise.all([ready, waiting, taken].map(async (j) => (await t.store.countChunks(j.jobId, 3_000)).pending)),
      [2, 2, 0],
    );
    const moves = async (jobId: string, accountId: string) =>
      (await t.store.readScopeEvents({ accountId, jobId }, 0, 1e15, 10))
        .filter((e) => e.type === "job.status" && e.payload.from === "Preparing")
        .map((e) => e.payload.to);
    assert.deepEqual(await moves(ready.jobId, ready.spec.accountId), ["Ready"]);
    assert.deepEqual(await moves(waiting.jobId, waiting.spec.accountId), ["Suspended"]);
    assert.deepEqual(await moves(taken.jobId, taken.spec.accountId), []);
  });

  it("finishes the preparations that end together through the store in one commit, each told its own status", async () => {
    const jobs = await Promise.all(
      Array.from({ length: 6 }, (_, i) => jobIn(t.store, "Preparing", { confirmationRequired: i % 2 === 0 }, 1_000)),
    );
    for (const job of jobs) assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "me", 1_000, 60_000));
    const { store, counter } = countedStore(t.store);
    counter.take();
    const statuses = await Promise.all(
      jobs.map((job) => store.finishPreparation(job.jobId, "me", { ...MANIFEST, lastChunks: LAST_CHUNKS }, 2_000)),
    );
    assert.deepEqual(statuses, ["Suspended", "Ready", "Suspended", "Ready", "Suspended", "Ready"]);
    // All six ended in one turn of the event loop and share one commit: one statement moves them, then the
    // chunks go in one insert and the events in another.
    assert.equal(counter.take().queries, 3);
  });
});
