/**
 * store/jobs/insert-job.ts on real SQLite and PostgreSQL: a new job starts New with nothing counted, a token is
 * used once per account, and the cap on unfinished jobs holds even when creates race.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from "kysely";
import { DuplicateTokenError } from "../../../src/store/errors.js";
import type { NewJob } from "../../../src/store/job-row.js";
import { insertJob, insertJobsUnderCap } from "../../../src/store/jobs/insert-job.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

/** Counts the statements the store ran (one result each; a UNION's parts are one statement). */
class StatementCounter implements KyselyPlugin {
  statements = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    this.statements++;
    return args.result;
  }
  take(): number {
    const n = this.statements;
    this.statements = 0;
    return n;
  }
}

describeOnStores("insertJob", (t) => {
  it("stores a New job with nothing counted, confirmed unless confirmation is required", async () => {
    const job = newJob({ description: "d", tags: [{ key: "k", value: "v" }] }, { creationTime: 5_000 });
    await insertJob(t.db, t.dialect, job);
    const got = await t.store.getJob(job.jobId, 5_000);
    assert.equal(got?.status, "New");
    assert.equal(got?.description, "d");
    assert.deepEqual(got?.tags, [{ key: "k", value: "v" }]);
    assert.deepEqual(got?.progress, { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 });
    assert.deepEqual(got?.failureReasons, []);
    assert.equal(got?.creationTime.getTime(), 5_000);
    assert.equal((await t.store.getJobState(job.jobId))?.confirmed, true);

    const unconfirmed = newJob({ confirmationRequired: true });
    await insertJob(t.db, t.dialect, unconfirmed);
    assert.equal((await t.store.getJobState(unconfirmed.jobId))?.confirmed, false);
    const row = await rawJobRow(t.store, unconfirmed.jobId);
    assert.equal(row?.updated_time, 1_000, "updated when created");
  });

  it("refuses a second job with the same token in the same account only", async () => {
    const token = randomUUID();
    await insertJob(t.db, t.dialect, newJob({ clientRequestToken: token }));
    await assert.rejects(insertJob(t.db, t.dialect, newJob({ clientRequestToken: token })), DuplicateTokenError);
    await insertJob(t.db, t.dialect, newJob({ clientRequestToken: token, accountId: "acct-other" }));
    assert.ok(await t.store.findByToken("acct-1", token));
  });

  const underCap = (job: NewJob, cap: number) => insertJobsUnderCap(t.db, t.dialect, [{ job, cap }]).then(([o]) => o);

  it("inserts under the cap until the account has that many unfinished jobs; finished ones do not count", async () => {
    const accountId = `cap-${randomUUID()}`;
    const done = await jobIn(t.store, "Cancelled", { accountId });
    assert.equal(await underCap(newJob({ accountId }), 2), "inserted");
    assert.equal(await underCap(newJob({ accountId }), 2), "inserted");
    assert.equal(await underCap(newJob({ accountId }), 2), "capped", "the cap is reached");
    assert.equal(await t.store.countUnfinished(accountId), 2);
    assert.ok(await t.store.getJob(done.jobId), "the finished job is still there, uncounted");
    const token = randomUUID();
    assert.equal(await underCap(newJob({ accountId: "other", clientRequestToken: token }), 5), "inserted");
    assert.equal(await underCap(newJob({ accountId: "other", clientRequestToken: token }), 5), "duplicate");
  });

  it("decides a batch in order, per account, and a duplicate takes no room under the cap", async () => {
    const a = `batch-a-${randomUUID()}`;
    const b = `batch-b-${randomUUID()}`;
    const token = randomUUID();
    const jobs = [
      newJob({ accountId: a, clientRequestToken: token }),
      newJob({ accountId: b }),
      newJob({ accountId: a, clientRequestToken: token }), // the same token again, in the same batch
      newJob({ accountId: a }),
      newJob({ accountId: a }), // a's third distinct job: over its cap of 2
      newJob({ accountId: b }),
    ];
    const outcomes = await insertJobsUnderCap(
      t.db,
      t.dialect,
      jobs.map((job) => ({ job, cap: 2 })),
    );
    assert.deepEqual(outcomes, ["inserted", "inserted", "duplicate", "inserted", "capped", "inserted"]);
    assert.equal(await t.store.countUnfinished(a), 2);
    assert.equal(await t.store.countUnfinished(b), 2);
    assert.equal((await t.store.findByToken(a, token))?.jobId, jobs[0]?.jobId);
  });

  it("gives a refused job the room a duplicate left in the same batch", async () => {
    const accountId = `dup-room-${randomUUID()}`;
    const token = randomUUID();
    assert.equal(await underCap(newJob({ accountId, clientRequestToken: token }), 2), "inserted");
    // One room left: the duplicate is admitted first, turns out a duplicate, and the next job gets its room.
    const outcomes = await insertJobsUnderCap(t.db, t.dialect, [
      { job: newJob({ accountId, clientRequestToken: token }), cap: 2 },
      { job: newJob({ accountId }), cap: 2 },
    ]);
    assert.deepEqual(outcomes, ["duplicate", "inserted"]);
    assert.equal(await t.store.countUnfinished(accountId), 2);
  });

  it("counts each account of a batch against its own cap, in as many statements as a batch of one account", async () => {
    const counter = new StatementCounter();
    const counted = t.db.withPlugin(counter);
    const lone = `lone-${randomUUID()}`;
    await insertJobsUnderCap(counted, t.dialect, [{ job: newJob({ accountId: lone }), cap: 3 }]);
    const oneAccount = counter.take();

    // Five accounts with 0..4 unfinished jobs (and a finished one each), three new jobs each, caps of 3.
    const accounts = Array.from({ length: 5 }, (_, i) => `multi-${i}-${randomUUID()}`);
    for (const [i, accountId] of accounts.entries()) {
      await jobIn(t.store, "Complete", { accountId });
      for (let k = 0; k < i; k++) await jobIn(t.store, "Suspended", { accountId });
    }
    const batch = [0, 1, 2].flatMap(() => accounts.map((accountId) => ({ job: newJob({ accountId }), cap: 3 })));
    const outcomes = await insertJobsUnderCap(counted, t.dialect, batch);
    assert.equal(counter.take(), oneAccount, "locks and counts of five accounts are one statement each");
    for (const [i, accountId] of accounts.entries()) {
      const admitted = outcomes.filter((o, k) => batch[k]?.job.spec.accountId === accountId && o === "inserted");
      assert.equal(admitted.length, Math.max(0, 3 - i), `account ${i} had ${i} unfinished`);
      assert.equal(await t.store.countUnfinished(accountId), Math.max(3, i));
    }
    assert.equal(oneAccount, t.dialect === "postgres" ? 4 : 3, "lock (PostgreSQL), count, insert, events");
  });

  it("lets exactly `cap` of many concurrent creates in, whether batched by the store or racing singly", async () => {
    const batched = `race-${randomUUID()}`;
    const viaStore = await Promise.all(
      Array.from({ length: 12 }, () => t.store.insertJobUnderCap(newJob({ accountId: batched }), 5)),
    );
    assert.equal(viaStore.filter(Boolean).length, 5);
    assert.equal(await t.store.countUnfinished(batched), 5);

    const single = `race-${randomUUID()}`;
    const racing = await Promise.all(Array.from({ length: 12 }, () => underCap(newJob({ accountId: single }), 5)));
    assert.equal(racing.filter((o) => o === "inserted").length, 5);
    assert.equal(await t.store.countUnfinished(single), 5);
  });

  it("turns a duplicate into DuplicateTokenError through the store", async () => {
    const token = randomUUID();
    assert.equal(await t.store.insertJobUnderCap(newJob({ clientRequestToken: token }), 1_000), true);
    await assert.rejects(t.store.insertJobUnderCap(newJob({ clientRequestToken: token }), 1_000), DuplicateTokenError);
  });
});
