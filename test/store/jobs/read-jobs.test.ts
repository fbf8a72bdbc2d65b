/**
 * store/jobs/read-jobs.ts on real SQLite and PostgreSQL: every read hands out the domain's view of a job (a
 * Job, a JobSummary, a JobState, a token's use), never a row; another account's job reads as missing; listings
 * are newest first with a stable cursor.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { JobStatus } from "../../../src/domain/status.js";
import {
  countUnfinished,
  findByToken,
  getAccountJob,
  getJob,
  getJobState,
  jobStatesIn,
  jobsIn,
  listJobs,
} from "../../../src/store/jobs/read-jobs.js";
import { newJob } from "../../helpers/stores.js";
import { describeOnStores, jobIn } from "../helpers.js";
import { countedStore } from "../query-counter.js";
import { plansOf, unindexed } from "../query-plans.js";

/** When Active time is measured up to, where a test does not care. */
const NOW = 1_000;

describeOnStores("job reads", (t) => {
  it("inserts and reads a job; another account cannot see it", async () => {
    const job = newJob();
    await t.store.insertJob(job);
    const got = await getAccountJob(t.db, "acct-1", job.jobId, NOW);
    assert.equal(got?.status, "New");
    assert.equal(got?.progress.total, -1);
    assert.equal(await getAccountJob(t.db, "acct-2", job.jobId, NOW), undefined);
    assert.equal(await getJob(t.db, randomUUID(), NOW), undefined);
    assert.equal(await getJobState(t.db, randomUUID()), undefined);
  });

  it("hands out the whole Job, its Active time measured up to the given time", async () => {
    const job = await jobIn(t.store, "Active", { description: "whole", priority: 7 }, 10_000);
    const got = (await getJob(t.db, job.jobId, 12_500))!;
    assert.equal(got.jobId, job.jobId);
    assert.equal(got.accountId, "acct-1");
    assert.equal(got.description, "whole");
    assert.equal(got.priority, 7);
    assert.equal(got.operation.kind, "DeleteObject");
    assert.equal(got.progress.elapsedActiveSeconds, 2);
    assert.equal(got.manifestEtag, undefined);
    assert.equal((await getAccountJob(t.db, "acct-1", job.jobId, 20_000))?.progress.elapsedActiveSeconds, 10);
  });

  it("hands the engine JobStates: status, priority, counts, confirmation and phase claim, without the spec", async () => {
    const job = await jobIn(t.store, "Suspended", { priority: 3, confirmationRequired: true }, 4_000);
    await t.store.setPrepared(job.jobId, 12, null, 4_000);
    assert.deepEqual(await getJobState(t.db, job.jobId), {
      jobId: job.jobId,
      status: "Suspended",
      priority: 3,
      creationTime: 4_000,
      suspendedTime: 4_000,
      totalTasks: 12,
      succeeded: 0,
      failed: 0,
      confirmed: false,
      held: false,
      phaseClaim: undefined,
    });
    const preparing = await jobIn(t.store, "Preparing");
    await t.store.claimPhase(preparing.jobId, "Preparing", "engine-a", 5_000, 1_000);
    assert.deepEqual((await getJobState(t.db, preparing.jobId))?.phaseClaim, { owner: "engine-a", expires: 6_000 });
  });

  it("lists job states and whole jobs in the given statuses, highest priority first, then oldest", async () => {
    const tag = randomUUID();
    const low = await jobIn(t.store, "Paused", { priority: 1, description: tag }, 1_000);
    const highNew = await jobIn(t.store, "Paused", { priority: 9, description: tag }, 3_000);
    const highOld = await jobIn(t.store, "Paused", { priority: 9, description: tag }, 2_000);
    await jobIn(t.store, "Ready", { priority: 100, description: tag });
    const ours = new Set([low.jobId, highNew.jobId, highOld.jobId]);
    const states = (await jobStatesIn(t.db, ["Paused"])).filter((s) => ours.has(s.jobId));
    assert.deepEqual(
      states.map((s) => s.jobId),
      [highOld.jobId, highNew.jobId, low.jobId],
    );
    const jobs = (await jobsIn(t.db, ["Paused"], NOW)).filter((j) => ours.has(j.jobId));
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.description]),
      [highOld.jobId, highNew.jobId, low.jobId].map((id) => [id, tag]),
    );
  });

  it("finds the job a token created, with the fingerprint of its request", async () => {
    const job = newJob({}, { requestFingerprint: "sha-1" });
    await t.store.insertJob(job);
    assert.deepEqual(await findByToken(t.db, "acct-1", job.spec.clientRequestToken), {
      jobId: job.jobId,
      requestFingerprint: "sha-1",
    });
    assert.equal(await findByToken(t.db, "acct-2", job.spec.clientRequestToken), undefined);
  });

  it("lists newest first with a stable cursor, filtered by status", async () => {
    const account = `list-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const job = newJob({ accountId: account }, { creationTime: 5_000 + Math.floor(i / 2) });
      ids.push(job.jobId);
      await t.store.insertJob(job);
    }
    const seen: string[] = [];
    let cursor: { creationTime: number; jobId: string } | undefined;
    for (;;) {
      const page = await listJobs(t.db, t.dialect, account, undefined, 3, cursor, NOW);
      seen.push(...page.map((r) => r.jobId));
      if (page.length < 3) break;
      const last = page[page.length - 1];
      cursor = { creationTime: last.creationTime.getTime(), jobId: last.jobId };
      // A job inserted mid-listing (newer) must not disturb the remaining pages.
      await t.store.insertJob(newJob({ accountId: account }, { creationTime: 9_999 }));
    }
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    assert.deepEqual(new Set(seen), new Set(ids));
    const times = seen.map((id) => ids.indexOf(id));
    assert.ok(times.length === 7);
    assert.deepEqual(await listJobs(t.db, t.dialect, account, ["Complete"], 10, undefined, NOW), []);
    assert.equal((await listJobs(t.db, t.dialect, account, ["New"], 100, undefined, NOW)).length, 7 + 2);
  });

  it("lists summaries (job-row.test.ts checks their fields), Active time measured up to the given time", async () => {
    const account = `summary-${randomUUID()}`;
    const job = await jobIn(t.store, "Active", { accountId: account, description: "sum" }, 1_000);
    const [summary] = await listJobs(t.db, t.dialect, account, ["Active"], 10, undefined, 3_000);
    assert.equal(summary.description, "sum");
    assert.equal(summary.jobId, job.jobId);
    assert.equal(summary.progress.elapsedActiveSeconds, 2);
  });

  it("counts unfinished jobs per account", async () => {
    const account = `cap-${randomUUID()}`;
    const a = newJob({ accountId: account });
    await t.store.insertJob(a);
    await t.store.insertJob(newJob({ accountId: account }));
    assert.equal(await countUnfinished(t.db, account), 2);
    await t.store.transition(a.jobId, "New", "Cancelling", 1);
    await t.store.transition(a.jobId, "Cancelling", "Cancelled", 2);
    assert.equal(await countUnfinished(t.db, account), 1);
  });

  it("counts unfinished jobs up to `atMost` at most, however many the account has", async () => {
    const account = `cap-${randomUUID()}`;
    for (let i = 0; i < 5; i++) await jobIn(t.store, "Suspended", { accountId: account });
    for (let i = 0; i < 3; i++) await jobIn(t.store, "Complete", { accountId: account });
    assert.equal(await countUnfinished(t.db, account), 5);
    assert.equal(await countUnfinished(t.db, account, 3), 3);
    assert.equal(await countUnfinished(t.db, account, 5), 5);
    assert.equal(await countUnfinished(t.db, account, 100), 5);
    const [plan] = await plansOf(t.store, (db) => countUnfinished(db, account, 3));
    assert.equal(unindexed(plan), undefined, plan);
  });

  it("pages through any status filter in exactly the order of a full scan, deep pages too", async () => {
    const account = `merge-${randomUUID()}`;
    const statuses: JobStatus[] = ["Suspended", "Complete", "Failed", "Cancelled", "Active", "New"];
    for (let i = 0; i < 60; i++) {
      // Many jobs share a creation time: the job id breaks the tie, across statuses too.
      await jobIn(t.store, statuses[(i * 7) % statuses.length], { accountId: account }, 10_000 + Math.floor(i / 4));
    }
    const everyJob = await t.db
      .selectFrom("jobs")
      .select(["job_id", "status", "creation_time"])
      .where("account_id", "=", account)
      .execute();
    const fullScan = (wanted?: readonly JobStatus[]) =>
      everyJob
        .filter((r) => !wanted || wanted.length === 0 || wanted.includes(r.status as JobStatus))
        .sort((a, b) => Number(b.creation_time) - Number(a.creation_time) || (a.job_id < b.job_id ? 1 : -1))
        .map((r) => r.job_id);
    const filters: (JobStatus[] | undefined)[] = [
      undefined,
      [],
      ["Suspended"],
      ["Complete", "Failed"],
      ["Failed", "Complete", "Failed"],
      ["Active", "New", "Cancelled", "Suspended", "Complete", "Failed"],
      ["Pausing"],
    ];
    const { store, counter } = countedStore(t.store);
    for (const filter of filters) {
      const seen: string[] = [];
      let cursor: { creationTime: number; jobId: string } | undefined;
      for (;;) {
        counter.take();
        const page = await store.listJobs(account, filter, 7, cursor, NOW);
        const read = counter.take();
        const distinct = new Set(filter ?? []).size;
        assert.ok(read.rows <= 7 * Math.max(1, distinct), `a page reads ${read.rows} rows`);
        seen.push(...page.map((r) => r.jobId));
        if (page.length < 7) break;
        const last = page[page.length - 1];
        cursor = { creationTime: last.creationTime.getTime(), jobId: last.jobId };
      }
      assert.deepEqual(seen, fullScan(filter), `filter ${JSON.stringify(filter)}`);
    }
  });

  it("lists from an index, the first page and a deep one, with and without a filter", async () => {
    const deep = { creationTime: 10_000, jobId: "m" };
    for (const [statuses, after] of [
      [undefined, undefined],
      [undefined, deep],
      [["Complete", "Failed"], undefined],
      [["Suspended"], deep],
    ] as const) {
      for (const plan of await plansOf(t.store, (db) => listJobs(db, t.dialect, "acct-1", statuses, 100, after, NOW))) {
        assert.equal(unindexed(plan), undefined, plan);
      }
    }
  });
});
