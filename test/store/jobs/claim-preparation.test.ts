/**
 * store/jobs/claim-preparation.ts on real SQLite and PostgreSQL: the next jobs to prepare are taken in queue
 * order with their claims in one statement, a batch of them as one; a Preparing job is taken over only once its
 * preparer's claim ran out; and on PostgreSQL, engines claiming at once take different jobs, a row locked by one
 * never holding up another (SKIP LOCKED).
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import type { Job } from "../../../src/domain/job.js";
import { openPostgres } from "../../../src/store/connect.js";
import type { JobStore as Store } from "../../../src/store/job-store.js";
import { JobStore } from "../../../src/store/job-store.js";
import { claimNextPreparations } from "../../../src/store/jobs/claim-preparation.js";
import { postgresTestStore } from "../../helpers/stores.js";
import { database, describeOnStores, jobIn } from "../helpers.js";
import { countedStore } from "../query-counter.js";
import { plansOf, unindexed } from "../query-plans.js";

/** One job, as the engine claims it when it has room for one. */
async function claimOne(store: Store, from: "New" | "Preparing", owner: string, now: number): Promise<Job | undefined> {
  const [job] = await store.claimNextPreparations(from, owner, now, 1_000, 1);
  return job;
}

describeOnStores("claimNextPreparations", (t) => {
  beforeEach(async () => {
    await t.db.deleteFrom("jobs").execute();
  });

  it("takes the New jobs in queue order, each once, with the claim, then none", async () => {
    const low = await jobIn(t.store, "New", { priority: 1 }, 1_000);
    const highNew = await jobIn(t.store, "New", { priority: 9 }, 3_000);
    const highOld = await jobIn(t.store, "New", { priority: 9 }, 2_000);
    await jobIn(t.store, "Suspended", { priority: 50 });
    await jobIn(t.store, "Ready", { priority: 50 });
    const taken: string[] = [];
    for (;;) {
      const job = await claimOne(t.store, "New", "me", 5_000);
      if (!job) break;
      assert.equal(job.status, "Preparing");
      assert.equal(job.description, undefined, "the whole job is handed back");
      assert.equal(job.operation.kind, "DeleteObject");
      assert.deepEqual((await t.store.getJobState(job.jobId))?.phaseClaim, { owner: "me", expires: 6_000 });
      taken.push(job.jobId);
    }
    assert.deepEqual(taken, [highOld.jobId, highNew.jobId, low.jobId]);
  });

  it("takes over a Preparing job only when nobody holds it or its claim ran out", async () => {
    const held = await jobIn(t.store, "Preparing", { priority: 9 }, 1_000);
    const expired = await jobIn(t.store, "Preparing", { priority: 5 }, 1_000);
    const unheld = await jobIn(t.store, "Preparing", { priority: 1 }, 1_000);
    await jobIn(t.store, "New", { priority: 100 });
    assert.ok(await t.store.claimPhase(held.jobId, "Preparing", "alive", 1_000, 10_000));
    assert.ok(await t.store.claimPhase(expired.jobId, "Preparing", "dead", 1_000, 1_000));
    const now = 5_000;
    const first = await claimOne(t.store, "Preparing", "me", now);
    const second = await claimOne(t.store, "Preparing", "me", now);
    assert.deepEqual([first?.jobId, second?.jobId], [expired.jobId, unheld.jobId]);
    assert.equal(await claimOne(t.store, "Preparing", "me", now), undefined);
    assert.deepEqual((await t.store.getJobState(held.jobId))?.phaseClaim, { owner: "alive", expires: 11_000 });
    assert.deepEqual((await t.store.getJobState(expired.jobId))?.phaseClaim, { owner: "me", expires: 6_000 });
  });

  it("costs one statement and one row a job however long the queue, and one insert of their events (D34)", async () => {
    const { store, counter } = countedStore(t.store);
    const queue: string[] = [];
    for (let i = 0; i < 200; i++) queue.push((await jobIn(t.store, "New", {}, 1_000 + i)).jobId);
    counter.take();
    const [one] = await store.claimNextPreparations("New", "me", 5_000, 1_000, 1);
    // The claim, then its job.status event (on PostgreSQL the event-order lock is taken in the same statement, D34).
    assert.deepEqual(counter.take(), { queries: 2, rows: 1, largest: 1 });
    assert.equal(one?.jobId, queue[0]);
    // A batch costs the same two statements: 16 jobs claimed in queue order, their 16 events in one insert.
    const batch = await store.claimNextPreparations("New", "me", 5_000, 1_000, 16);
    assert.deepEqual(counter.take(), { queries: 2, rows: 16, largest: 16 });
    assert.deepEqual(
      batch.map((j) => j.jobId),
      queue.slice(1, 17),
    );
    assert.ok(batch.every((j) => j.status === "Preparing"));
    for (const job of batch) {
      const events = await t.store.readScopeEvents({ accountId: job.accountId, jobId: job.jobId }, 0, 1e15, 10);
      const moves = events.filter((e) => e.type === "job.status").map((e) => `${e.payload.from}->${e.payload.to}`);
      assert.deepEqual(moves, ["New->Preparing"], "each claimed job has its own event");
    }
    const [plan] = await plansOf(t.store, (db) => claimNextPreparations(db, t.dialect, "New", "me", 5_000, 1_000, 16));
    assert.equal(unindexed(plan), undefined, plan);
  });

  it("hands each job to exactly one of many claims at once", async () => {
    const jobs = new Set<string>();
    for (let i = 0; i < 12; i++) jobs.add((await jobIn(t.store, "New", {}, 1_000 + (i % 3))).jobId);
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => claimNextPreparations(t.db, t.dialect, "New", `w${i}`, 5_000, 1_000, 2)),
    );
    const taken = claims.flat().map((c) => c.jobId);
    assert.equal(new Set(taken).size, taken.length, "no job taken twice");
    for (const jobId of taken) assert.ok(jobs.has(jobId));
    if (t.name === "postgres") assert.equal(taken.length, 12, "SKIP LOCKED: a locked row sends a claim to the next");
    for (const c of claims) assert.ok(c.length <= 2, "no claim takes more than its limit");
  });
});

it("PostgreSQL: a claim skips a row another transaction holds, and two engines take different jobs", {
  timeout: 60_000,
}, async () => {
  const pg = await postgresTestStore();
  const other = new JobStore(await openPostgres(pg.url, 4));
  try {
    const a = await jobIn(pg.store, "New", { priority: 9 }, 1_000);
    const b = await jobIn(pg.store, "New", { priority: 5 }, 1_000);
    const db = database(pg.store);
    // Another engine's claim is under way: it holds the first job's row in an open transaction.
    await db.transaction().execute(async (trx) => {
      await trx.selectFrom("jobs").select("job_id").where("job_id", "=", a.jobId).forUpdate().execute();
      const job = await claimOne(other, "New", "second", 5_000);
      assert.equal(job?.jobId, b.jobId, "the locked first job is skipped, not waited for");
    });

    const backlog = new Set<string>();
    for (let i = 0; i < 40; i++) backlog.add((await jobIn(pg.store, "New", {}, 2_000 + i)).jobId);
    backlog.add(a.jobId);
    const drain = async (store: JobStore, owner: string) => {
      const taken: string[] = [];
      for (;;) {
        // Batches of three, as an engine with room for three claims them.
        const jobs = await store.claimNextPreparations("New", owner, 5_000, 1_000, 3);
        if (jobs.length === 0) return taken;
        taken.push(...jobs.map((j) => j.jobId));
      }
    };
    const [first, second] = await Promise.all([drain(pg.store, "first"), drain(other, "second")]);
    const all = [...first, ...second];
    assert.equal(new Set(all).size, all.length, "no job taken by both");
    assert.deepEqual(new Set(all), backlog, "every job taken: neither engine stopped while jobs were left");
    assert.ok(first.length > 0 && second.length > 0, "both engines took jobs");
  } finally {
    await other.close();
    await pg.dispose();
  }
});
