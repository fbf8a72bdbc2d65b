/**
 * store/jobs/queue-reads.ts on real SQLite and PostgreSQL: the engine's reads of the job queue hand back what
 * it acts on, in queue order (highest priority, then oldest, then job id), read a number of rows that does not
 * grow with the backlog (counted by a plugin on the store's statements), and are each served by an index
 * (asked of the database's planner).
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import type { JobState } from "../../../src/domain/job-state.js";
import type { JobStatus } from "../../../src/domain/status.js";
import { planSchedule } from "../../../src/engine/scheduler.js";
import {
  byQueueOrder,
  finishingJobStates,
  jobStatesOf,
  schedulableJobStates,
  suspendedBefore,
} from "../../../src/store/jobs/queue-reads.js";
import { jobStatesIn } from "../../../src/store/jobs/read-jobs.js";
import { describeOnStores, jobIn } from "../helpers.js";
import { countedStore } from "../query-counter.js";
import { plansOf, unindexed } from "../query-plans.js";

const ids = (states: readonly JobState[]) => states.map((s) => s.jobId);

/** A small deterministic generator, so a failure can be replayed. */
function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x % n;
  };
}

describeOnStores("queue reads", (t) => {
  beforeEach(async () => {
    await t.db.deleteFrom("jobs").execute();
  });

  async function many(status: JobStatus, n: number, priority = 5, at = 1_000) {
    const made: string[] = [];
    for (let i = 0; i < n; i++) made.push((await jobIn(t.store, status, { priority }, at + i)).jobId);
    return made;
  }

  it("hands the scheduler every Active and Pausing job and the first `slots` Ready and Paused, in queue order", async () => {
    const readyLow = await jobIn(t.store, "Ready", { priority: 1 }, 1_000);
    const readyHighNew = await jobIn(t.store, "Ready", { priority: 9 }, 3_000);
    const readyHighOld = await jobIn(t.store, "Ready", { priority: 9 }, 2_000);
    const readyMid = await jobIn(t.store, "Ready", { priority: 5 }, 1_000);
    const pausedHigh = await jobIn(t.store, "Paused", { priority: 8 }, 1_000);
    const pausedLow = await jobIn(t.store, "Paused", { priority: 2 }, 1_000);
    const pausedLowest = await jobIn(t.store, "Paused", { priority: 1 }, 500);
    const active = await jobIn(t.store, "Active", { priority: 3 }, 1_000);
    const pausing = await jobIn(t.store, "Pausing", { priority: 4 }, 1_000);
    for (const other of ["New", "Preparing", "Suspended", "Completing", "Cancelling", "Complete"] as const) {
      await jobIn(t.store, other, { priority: 100 }, 1_000);
    }
    const states = await schedulableJobStates(t.db, 2);
    assert.deepEqual(ids(states), [
      readyHighOld.jobId,
      readyHighNew.jobId,
      pausedHigh.jobId,
      pausing.jobId,
      active.jobId,
      pausedLow.jobId,
    ]);
    for (const left of [readyLow, readyMid, pausedLowest]) assert.ok(!ids(states).includes(left.jobId));
  });

  it("gives the scheduler the plan a look at every job would give, however the jobs stand", async () => {
    const random = lcg(11);
    const contenders: JobStatus[] = ["Ready", "Paused", "Active", "Pausing"];
    for (let i = 0; i < 40; i++) {
      // Few priorities and few creation times: ties are broken by creation time, then job id.
      await jobIn(t.store, contenders[random(4)], { priority: 1 + random(4) }, 1_000 + random(5));
    }
    const everyJob = await jobStatesIn(t.db, contenders);
    for (const slots of [1, 2, 3, 5, 8]) {
      const bounded = await schedulableJobStates(t.db, slots);
      assert.deepEqual(planSchedule(bounded, slots), planSchedule(everyJob, slots), `slots ${slots}`);
    }
  });

  it("reads the same number of rows with a backlog ten times as long", async () => {
    const { store, counter } = countedStore(t.store);
    await many("Active", 2);
    await many("Ready", 20);
    await many("Paused", 20);
    await many("Suspended", 20);
    await many("Complete", 20);
    counter.take();
    await store.schedulableJobStates(3);
    await store.finishingJobStates("me", 5_000, 4);
    await store.suspendedBefore(2_000_000, 10);
    const small = counter.take();

    await many("Ready", 180, 5, 10_000);
    await many("Paused", 180, 5, 10_000);
    await many("Suspended", 180, 5, 10_000);
    await many("Complete", 180, 5, 10_000);
    await many("Cancelling", 50, 5, 10_000);
    counter.take();
    await store.schedulableJobStates(3);
    await store.finishingJobStates("me", 5_000, 4);
    await store.suspendedBefore(2_000_000, 10);
    const large = counter.take();

    // 2 Active + 3 Ready + 3 Paused; no finishing job at first, then 4 of 50; 10 Suspended.
    assert.deepEqual(small, { queries: 8, rows: 2 + 3 + 3 + 0 + 10, largest: 10 });
    assert.deepEqual(large, { queries: 8, rows: 2 + 3 + 3 + 4 + 10, largest: 10 });
  });

  it("hands out the first finishing jobs nobody else is finishing, `limit` at most, in queue order", async () => {
    const [free] = await many("Completing", 1, 5, 1_000);
    const [cancelling] = await many("Cancelling", 1, 7, 1_000);
    const [failing] = await many("Failing", 1, 5, 2_000);
    const [mine] = await many("Completing", 1, 5, 3_000);
    const [expired] = await many("Cancelling", 1, 5, 4_000);
    const [theirs] = await many("Failing", 1, 9, 1_000);
    await many("Active", 3, 20);
    assert.ok(await t.store.claimPhase(mine, "Completing", "me", 1_000, 10_000));
    assert.ok(await t.store.claimPhase(expired, "Cancelling", "dead", 1_000, 1_000));
    assert.ok(await t.store.claimPhase(theirs, "Failing", "other", 1_000, 10_000));

    const now = 5_000;
    assert.deepEqual(ids(await finishingJobStates(t.db, "me", now, 10)), [cancelling, free, failing, mine, expired]);
    assert.deepEqual(ids(await finishingJobStates(t.db, "me", now, 2)), [cancelling, free]);
    assert.deepEqual(
      ids(await finishingJobStates(t.db, "other", now, 10)),
      [theirs, cancelling, free, failing, expired],
      "the other engine sees its own job, not mine",
    );
  });

  it("reads the named jobs' states, leaving out the missing ones", async () => {
    const [a, b] = await many("Active", 2);
    const [c] = await many("Cancelling", 1, 9);
    await many("Ready", 5);
    assert.deepEqual(ids(await jobStatesOf(t.db, [a, c, "no-such-job", b])), [c, a, b]);
    assert.deepEqual(await jobStatesOf(t.db, []), []);
    const { store, counter } = countedStore(t.store);
    counter.take();
    await store.jobStatesOf([]);
    assert.equal(counter.take().queries, 0, "no names, no query");
  });

  it("hands out the Suspended jobs suspended before a time, oldest first, `limit` at most", async () => {
    const old = await many("Suspended", 3, 5, 1_000);
    const recent = await many("Suspended", 2, 5, 9_000);
    const confirmed = await jobIn(t.store, "Suspended", {}, 500);
    await t.store.transition(confirmed.jobId, "Suspended", "Ready", 600);
    assert.deepEqual(ids(await suspendedBefore(t.db, 5_000, 10)), old);
    assert.deepEqual(ids(await suspendedBefore(t.db, 5_000, 2)), old.slice(0, 2));
    assert.deepEqual(ids(await suspendedBefore(t.db, 1_000, 10)), [], "suspended at exactly the time: not before it");
    assert.deepEqual(ids(await suspendedBefore(t.db, 20_000, 10)), [...old, ...recent]);
  });

  it("orders across statuses as the scheduler ranks", () => {
    const state = (jobId: string, priority: number, creationTime: number) =>
      ({ jobId, priority, creationTime }) as JobState;
    const sorted = [state("b", 1, 5), state("a", 1, 5), state("c", 9, 7), state("d", 1, 2)].sort(byQueueOrder);
    assert.deepEqual(ids(sorted), ["c", "d", "a", "b"]);
  });

  it("serves every read from an index: no scan of the jobs table, no sort", async () => {
    await many("Ready", 5);
    await many("Suspended", 5);
    const plans = [
      ...(await plansOf(t.store, (db) => schedulableJobStates(db, 3))),
      ...(await plansOf(t.store, (db) => finishingJobStates(db, "me", 5_000, 4))),
      ...(await plansOf(t.store, (db) => jobStatesOf(db, ["a", "b"]))),
      ...(await plansOf(t.store, (db) => suspendedBefore(db, 5_000, 10))),
    ];
    assert.equal(plans.length, 4 + 3 + 1 + 1);
    for (const plan of plans) assert.equal(unindexed(plan), undefined, plan);
  });
});
