/**
 * JobService on a real SQLite store: idempotency, caps, status rules, listing, deletion, tagging.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import { DomainError } from "../../src/domain/errors.js";
import { JobService } from "../../src/service/job-service.js";
import { copySpec } from "../helpers/specs.js";
import { sqliteTestStore, type TestStore } from "../helpers/stores.js";

const accounts = new StaticAccountRegistry([
  { id: "1250000000", keys: [{ accessKeyId: "a", secretAccessKey: "s" }], buckets: ["*"] },
  { id: "capped", keys: [{ accessKeyId: "b", secretAccessKey: "s" }], buckets: ["*"], maxUnfinishedJobs: 2 },
]);

function rejectsWith(kind: DomainError["kind"]) {
  return (e: unknown) => e instanceof DomainError && e.kind === kind;
}

describe("JobService", () => {
  let t: TestStore;
  let service: JobService;
  let clock = 1_700_000_000_000;
  let wakes = 0;

  before(async () => {
    t = await sqliteTestStore();
    service = new JobService({
      store: t.store,
      accounts,
      maxUnfinishedJobs: 100,
      now: () => clock,
      onChange: () => {
        wakes++;
      },
    });
  });
  after(() => t.dispose());
  beforeEach(() => {
    clock += 1000;
  });

  it("creates a job in New with the counters unknown, and wakes the engine", async () => {
    const before = wakes;
    const { jobId, created } = await service.createJob(copySpec(), "reject");
    assert.ok(created);
    assert.ok(wakes > before);
    const job = await service.describeJob("1250000000", jobId);
    assert.equal(job.status, "New");
    assert.equal(job.progress.total, -1);
    assert.equal(job.description, "example-job");
    assert.equal(job.operation.kind, "PutObjectCopy");
    assert.deepEqual(job.failureReasons, []);
  });

  it("answers a reused token per dialect (D5)", async () => {
    const spec = copySpec();
    const first = await service.createJob(spec, "reuse");
    const again = await service.createJob(spec, "reuse");
    assert.deepEqual(again, { jobId: first.jobId, created: false });
    await assert.rejects(service.createJob({ ...spec, priority: 99 }, "reuse"), rejectsWith("Idempotency"));
    await assert.rejects(
      service.createJob(spec, "reject"),
      (e) => rejectsWith("Idempotency")(e) && /Duplicate request/.test(String(e)),
    );
  });

  it("dedupes concurrent creates with one token into one job", async () => {
    const spec = copySpec();
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => service.createJob(spec, "reuse")));
    const ids = new Set(outcomes.filter((o) => o.status === "fulfilled").map((o) => o.value.jobId));
    assert.equal(ids.size, 1);
  });

  it("caps unfinished jobs per account with TooManyJobs", async () => {
    await service.createJob(copySpec({ accountId: "capped" }), "reject");
    const secondSpec = copySpec({ accountId: "capped" });
    const second = await service.createJob(secondSpec, "reject");
    await assert.rejects(service.createJob(copySpec({ accountId: "capped" }), "reject"), rejectsWith("TooManyJobs"));
    // At the cap, a retry of a create that got in is still answered with its job (or refused, per dialect).
    assert.deepEqual(await service.createJob(secondSpec, "reuse"), { jobId: second.jobId, created: false });
    await assert.rejects(service.createJob({ ...secondSpec, priority: 7 }, "reuse"), rejectsWith("Idempotency"));
    await assert.rejects(service.createJob(secondSpec, "reject"), rejectsWith("Idempotency"));
    await service.updateJobStatus("capped", second.jobId, "Cancelled", "make room");
    await t.store.transition(second.jobId, "Cancelling", "Cancelled", clock);
    await service.createJob(copySpec({ accountId: "capped" }), "reject");
  });

  it("hides other accounts' jobs behind NoSuchJob", async () => {
    const { jobId } = await service.createJob(copySpec(), "reject");
    await assert.rejects(service.describeJob("capped", jobId), rejectsWith("NoSuchJob"));
    await assert.rejects(service.updateJobPriority("capped", jobId, 1), rejectsWith("NoSuchJob"));
    await assert.rejects(service.updateJobStatus("capped", jobId, "Cancelled", undefined), rejectsWith("NoSuchJob"));
    await assert.rejects(service.deleteJob("capped", jobId), rejectsWith("NoSuchJob"));
    await assert.rejects(service.getJobTagging("capped", jobId), rejectsWith("NoSuchJob"));
    const page = await service.listJobs("capped", { maxResults: 1000 });
    assert.ok(!page.jobs.some((j) => j.jobId === jobId));
  });

  it("confirms only Suspended jobs (and Preparing ones when asked), cancels unfinished ones", async () => {
    const { jobId } = await service.createJob(copySpec({ confirmationRequired: true }), "reject");
    await assert.rejects(
      service.updateJobStatus("1250000000", jobId, "Ready", undefined),
      rejectsWith("IllegalStatusChange"),
    );
    await t.store.transition(jobId, "New", "Preparing", clock);
    await assert.rejects(
      service.updateJobStatus("1250000000", jobId, "Ready", undefined),
      rejectsWith("IllegalStatusChange"),
    );
    const early = await service.updateJobStatus("1250000000", jobId, "Ready", "ok early", {
      allowReadyWhilePreparing: true,
    });
    assert.equal(early.status, "Preparing");
    assert.equal((await t.store.getJobState(jobId))?.confirmed, true);

    const other = await service.createJob(copySpec({ confirmationRequired: true }), "reject");
    await t.store.transition(other.jobId, "New", "Preparing", clock);
    await t.store.transition(other.jobId, "Preparing", "Suspended", clock, { suspendedCause: "confirm" });
    const ready = await service.updateJobStatus("1250000000", other.jobId, "Ready", "looks right");
    assert.equal(ready.status, "Ready");
    assert.equal(ready.statusUpdateReason, "looks right");

    const cancelled = await service.updateJobStatus("1250000000", other.jobId, "Cancelled", "changed my mind");
    assert.equal(cancelled.status, "Cancelling");
    assert.equal(cancelled.statusUpdateReason, "changed my mind");
    await assert.rejects(
      service.updateJobStatus("1250000000", other.jobId, "Cancelled", undefined),
      rejectsWith("IllegalStatusChange"),
    );
    await t.store.transition(other.jobId, "Cancelling", "Cancelled", clock);
    await assert.rejects(
      service.updateJobStatus("1250000000", other.jobId, "Cancelled", undefined),
      rejectsWith("IllegalStatusChange"),
    );
    await assert.rejects(service.updateJobPriority("1250000000", other.jobId, 5), rejectsWith("NoSuchJob"));
  });

  it("changes priority of unfinished jobs", async () => {
    const { jobId } = await service.createJob(copySpec(), "reject");
    const job = await service.updateJobPriority("1250000000", jobId, 2147483647);
    assert.equal(job.priority, 2147483647);
  });

  it("pages ListJobs newest first; NextToken only while more remain; bad token refused", async () => {
    const account = "1250000000";
    const all: string[] = [];
    let token: string | undefined;
    do {
      const page = await service.listJobs(account, { maxResults: 2, nextToken: token });
      all.push(...page.jobs.map((j) => j.jobId));
      if (page.nextToken) assert.equal(page.nextToken, page.jobs[page.jobs.length - 1].jobId);
      token = page.nextToken;
    } while (token);
    const everything = await service.listJobs(account, { maxResults: 1000 });
    assert.equal(everything.nextToken, undefined);
    assert.deepEqual(
      all,
      everything.jobs.map((j) => j.jobId),
    );
    const times = everything.jobs.map((j) => j.creationTime.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    await assert.rejects(
      service.listJobs(account, { maxResults: 10, nextToken: "nope" }),
      rejectsWith("InvalidNextToken"),
    );
    const onlyCancelling = await service.listJobs(account, { maxResults: 1000, statuses: ["Cancelling"] });
    assert.ok(onlyCancelling.jobs.every((j) => j.status === "Cancelling"));
  });

  it("deletes only finished jobs (D9)", async () => {
    const { jobId } = await service.createJob(copySpec(), "reject");
    await assert.rejects(service.deleteJob("1250000000", jobId), rejectsWith("InvalidRequest"));
    await service.updateJobStatus("1250000000", jobId, "Cancelled", undefined);
    await t.store.transition(jobId, "Cancelling", "Cancelled", clock);
    await service.deleteJob("1250000000", jobId);
    await assert.rejects(service.describeJob("1250000000", jobId), rejectsWith("NoSuchJob"));
  });

  it("keeps job tags, capped at 50", async () => {
    const { jobId } = await service.createJob(copySpec({ tags: [{ key: "team", value: "data" }] }), "reject");
    assert.deepEqual(await service.getJobTagging("1250000000", jobId), [{ key: "team", value: "data" }]);
    await service.putJobTagging("1250000000", jobId, [{ key: "a", value: "" }]);
    assert.deepEqual(await service.getJobTagging("1250000000", jobId), [{ key: "a", value: "" }]);
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    await assert.rejects(service.putJobTagging("1250000000", jobId, many), rejectsWith("TooManyTags"));
    await service.deleteJobTagging("1250000000", jobId);
    assert.deepEqual(await service.getJobTagging("1250000000", jobId), []);
  });

  describe("pause and resume by the user (D31)", () => {
    const ACCOUNT = "1250000000";
    async function jobIn(path: readonly string[]): Promise<string> {
      const { jobId } = await service.createJob(copySpec(), "reject");
      let from = "New";
      for (const to of path) {
        assert.ok(await t.store.transition(jobId, from as never, to as never, clock));
        from = to;
      }
      return jobId;
    }

    it("pauses through UpdateJobStatus Paused and resumes through Ready, waking the engine each time", async () => {
      const jobId = await jobIn(["Preparing", "Ready", "Active"]);
      let before = wakes;
      const paused = await service.updateJobStatus(ACCOUNT, jobId, "Paused", undefined);
      assert.deepEqual(
        [paused.status, paused.pausedByUser, paused.statusUpdateReason],
        ["Pausing", true, "Paused by the user"],
      );
      assert.ok(wakes > before);
      const again = await service.updateJobStatus(ACCOUNT, jobId, "Paused", "twice");
      assert.equal(again.statusUpdateReason, "Paused by the user", "no change");
      before = wakes;
      const resumed = await service.updateJobStatus(ACCOUNT, jobId, "Ready", "go on");
      assert.deepEqual(
        [resumed.status, resumed.pausedByUser, resumed.statusUpdateReason],
        ["Pausing", undefined, "Resumed by the user: go on"],
      );
      assert.ok(wakes > before);
      assert.ok(await t.store.transition(jobId, "Pausing", "Active", clock), "the scheduler may resume it now");
    });

    it("keeps the reason it shows to 256 characters", async () => {
      const jobId = await jobIn(["Preparing", "Ready"]);
      const paused = await service.pauseJob(ACCOUNT, jobId, "é".repeat(256));
      assert.equal(paused.status, "Paused");
      assert.equal([...(paused.statusUpdateReason ?? "")].length, 256);
      assert.ok(paused.statusUpdateReason?.startsWith("Paused by the user: é"));
    });

    it("refuses what cannot pause or resume, and another account's job", async () => {
      for (const path of [[], ["Preparing"], ["Preparing", "Suspended"], ["Cancelling"], ["Cancelling", "Cancelled"]]) {
        const jobId = await jobIn(path);
        await assert.rejects(service.pauseJob(ACCOUNT, jobId), rejectsWith("IllegalStatusChange"), path.join(">"));
        await assert.rejects(service.resumeJob(ACCOUNT, jobId), rejectsWith("IllegalStatusChange"), path.join(">"));
      }
      const preempted = await jobIn(["Preparing", "Ready", "Active", "Pausing", "Paused"]);
      await assert.rejects(
        service.updateJobStatus(ACCOUNT, preempted, "Ready", undefined),
        rejectsWith("IllegalStatusChange"),
        "Ready on a job paused for a higher-priority one",
      );
      await assert.rejects(service.pauseJob("capped", preempted), rejectsWith("NoSuchJob"));
      const held = await service.pauseJob(ACCOUNT, preempted);
      assert.deepEqual([held.status, held.pausedByUser], ["Paused", true]);
      await assert.rejects(service.resumeJob("capped", preempted), rejectsWith("NoSuchJob"));
      const cancelled = await service.updateJobStatus(ACCOUNT, preempted, "Cancelled", undefined);
      assert.deepEqual(
        [cancelled.status, cancelled.pausedByUser],
        ["Cancelling", undefined],
        "held goes with the pause",
      );
    });
  });
});
