/**
 * Pause by the user in the store (D31), on real SQLite and PostgreSQL: `held` is set by a move to Pausing or
 * Paused that asks for it (or by setHeld on a job already there), kept while the job is Pausing or Paused,
 * cleared by any move elsewhere; a move to Active is refused while it is set (compare-and-set), so an engine tick
 * planned before the user paused a job never resumes it; and the scheduler's read of the Paused queue skips held
 * jobs through the index, reading no more rows however many are held.
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import type { JobState } from "../../../src/domain/job-state.js";
import { planSchedule } from "../../../src/engine/scheduler.js";
import { IllegalTransitionError } from "../../../src/store/errors.js";
import { schedulableJobStates } from "../../../src/store/jobs/queue-reads.js";
import { setHeld } from "../../../src/store/jobs/set-held.js";
import { transitionJob } from "../../../src/store/jobs/transition-job.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";
import { countedStore } from "../query-counter.js";
import { plansOf, unindexed } from "../query-plans.js";

const ids = (states: readonly JobState[]) => states.map((s) => s.jobId);

describeOnStores("user pause", (t) => {
  beforeEach(async () => {
    await t.db.deleteFrom("jobs").execute();
  });

  /** A job a user paused: Active -> Pausing held, then Paused when `paused`. */
  async function held(priority: number, at: number, paused = true): Promise<string> {
    const { jobId } = await jobIn(t.store, "Active", { priority }, at);
    assert.ok(await t.store.transition(jobId, "Active", "Pausing", at, { hold: true, statusUpdateReason: "user" }));
    if (paused) assert.ok(await t.store.transition(jobId, "Pausing", "Paused", at));
    return jobId;
  }

  it("sets held with the move to Pausing, keeps it to Paused, and refuses Active while it is set", async () => {
    const { jobId } = await jobIn(t.store, "Active", {}, 1_000);
    assert.ok(
      await transitionJob(t.db, t.dialect, jobId, "Active", "Pausing", 2_000, {
        hold: true,
        statusUpdateReason: "Paused by the user",
      }),
    );
    let row = (await rawJobRow(t.store, jobId))!;
    assert.equal(Number(row.held), 1);
    assert.equal(row.status_update_reason, "Paused by the user");
    assert.equal(row.active_since, null, "Active time stops as for preemption");
    assert.equal(Number(row.active_ms), 1_000);
    assert.equal(await transitionJob(t.db, t.dialect, jobId, "Pausing", "Active", 2_500), false, "held: no resume");
    assert.ok(await transitionJob(t.db, t.dialect, jobId, "Pausing", "Paused", 3_000));
    row = (await rawJobRow(t.store, jobId))!;
    assert.equal(row.status, "Paused");
    assert.equal(Number(row.held), 1, "held while Paused");
    assert.equal(row.status_update_reason, "Paused by the user", "the engine's move keeps the user's reason");
    assert.equal(await transitionJob(t.db, t.dialect, jobId, "Paused", "Active", 4_000), false, "held: no resume");
    assert.equal((await rawJobRow(t.store, jobId))!.status, "Paused");
    const state = (await t.store.jobStatesOf([jobId]))[0];
    assert.equal(state?.held, true);
    assert.equal((await t.store.getJob(jobId, 4_000))?.pausedByUser, true);

    assert.ok(await setHeld(t.db, t.dialect, jobId, false, "Resumed by the user", 5_000));
    assert.equal(await setHeld(t.db, t.dialect, jobId, false, "again", 5_000), false, "let go once");
    row = (await rawJobRow(t.store, jobId))!;
    assert.equal(Number(row.held), 0);
    assert.equal(row.status_update_reason, "Resumed by the user");
    assert.equal((await t.store.getJob(jobId, 5_000))?.pausedByUser, undefined);
    assert.ok(await transitionJob(t.db, t.dialect, jobId, "Paused", "Active", 6_000), "let go: resumes");
    assert.equal((await rawJobRow(t.store, jobId))!.active_since, 6_000);
  });

  it("moves a Ready job straight to Paused held, and takes `hold` only with a move to Pausing or Paused", async () => {
    const { jobId } = await jobIn(t.store, "Ready", {}, 1_000);
    await assert.rejects(
      transitionJob(t.db, t.dialect, jobId, "Ready", "Active", 2_000, { hold: true }),
      IllegalTransitionError,
    );
    assert.ok(await transitionJob(t.db, t.dialect, jobId, "Ready", "Paused", 2_000, { hold: true }));
    const row = (await rawJobRow(t.store, jobId))!;
    assert.equal(row.status, "Paused");
    assert.equal(Number(row.held), 1);
    assert.equal(row.active_since, null);
  });

  it("clears held on any move out of Pausing and Paused: a cancel, a failure", async () => {
    const paused = await held(5, 1_000);
    assert.ok(await t.store.transition(paused, "Paused", "Cancelling", 2_000));
    assert.equal(Number((await rawJobRow(t.store, paused))!.held), 0);
    assert.ok(await t.store.transition(paused, "Cancelling", "Cancelled", 3_000));
    assert.equal(Number((await rawJobRow(t.store, paused))!.held), 0);

    const pausing = await held(5, 1_000, false);
    assert.ok(await t.store.transition(pausing, "Pausing", "Failing", 2_000));
    assert.equal(Number((await rawJobRow(t.store, pausing))!.held), 0);
  });

  it("holds a job preempted (Pausing or Paused) where it stands, and never one in any other status", async () => {
    const { jobId: preempted } = await jobIn(t.store, "Paused", {}, 1_000);
    const { jobId: pausing } = await jobIn(t.store, "Pausing", {}, 1_000);
    assert.ok(await setHeld(t.db, t.dialect, preempted, true, "Paused by the user", 2_000));
    assert.equal(await setHeld(t.db, t.dialect, preempted, true, "Paused by the user", 2_000), false, "held already");
    assert.ok(await setHeld(t.db, t.dialect, pausing, true, "Paused by the user", 2_000));
    for (const id of [preempted, pausing]) {
      const row = (await rawJobRow(t.store, id))!;
      assert.equal(Number(row.held), 1);
      assert.equal(row.status_update_reason, "Paused by the user");
    }
    for (const status of ["Ready", "Active", "Suspended", "Complete", "Cancelling"] as const) {
      const { jobId } = await jobIn(t.store, status, {}, 1_000);
      assert.equal(await setHeld(t.db, t.dialect, jobId, true, "x", 2_000), false, status);
      assert.equal(Number((await rawJobRow(t.store, jobId))!.held), 0, status);
    }
  });

  it("an engine tick planned before the user paused the job cannot resume it", async () => {
    const { jobId } = await jobIn(t.store, "Paused", { priority: 5 }, 1_000);
    const planned = planSchedule(await schedulableJobStates(t.db, 1), 1);
    assert.deepEqual(planned, [{ jobId, from: "Paused", to: "Active" }]);
    assert.ok(await setHeld(t.db, t.dialect, jobId, true, "Paused by the user", 2_000)); // the user, between read and move
    for (const move of planned) assert.equal(await t.store.transition(move.jobId, move.from, move.to, 3_000), false);
    assert.equal((await rawJobRow(t.store, jobId))!.status, "Paused");
  });

  it("leaves held Paused jobs out of the scheduler's read, hands it held Pausing ones, and plans neither", async () => {
    const heldHigh = await held(9, 1_000);
    const heldPausing = await held(8, 1_000, false);
    const { jobId: pausedLow } = await jobIn(t.store, "Paused", { priority: 1 }, 1_000);
    const { jobId: ready } = await jobIn(t.store, "Ready", { priority: 2 }, 1_000);
    const states = await schedulableJobStates(t.db, 1);
    assert.deepEqual(ids(states), [heldPausing, ready, pausedLow]);
    assert.ok(!ids(states).includes(heldHigh));
    assert.equal(states.find((s) => s.jobId === heldPausing)?.held, true);
    assert.deepEqual(planSchedule(states, 1), [{ jobId: ready, from: "Ready", to: "Active" }]);
  });

  it("reads as many rows with a hundred held Paused jobs ahead in the queue as with none, through the index", async () => {
    const { store, counter } = countedStore(t.store);
    for (let i = 0; i < 3; i++) await jobIn(t.store, "Paused", { priority: 1 }, 1_000 + i);
    counter.take();
    await store.schedulableJobStates(2);
    const none = counter.take();
    for (let i = 0; i < 100; i++) {
      const { jobId } = await jobIn(t.store, "Ready", { priority: 9 }, 2_000 + i);
      assert.ok(await t.store.transition(jobId, "Ready", "Paused", 3_000, { hold: true }));
    }
    counter.take();
    const states = await store.schedulableJobStates(2);
    const hundred = counter.take();
    assert.deepEqual(hundred, none);
    assert.equal(states.length, 2);
    assert.ok(states.every((s) => !s.held && s.priority === 1));

    const plans = await plansOf(t.store, (db) => schedulableJobStates(db, 2));
    assert.equal(plans.length, 4);
    for (const plan of plans) assert.equal(unindexed(plan), undefined, plan);
  });
});
