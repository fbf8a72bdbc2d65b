/**
 * Job events (D34) on real SQLite and PostgreSQL: every change of a job writes exactly one event in its own
 * transaction (a change that does not happen, or is rolled back, writes none), a deleted job's events go with it
 * and leave one job.deleted, events past retention are purged below a horizon readers can see, and on
 * PostgreSQL a tail of `id > last` read while many connections write misses no event.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { sql } from "kysely";
import type { JobEvent } from "../../../src/domain/job-event.js";
import { recordEvents } from "../../../src/store/events/record-events.js";
import type { JobStore } from "../../../src/store/job-store.js";
import { newJob } from "../../helpers/stores.js";
import { database, describeOnPostgres, describeOnStores } from "../helpers.js";

/** Every event of the job, oldest first. */
async function eventsOf(store: JobStore, jobId: string, accountId = "acct-1"): Promise<JobEvent[]> {
  return store.readScopeEvents({ accountId, jobId }, 0, Number.MAX_SAFE_INTEGER, 1_000);
}

const summary = (events: readonly JobEvent[]) =>
  events.map((e) => `${e.type}:${e.status}${e.payload.from ? ` ${e.payload.from}->${e.payload.to}` : ""}`);

describeOnStores("job events", (t) => {
  it("writes exactly one event per change, in order, with the job's status and counts after it", async () => {
    const job = newJob({ confirmationRequired: true }, { creationTime: 1_000 });
    await t.store.insertJob(job);
    const [claimed] = await t.store.claimNextPreparations("New", "me", 2_000, 60_000, 1);
    assert.equal(claimed?.jobId, job.jobId);
    assert.equal(
      await t.store.finishPreparation(
        job.jobId,
        "me",
        { totalTasks: 7, manifestEtag: "e", suspendedCause: "c" },
        3_000,
      ),
      "Suspended",
    );
    assert.ok(await t.store.transition(job.jobId, "Suspended", "Ready", 4_000, { statusUpdateReason: "go" }));
    await t.store.updatePriority(job.jobId, 42, 4_500);
    await t.store.updateDescription(job.jobId, "new words", 4_600);
    await t.store.setTags(job.jobId, [{ key: "k", value: "v" }], 4_700);
    assert.ok(await t.store.transition(job.jobId, "Ready", "Paused", 5_000, { hold: true, statusUpdateReason: "u" }));
    assert.ok(await t.store.setHeld(job.jobId, false, "Resumed by the user", 6_000));
    assert.ok(await t.store.transition(job.jobId, "Paused", "Active", 7_000));
    assert.ok(await t.store.transition(job.jobId, "Active", "Cancelling", 8_000));
    assert.ok(await t.store.transition(job.jobId, "Cancelling", "Cancelled", 9_000));

    const events = await eventsOf(t.store, job.jobId);
    assert.deepEqual(summary(events), [
      "job.created:New",
      "job.status:Preparing New->Preparing",
      "job.status:Suspended Preparing->Suspended",
      "job.status:Ready Suspended->Ready",
      "job.priority:Ready",
      "job.description:Ready",
      "job.tags:Ready",
      "job.status:Paused Ready->Paused",
      "job.user_resumed:Paused",
      "job.status:Active Paused->Active",
      "job.status:Cancelling Active->Cancelling",
      "job.status:Cancelled Cancelling->Cancelled",
    ]);
    const ids = events.map((e) => e.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      "ids increase",
    );
    assert.deepEqual(
      events.map((e) => e.time.getTime()),
      [1_000, 2_000, 3_000, 4_000, 4_500, 4_600, 4_700, 5_000, 6_000, 7_000, 8_000, 9_000],
      "the store's clock",
    );
    assert.equal(events[3].payload.reason, "go");
    assert.deepEqual(events[3].payload.counts, { total: 7, succeeded: 0, failed: 0 });
    assert.equal(events[4].payload.priority, 42);
    assert.equal(events[5].payload.description, "new words");
    assert.deepEqual(events[6].payload.tags, [{ key: "k", value: "v" }]);
    assert.equal(events[7].payload.pausedByUser, true);
    assert.equal(events[8].payload.pausedByUser, false);
    assert.ok(events.every((e) => e.accountId === "acct-1" && e.jobId === job.jobId));
  });

  it("writes a confirmation while Preparing, and the preparer's move to Ready after it", async () => {
    const job = newJob({ confirmationRequired: true });
    await t.store.insertJob(job);
    await t.store.claimNextPreparations("New", "me", 2_000, 60_000, 1);
    assert.ok(await t.store.markConfirmed(job.jobId, "early", 2_500));
    await t.store.finishPreparation(job.jobId, "me", { totalTasks: 1, manifestEtag: null, suspendedCause: "c" }, 3_000);
    assert.deepEqual(summary((await eventsOf(t.store, job.jobId)).slice(2)), [
      "job.confirmed:Preparing",
      "job.status:Ready Preparing->Ready",
    ]);
  });

  it("writes nothing for a change that does not happen or is rolled back", async () => {
    const job = newJob();
    await t.store.insertJob(job);
    const before = (await t.store.readEventLogBounds()).latest;
    assert.equal(await t.store.transition(job.jobId, "Ready", "Active", 2_000), false, "not Ready");
    await assert.rejects(t.store.transition(job.jobId, "New", "Complete", 2_000));
    assert.equal(await t.store.markConfirmed(job.jobId, undefined, 2_000), false, "not Preparing");
    assert.equal(await t.store.setHeld(job.jobId, true, "x", 2_000), false, "not Pausing or Paused");
    assert.equal(await t.store.deleteTerminalJob(job.jobId, 2_000), false, "not finished");
    assert.equal(await t.store.updatePriority("no-such-job", 1, 2_000), false);
    assert.equal(await t.store.setTags("no-such-job", [], 2_000), false);
    // A create refused by the unique key rolls back its event with its row.
    await assert.rejects(t.store.insertJob({ ...newJob({ clientRequestToken: job.spec.clientRequestToken }) }));
    assert.equal((await t.store.readEventLogBounds()).latest, before, "no event written");
    assert.deepEqual(summary(await eventsOf(t.store, job.jobId)), ["job.created:New"]);
  });

  it("writes the events of a group commit's creates, and none for a duplicate or a capped one", async () => {
    const account = `acct-cap-${t.dialect}`;
    const jobs = [0, 1, 2].map(() => newJob({ accountId: account }));
    const dup = newJob({ accountId: account, clientRequestToken: jobs[0].spec.clientRequestToken });
    const outcomes = await Promise.all([...jobs, dup].map((j) => t.store.insertJobUnderCap(j, 2).catch(() => "dup")));
    assert.deepEqual(outcomes, [true, true, false, false], "the duplicate meets the cap first");
    const events = await t.store.readScopeEvents({ accountId: account }, 0, Number.MAX_SAFE_INTEGER, 100);
    assert.deepEqual(
      events.map((e) => [e.type, e.jobId]),
      [
        ["job.created", jobs[0].jobId],
        ["job.created", jobs[1].jobId],
      ],
    );
  });

  it("deletes a job's events with it and leaves one job.deleted, by a user or by retention", async () => {
    const account = `acct-del-${t.dialect}`;
    const mine = newJob({ accountId: account }, { creationTime: 1_000 });
    const old = newJob({ accountId: account }, { creationTime: 1_000 });
    for (const j of [mine, old]) {
      await t.store.insertJob(j);
      await t.store.transition(j.jobId, "New", "Cancelling", 1_000);
      await t.store.transition(j.jobId, "Cancelling", "Cancelled", 1_000);
    }
    assert.ok(await t.store.deleteTerminalJob(mine.jobId, 5_000));
    assert.ok((await t.store.purgeTerminatedBefore(2_000, undefined, 6_000)) >= 1);
    const events = await t.store.readScopeEvents({ accountId: account }, 0, Number.MAX_SAFE_INTEGER, 100);
    assert.deepEqual(
      events.map((e) => [e.type, e.jobId, e.status, e.payload.deletedBy, e.time.getTime()]),
      [
        ["job.deleted", mine.jobId, "Cancelled", "user", 5_000],
        ["job.deleted", old.jobId, "Cancelled", "retention", 6_000],
      ],
    );
  });

  it("purges events past retention, oldest first, below a horizon readers can see", async () => {
    const job = newJob({}, { creationTime: 10_000_000 });
    await t.store.insertJob(job);
    await t.store.transition(job.jobId, "New", "Preparing", 10_000_100);
    await t.store.transition(job.jobId, "Preparing", "Ready", 20_000_000);
    const [created, preparing, ready] = await eventsOf(t.store, job.jobId);
    // Every event before these (earlier tests') was written at times below 10_000_200 too.
    const old = await countThrough(t.store, preparing.id);
    assert.equal(await t.store.purgeEventsBefore(10_000_200, 10_000), old);
    const bounds = await t.store.readEventLogBounds();
    assert.equal(bounds.purgedThrough, preparing.id, "the horizon is the last purged id");
    assert.ok(bounds.purgedThrough < ready.id);
    assert.equal(bounds.latest >= ready.id, true);
    assert.deepEqual(
      (await eventsOf(t.store, job.jobId)).map((e) => e.id),
      [ready.id],
      `created ${created.id} and preparing ${preparing.id} purged`,
    );
    assert.equal(await t.store.purgeEventsBefore(10_000_200, 10_000), 0, "nothing more is old enough");
  });
});

describeOnPostgres("job events, read while many connections write", (t) => {
  it("a tail of id > last misses no event (PostgreSQL: ids commit in order)", async () => {
    const start = (await t.store.readEventLogBounds()).latest;
    const jobs = Array.from({ length: 40 }, () => newJob({ accountId: "acct-race" }));
    const PATH = ["New", "Preparing", "Ready", "Active", "Completing", "Complete"] as const;
    let writing = true;
    const writers = (async () => {
      await Promise.all(
        jobs.map(async (job) => {
          await t.store.insertJob(job);
          for (let i = 1; i < PATH.length; i++) {
            assert.ok(await t.store.transition(job.jobId, PATH[i - 1], PATH[i], 1_000 + i));
          }
        }),
      );
      writing = false;
    })();
    const seen: number[] = [];
    let cursor = start;
    const tail = async () => {
      const batch = await t.store.readEventsAfter(cursor, 7);
      for (const e of batch) seen.push(e.id);
      if (batch.length > 0) cursor = batch[batch.length - 1].id;
      return batch.length;
    };
    while (writing) await tail();
    await writers;
    while ((await tail()) > 0) {}
    const stored = (await t.store.readEventsAfter(start, 100_000)).map((e) => e.id);
    assert.equal(stored.length, jobs.length * PATH.length);
    assert.deepEqual(seen, stored, "the tail read every event, in id order, none skipped");
  });
});

describeOnPostgres("job event ids", (t) => {
  it("commit in the order they were drawn: a writer waits for the one before it to commit", async () => {
    const db = database(t.store);
    const job = newJob({ accountId: "acct-order" });
    await t.store.insertJob(job);
    const start = (await t.store.readEventLogBounds()).latest;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let drawn = () => {};
    const first = new Promise<void>((resolve) => {
      drawn = resolve;
    });
    // The first writer has drawn its id and not committed.
    const t1 = db.transaction().execute(async (trx) => {
      await recordEvents(trx, "postgres", [
        { accountId: "acct-order", jobId: job.jobId, type: "job.priority", status: "New", payload: {}, time: 1 },
      ]);
      drawn();
      await held;
    });
    await first;
    const lastDrawn = async () =>
      (await sql<{ n: number }>`select last_value::int as n from job_events_id_seq`.execute(db)).rows[0].n;
    const drawnByFirst = await lastDrawn();
    const t2 = t.store.transition(job.jobId, "New", "Preparing", 2_000);
    // The second waits for the event lock (it would otherwise commit a larger id first, and a tail would pass
    // over the first one's).
    const deadline = Date.now() + 30_000;
    for (;;) {
      assert.ok(Date.now() < deadline, "the second writer never waited for the event lock");
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted`.execute(db);
      if (rows[0].n > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await t.store.readEventsAfter(start, 10), [], "nothing committed past the open writer");
    assert.equal(await lastDrawn(), drawnByFirst, "the waiting writer has drawn no id: ids are drawn under the lock");
    release();
    await t1;
    assert.equal(await t2, true);
    const tail = await t.store.readEventsAfter(start, 10);
    assert.deepEqual(
      tail.map((e) => e.type),
      ["job.priority", "job.status"],
    );
    assert.ok(tail[0].id < tail[1].id);
  });
});

/** How many events there are with ids up to `id`. */
async function countThrough(store: JobStore, id: number): Promise<number> {
  return (await store.readEventsAfter(0, 100_000)).filter((e) => e.id <= id).length;
}
