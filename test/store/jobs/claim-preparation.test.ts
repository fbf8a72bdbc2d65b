/**
 * store/jobs/claim-preparation.ts on real SQLite and PostgreSQL: the next job to prepare is taken in queue
 * order with its claim in one statement; a Preparing job is taken over only once its preparer's claim ran out;
 * and on PostgreSQL, engines claiming at once take different jobs, a row locked by one never holding up another
 * (SKIP LOCKED).
 */
import assert from "node:assert/strict";
import { beforeEach, it } from "node:test";
import { openPostgres } from "../../../src/store/connect.js";
import { JobStore } from "../../../src/store/job-store.js";
import { claimNextPreparation } from "../../../src/store/jobs/claim-preparation.js";
import { postgresTestStore } from "../../helpers/stores.js";
import { database, describeOnStores, jobIn } from "../helpers.js";
import { countedStore } from "../query-counter.js";
import { plansOf, unindexed } from "../query-plans.js";

describeOnStores("claimNextPreparation", (t) => {
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
      const job = await claimNextPreparation(t.db, t.dialect, "New", "me", 5_000, 1_000);
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
    const first = await claimNextPreparation(t.db, t.dialect, "Preparing", "me", now, 1_000);
    const second = await claimNextPreparation(t.db, t.dialect, "Preparing", "me", now, 1_000);
    assert.deepEqual([first?.jobId, second?.jobId], [expired.jobId, unheld.jobId]);
    assert.equal(await claimNextPreparation(t.db, t.dialect, "Preparing", "me", now, 1_000), undefined);
    assert.deepEqual((await t.store.getJobState(held.jobId))?.phaseClaim, { owner: "alive", expires: 11_000 });
    assert.deepEqual((await t.store.getJobState(expired.jobId))?.phaseClaim, { owner: "me", expires: 6_000 });
  });

  it("costs one statement and one row however long the queue, and its event (D34)", async () => {
    const { store, counter } = countedStore(t.store);
    for (let i = 0; i < 200; i++) await jobIn(t.store, "New", {}, 1_000 + i);
    counter.take();
    await store.claimNextPreparation("New", "me", 5_000, 1_000);
    // The claim, then its job.status event (on PostgreSQL the event-order lock is taken in the same statement, D34).
    assert.deepEqual(counter.take(), { queries: 2, rows: 1, largest: 1 });
    const [plan] = await plansOf(t.store, (db) => claimNextPreparation(db, t.dialect, "New", "me", 5_000, 1_000));
    assert.equal(unindexed(plan), undefined, plan);
  });

  it("hands each job to exactly one of many claims at once", async () => {
    const jobs = new Set<string>();
    for (let i = 0; i < 12; i++) jobs.add((await jobIn(t.store, "New", {}, 1_000 + (i % 3))).jobId);
    const claims = await Promise.all(
      Array.from({ length: 16 }, (_, i) => claimNextPreparation(t.db, t.dialect, "New", `w${i}`, 5_000, 1_000)),
    );
    const taken = claims.flatMap((c) => (c ? [c.jobId] : []));
    assert.equal(new Set(taken).size, taken.length, "no job taken twice");
    for (const jobId of taken) assert.ok(jobs.has(jobId));
    if (t.name === "postgres") assert.equal(taken.length, 12, "SKIP LOCKED: a locked row sends a claim to the next");
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
      const job = await other.claimNextPreparation("New", "second", 5_000, 1_000);
      assert.equal(job?.jobId, b.jobId, "the locked first job is skipped, not waited for");
    });

    const backlog = new Set<string>();
    for (let i = 0; i < 40; i++) backlog.add((await jobIn(pg.store, "New", {}, 2_000 + i)).jobId);
    backlog.add(a.jobId);
    const drain = async (store: JobStore, owner: string) => {
      const taken: string[] = [];
      for (;;) {
        const job = await store.claimNextPreparation("New", owner, 5_000, 1_000);
        if (!job) return taken;
        taken.push(job.jobId);
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
