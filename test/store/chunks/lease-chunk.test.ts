/**
 * store/chunks/lease-chunk.ts on real SQLite and PostgreSQL: chunks are leased in order, each to exactly one of
 * many workers, a chunk whose lease expired (its worker died) is leased again, and no chunk of a job that is not
 * Active is ever leased (D32), however the lease and the job's move out of Active meet on PostgreSQL.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { type Kysely, sql } from "kysely";
import type { JobStatus } from "../../../src/domain/status.js";
import { leaseChunk } from "../../../src/store/chunks/lease-chunk.js";
import { transitionJob } from "../../../src/store/jobs/transition-job.js";
import type { Database } from "../../../src/store/schema.js";
import { waitFor } from "../../helpers/held-sockets.js";
import { byteRangePlans, database, describeOnPostgres, describeOnStores, jobIn } from "../helpers.js";
import { plansOf, unindexed } from "../query-plans.js";

const NOT_ACTIVE: readonly JobStatus[] = [
  "New",
  "Preparing",
  "Suspended",
  "Ready",
  "Pausing",
  "Paused",
  "Completing",
  "Complete",
  "Cancelling",
  "Cancelled",
  "Failing",
  "Failed",
];

/** The chunk's lease as its row holds it. */
async function leaseOf(db: Kysely<Database>, jobId: string, seq: number) {
  const row = await db
    .selectFrom("chunks")
    .select(["state", "lease_token", "attempts"])
    .where("job_id", "=", jobId)
    .where("seq", "=", seq)
    .executeTakeFirstOrThrow();
  return { state: row.state, token: row.lease_token, attempts: Number(row.attempts) };
}

/** Statements of this database waiting for a row lock now (PostgreSQL). */
async function lockWaits(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from pg_stat_activity
     where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
  return Number(rows[0]!.n);
}

describeOnStores("leaseChunk", (t) => {
  it("leases each chunk to exactly one of many concurrent workers", async () => {
    const job = await jobIn(t.store, "Active");
    const plans = Array.from({ length: 40 }, (_, i) => ({
      seq: i,
      startByte: i * 10,
      endByte: i * 10 + 10,
      firstRecord: i * 2,
      records: 2,
    }));
    await t.store.insertChunks(job.jobId, plans);
    const leased: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const c = await leaseChunk(t.db, t.dialect, job.jobId, randomUUID(), 100, 60_000);
          if (!c) return;
          leased.push(c.seq);
        }
      }),
    );
    assert.equal(leased.length, 40);
    assert.equal(new Set(leased).size, 40);
    const counts = await t.store.countChunks(job.jobId, 100);
    assert.deepEqual(counts, { pending: 0, running: 40, stale: 0, done: 0, skipped: 0 });
  });

  it("leases in order, and takes over a lease only once it has expired", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(2));
    const a = (await leaseChunk(t.db, t.dialect, job.jobId, "a", 1_000, 500))!;
    const b = (await leaseChunk(t.db, t.dialect, job.jobId, "b", 1_000, 500))!;
    assert.deepEqual([a.seq, b.seq], [0, 1]);
    assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "c", 1_500, 500), undefined, "both leases still run");
    const c = (await leaseChunk(t.db, t.dialect, job.jobId, "c", 1_501, 500))!;
    assert.deepEqual([c.seq, c.leaseToken, c.attempts], [0, "c", 2]);
    assert.equal((await leaseChunk(t.db, t.dialect, job.jobId, "d", 1_501, 500))?.seq, 1);
    assert.equal(await leaseChunk(t.db, t.dialect, "no-such-job", "e", 1_501, 500), undefined);
  });
  it("leases no chunk of a job in any status but Active", async () => {
    for (const status of NOT_ACTIVE) {
      const job = await jobIn(t.store, status);
      await t.store.insertChunks(job.jobId, byteRangePlans(2));
      assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "l", 2_000, 500), undefined, status);
      assert.deepEqual(await leaseOf(t.db, job.jobId, 0), { state: "pending", token: null, attempts: 0 }, status);
    }
  });

  it("leases nothing while a user holds the job paused, and again once it is Active", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(3));
    assert.equal((await leaseChunk(t.db, t.dialect, job.jobId, "a", 2_000, 60_000))?.seq, 0);
    assert.ok(await t.store.transition(job.jobId, "Active", "Pausing", 2_100, { hold: true }));
    assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "b", 2_200, 60_000), undefined, "Pausing");
    assert.ok(await t.store.transition(job.jobId, "Pausing", "Paused", 2_300));
    assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "b", 2_400, 60_000), undefined, "Paused, held");
    assert.ok(await t.store.setHeld(job.jobId, false, "Resumed by the user", 2_500));
    assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "b", 2_600, 60_000), undefined, "resumed, not Active");
    assert.ok(await t.store.transition(job.jobId, "Paused", "Active", 2_700));
    assert.equal((await leaseChunk(t.db, t.dialect, job.jobId, "b", 2_800, 60_000))?.seq, 1);
    assert.equal((await leaseChunk(t.db, t.dialect, job.jobId, "c", 2_800, 60_000))?.seq, 2);
  });

  it("takes over no expired lease of a job that is not Active", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(1));
    assert.equal((await leaseChunk(t.db, t.dialect, job.jobId, "died", 2_000, 500))?.seq, 0);
    assert.ok(await t.store.transition(job.jobId, "Active", "Pausing", 2_100));
    assert.equal(await leaseChunk(t.db, t.dialect, job.jobId, "late", 5_000, 500), undefined);
    assert.deepEqual(await leaseOf(t.db, job.jobId, 0), { state: "leased", token: "died", attempts: 1 });
    assert.ok(await t.store.transition(job.jobId, "Pausing", "Active", 5_100));
    const taken = (await leaseChunk(t.db, t.dialect, job.jobId, "late", 5_200, 500))!;
    assert.deepEqual([taken.seq, taken.leaseToken, taken.attempts], [0, "late", 2]);
  });

  it("checks the job with one index lookup, once, before it looks for a chunk", async () => {
    const job = await jobIn(t.store, "Active");
    const [plan] = await plansOf(t.store, (db) => leaseChunk(db, t.dialect, job.jobId, "p", 2_000, 500));
    assert.equal(unindexed(plan!), undefined, plan);
    if (t.dialect === "postgres") {
      // An uncorrelated subquery: evaluated once, gating the scan of chunks, so the job's row is locked first.
      assert.match(plan!, /Index (Only )?Scan using \w+ on jobs/, plan);
      assert.match(plan!, /One-Time Filter/, plan);
    } else {
      assert.match(plan!, /SEARCH jobs USING/, plan);
    }
  });
});

// SQLite has one writer: a lease cannot meet a move there, so these are PostgreSQL's alone.
describeOnPostgres("leaseChunk meeting a move out of Active", (t) => {
  it("waits for a move out of Active in flight, then leases nothing", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(1));
    const db = database(t.store);
    let lease: Promise<unknown> | undefined;
    await db.transaction().execute(async (trx) => {
      // What transitionJob does: lock the job's row, then move it; held open while a lease comes.
      await trx.selectFrom("jobs").select("status").where("job_id", "=", job.jobId).forUpdate().execute();
      await trx.updateTable("jobs").set({ status: "Pausing" }).where("job_id", "=", job.jobId).execute();
      lease = leaseChunk(db, t.dialect, job.jobId, "raced", 2_000, 60_000);
      await waitFor(async () => (await lockWaits(db)) === 1, "the lease waiting for the job's row");
    });
    assert.equal(await lease, undefined, "the lease saw the committed Pausing");
    assert.deepEqual(await leaseOf(db, job.jobId, 0), { state: "pending", token: null, attempts: 0 });
  });

  it("holds a move out of Active until a lease in flight is done, but not the recording of chunks", async () => {
    const job = await jobIn(t.store, "Active");
    await t.store.insertChunks(job.jobId, byteRangePlans(2));
    const first = (await leaseChunk(t.db, t.dialect, job.jobId, "first", 2_000, 60_000))!;
    const db = database(t.store);
    let move: Promise<boolean> | undefined;
    await db.transaction().execute(async (trx) => {
      assert.equal((await leaseChunk(trx, t.dialect, job.jobId, "second", 2_000, 60_000))?.seq, 1);
      const results = { succeeded: 1, failed: 0, succeededRows: null, failedRows: null };
      assert.ok(await t.store.completeChunk(job.jobId, first.seq, first.leaseToken, results, 2_100), "not held");
      move = transitionJob(db, t.dialect, job.jobId, "Active", "Cancelling", 2_200);
      await waitFor(async () => (await lockWaits(db)) === 1, "the move waiting for the lease");
    });
    assert.equal(await move, true);
    assert.equal((await t.store.getJob(job.jobId))?.status, "Cancelling");
    assert.deepEqual(await leaseOf(db, job.jobId, 1), { state: "leased", token: "second", attempts: 1 });
  });
});
