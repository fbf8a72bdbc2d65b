/**
 * store/jobs/insert-job.ts on real SQLite and PostgreSQL: a new job starts New with nothing counted, a token is
 * used once per account, and the cap on unfinished jobs holds even when creates race.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { DuplicateTokenError } from "../../../src/store/errors.js";
import type { NewJob } from "../../../src/store/job-row.js";
import { insertJob, insertJobsUnderCap } from "../../../src/store/jobs/insert-job.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

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
