/**
 * store/jobs/insert-job.ts on real SQLite and PostgreSQL: a new job starts New with nothing counted, a token is
 * used once per account, and the cap on unfinished jobs holds even when creates race.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import { DuplicateTokenError } from "../../../src/store/errors.js";
import { insertJob, insertJobUnderCap } from "../../../src/store/jobs/insert-job.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn, rawJobRow } from "../helpers.js";

describeOnStores("insertJob", (t) => {
  it("stores a New job with nothing counted, confirmed unless confirmation is required", async () => {
    const job = newJob({ description: "d", tags: [{ key: "k", value: "v" }] }, { creationTime: 5_000 });
    await insertJob(t.db, job);
    const got = await t.store.getJob(job.jobId, 5_000);
    assert.equal(got?.status, "New");
    assert.equal(got?.description, "d");
    assert.deepEqual(got?.tags, [{ key: "k", value: "v" }]);
    assert.deepEqual(got?.progress, { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 });
    assert.deepEqual(got?.failureReasons, []);
    assert.equal(got?.creationTime.getTime(), 5_000);
    assert.equal((await t.store.getJobState(job.jobId))?.confirmed, true);

    const unconfirmed = newJob({ confirmationRequired: true });
    await insertJob(t.db, unconfirmed);
    assert.equal((await t.store.getJobState(unconfirmed.jobId))?.confirmed, false);
    const row = await rawJobRow(t.store, unconfirmed.jobId);
    assert.equal(row?.updated_time, 1_000, "updated when created");
  });

  it("refuses a second job with the same token in the same account only", async () => {
    const token = randomUUID();
    await insertJob(t.db, newJob({ clientRequestToken: token }));
    await assert.rejects(insertJob(t.db, newJob({ clientRequestToken: token })), DuplicateTokenError);
    await insertJob(t.db, newJob({ clientRequestToken: token, accountId: "acct-other" }));
    assert.ok(await t.store.findByToken("acct-1", token));
  });

  it("inserts under the cap until the account has that many unfinished jobs; finished ones do not count", async () => {
    const accountId = `cap-${randomUUID()}`;
    const done = await jobIn(t.store, "Cancelled", { accountId });
    assert.equal(await insertJobUnderCap(t.db, t.dialect, newJob({ accountId }), 2), true);
    assert.equal(await insertJobUnderCap(t.db, t.dialect, newJob({ accountId }), 2), true);
    assert.equal(await insertJobUnderCap(t.db, t.dialect, newJob({ accountId }), 2), false, "the cap is reached");
    assert.equal(await t.store.countUnfinished(accountId), 2);
    assert.ok(await t.store.getJob(done.jobId), "the finished job is still there, uncounted");
    const token = randomUUID();
    await insertJobUnderCap(t.db, t.dialect, newJob({ accountId: "other", clientRequestToken: token }), 5);
    await assert.rejects(
      insertJobUnderCap(t.db, t.dialect, newJob({ accountId: "other", clientRequestToken: token }), 5),
      DuplicateTokenError,
    );
  });

  it("lets exactly `cap` of many concurrent creates in", async () => {
    const accountId = `race-${randomUUID()}`;
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => insertJobUnderCap(t.db, t.dialect, newJob({ accountId }), 5)),
    );
    assert.equal(outcomes.filter(Boolean).length, 5);
    assert.equal(await t.store.countUnfinished(accountId), 5);
  });
});
