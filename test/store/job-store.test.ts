/**
 * The job store on real SQLite and real PostgreSQL: the same assertions for both.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { JobStatus } from "../../src/domain/status.js";
import { DuplicateTokenError } from "../../src/store/job-store.js";
import { IllegalTransitionError } from "../../src/store/jobs/transition-job.js";
import { newJobRow as newJob, TEST_STORES, type TestStore } from "../helpers/stores.js";

for (const open of TEST_STORES) {
  describe(`JobStore on ${open.name.replace("TestStore", "")}`, () => {
    let t: TestStore;
    before(async () => {
      t = await open();
    });
    after(async () => {
      await t.dispose();
    });

    it("inserts and reads a job; another account cannot see it", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      const got = await t.store.getAccountJob("acct-1", row.job_id);
      assert.equal(got?.status, "New");
      assert.equal(got?.total_tasks, -1);
      assert.equal(await t.store.getAccountJob("acct-2", row.job_id), undefined);
    });

    it("refuses a second job with the same token in the same account only", async () => {
      const token = randomUUID();
      await t.store.insertJob(newJob({ client_request_token: token }));
      await assert.rejects(t.store.insertJob(newJob({ client_request_token: token })), DuplicateTokenError);
      await t.store.insertJob(newJob({ client_request_token: token, account_id: "acct-other" }));
      assert.ok(await t.store.findByToken("acct-1", token));
    });

    it("lists newest first with a stable cursor, filtered by status", async () => {
      const account = `list-${randomUUID()}`;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const row = newJob({ account_id: account, creation_time: 5_000 + Math.floor(i / 2) });
        ids.push(row.job_id);
        await t.store.insertJob(row);
      }
      const seen: string[] = [];
      let cursor: { creationTime: number; jobId: string } | undefined;
      for (;;) {
        const page = await t.store.listJobs(account, undefined, 3, cursor);
        seen.push(...page.map((r) => r.job_id));
        if (page.length < 3) break;
        const last = page[page.length - 1];
        cursor = { creationTime: last.creation_time, jobId: last.job_id };
        // A job inserted mid-listing (newer) must not disturb the remaining pages.
        await t.store.insertJob(newJob({ account_id: account, creation_time: 9_999 }));
      }
      assert.equal(seen.length, 7);
      assert.equal(new Set(seen).size, 7);
      assert.deepEqual(new Set(seen), new Set(ids));
      const times = seen.map((id) => ids.indexOf(id));
      assert.ok(times.length === 7);
      assert.deepEqual(await t.store.listJobs(account, ["Complete"], 10), []);
      assert.equal((await t.store.listJobs(account, ["New"], 100)).length, 7 + 2);
    });

    it("moves status by compare-and-set and keeps the bookkeeping", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      const id = row.job_id;
      assert.equal(await t.store.transition(id, "New", "Preparing", 2_000), true);
      assert.equal(await t.store.transition(id, "New", "Preparing", 2_000), false, "second CAS loses");
      await assert.rejects(t.store.transition(id, "Preparing", "Complete", 2_000), IllegalTransitionError);
      assert.ok(await t.store.transition(id, "Preparing", "Suspended", 3_000, { suspendedCause: "confirm" }));
      let got = (await t.store.getJob(id))!;
      assert.equal(got.suspended_time, 3_000);
      assert.equal(got.suspended_cause, "confirm");
      assert.ok(await t.store.transition(id, "Suspended", "Ready", 4_000, { statusUpdateReason: "go" }));
      assert.ok(await t.store.transition(id, "Ready", "Active", 10_000));
      assert.ok(await t.store.transition(id, "Active", "Pausing", 13_500));
      assert.ok(await t.store.transition(id, "Pausing", "Active", 20_000));
      assert.ok(await t.store.transition(id, "Active", "Failing", 21_000, { failure: { code: "X", reason: "why" } }));
      assert.ok(await t.store.transition(id, "Failing", "Failed", 22_000));
      got = (await t.store.getJob(id))!;
      assert.equal(got.status, "Failed");
      assert.equal(got.active_ms, 3_500 + 1_000, "time in Active only");
      assert.equal(got.active_since, null);
      assert.equal(got.termination_time, 22_000);
      assert.equal(got.status_update_reason, "go");
      assert.deepEqual(JSON.parse(got.failure_reasons), [{ code: "X", reason: "why" }]);
    });

    it("counts unfinished jobs per account", async () => {
      const account = `cap-${randomUUID()}`;
      const a = newJob({ account_id: account });
      await t.store.insertJob(a);
      await t.store.insertJob(newJob({ account_id: account }));
      assert.equal(await t.store.countUnfinished(account), 2);
      await t.store.transition(a.job_id, "New", "Cancelling", 1);
      await t.store.transition(a.job_id, "Cancelling", "Cancelled", 2);
      assert.equal(await t.store.countUnfinished(account), 1);
    });

    it("leases each chunk to exactly one of many concurrent workers", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      const plans = Array.from({ length: 40 }, (_, i) => ({
        seq: i,
        startByte: i * 10,
        endByte: i * 10 + 10,
        firstRecord: i * 2,
        records: 2,
      }));
      await t.store.insertChunks(row.job_id, plans);
      const leased: number[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (;;) {
            const c = await t.store.leaseChunk(row.job_id, randomUUID(), 100, 60_000);
            if (!c) return;
            leased.push(c.seq);
          }
        }),
      );
      assert.equal(leased.length, 40);
      assert.equal(new Set(leased).size, 40);
      const counts = await t.store.countChunks(row.job_id, 100);
      assert.deepEqual(counts, { pending: 0, running: 40, stale: 0, done: 0, skipped: 0 });
    });

    it("counts a chunk once: a taken-over lease cannot record results", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      await t.store.insertChunks(row.job_id, [{ seq: 0, startByte: 0, endByte: 5, firstRecord: 0, records: 3 }]);
      const first = (await t.store.leaseChunk(row.job_id, "token-a", 1_000, 500))!;
      assert.equal(first.attempts, 1);
      assert.equal(await t.store.leaseChunk(row.job_id, "token-x", 1_200, 500), undefined, "lease still valid");
      const second = (await t.store.leaseChunk(row.job_id, "token-b", 2_000, 500))!;
      assert.equal(second.seq, 0, "expired lease is taken over");
      assert.equal(second.attempts, 2);
      const results = { succeeded: 2, failed: 1, succeededRows: "s\n", failedRows: "f\n" };
      assert.equal(await t.store.completeChunk(row.job_id, 0, "token-a", results, 2_100), false);
      assert.equal(await t.store.completeChunk(row.job_id, 0, "token-b", results, 2_100), true);
      assert.equal(await t.store.completeChunk(row.job_id, 0, "token-b", results, 2_100), false, "only once");
      const job = (await t.store.getJob(row.job_id))!;
      assert.equal(job.succeeded, 2);
      assert.equal(job.failed, 1);
      assert.deepEqual(await t.store.sumChunkCounters(row.job_id), { succeeded: 2, failed: 1, records: 3 });
    });

    it("renews, releases and fences leases", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      await t.store.insertChunks(row.job_id, [
        { seq: 0, startByte: 0, endByte: 5, firstRecord: 0, records: 1 },
        { seq: 1, startByte: 5, endByte: 9, firstRecord: 1, records: 1 },
      ]);
      const a = (await t.store.leaseChunk(row.job_id, "ra", 1_000, 100))!;
      await t.store.renewLeases(["ra"], 10_000);
      assert.deepEqual((await t.store.countChunks(row.job_id, 5_000)).running, 1);
      await t.store.releaseChunk(row.job_id, a.seq, "ra");
      assert.equal((await t.store.countChunks(row.job_id, 5_000)).pending, 2);
      await t.store.leaseChunk(row.job_id, "rb", 6_000, 100);
      await t.store.abandonUnfinishedChunks(row.job_id);
      const counts = await t.store.countChunks(row.job_id, 6_000);
      assert.deepEqual(counts, { pending: 0, running: 0, stale: 0, done: 0, skipped: 2 });
      assert.equal(
        await t.store.completeChunk(
          row.job_id,
          0,
          "rb",
          { succeeded: 1, failed: 0, succeededRows: null, failedRows: null },
          7_000,
        ),
        false,
      );
    });

    it("streams report rows in chunk order", async () => {
      const row = newJob();
      await t.store.insertJob(row);
      const n = 450;
      await t.store.insertChunks(
        row.job_id,
        Array.from({ length: n }, (_, i) => ({ seq: i, startByte: i, endByte: i + 1, firstRecord: i, records: 1 })),
      );
      for (;;) {
        const c = await t.store.leaseChunk(row.job_id, randomUUID(), 1, 60_000);
        if (!c) break;
        const ok = c.seq % 3 === 0;
        await t.store.completeChunk(
          row.job_id,
          c.seq,
          c.lease_token!,
          {
            succeeded: ok ? 1 : 0,
            failed: ok ? 0 : 1,
            succeededRows: ok ? `s${c.seq}\n` : null,
            failedRows: ok ? null : `f${c.seq}\n`,
          },
          2,
        );
      }
      const succeeded: string[] = [];
      for await (const part of t.store.rowsBetween(row.job_id, "succeeded", -1, n)) succeeded.push(part);
      const failed: string[] = [];
      for await (const part of t.store.rowsBetween(row.job_id, "failed", -1, n)) failed.push(part);
      assert.equal(succeeded.length, 150);
      assert.equal(failed.length, 300);
      assert.deepEqual(
        succeeded,
        Array.from({ length: 150 }, (_, i) => `s${i * 3}\n`),
      );
      assert.equal(failed[0], "f1\n");
      assert.equal(failed[299], `f${n - 1}\n`);
    });

    it("claims a phase exclusively until it expires", async () => {
      const row = newJob({ status: "Preparing" as JobStatus });
      await t.store.insertJob(row);
      assert.ok(await t.store.claimPhase(row.job_id, "Preparing", "w1", 1_000, 500));
      assert.equal(await t.store.claimPhase(row.job_id, "Preparing", "w2", 1_200, 500), false);
      assert.ok(await t.store.claimPhase(row.job_id, "Preparing", "w1", 1_300, 500), "holder renews");
      assert.ok(await t.store.claimPhase(row.job_id, "Preparing", "w2", 2_000, 500), "expired claim taken over");
      assert.equal(await t.store.claimPhase(row.job_id, "Ready", "w3", 9_000, 500), false, "wrong status");
    });

    it("purges terminal jobs past retention and deletes only terminal jobs", async () => {
      const done = newJob();
      const live = newJob();
      await t.store.insertJob(done);
      await t.store.insertJob(live);
      await t.store.insertChunks(done.job_id, [{ seq: 0, startByte: 0, endByte: 1, firstRecord: 0, records: 1 }]);
      await t.store.transition(done.job_id, "New", "Cancelling", 10);
      await t.store.transition(done.job_id, "Cancelling", "Cancelled", 20);
      assert.equal(await t.store.deleteTerminalJob(live.job_id), false);
      assert.ok((await t.store.purgeTerminatedBefore(21)) >= 1);
      assert.equal(await t.store.getJob(done.job_id), undefined);
      assert.deepEqual(await t.store.sumChunkCounters(done.job_id), { succeeded: 0, failed: 0, records: 0 });
      assert.ok(await t.store.getJob(live.job_id));
    });
  });
}
