/**
 * Live progress (D30) on real SQLite and PostgreSQL: a running chunk's counts so far, written by its lease holder,
 * show in its job's progress as its owner reads it (DescribeJob, ListJobs, the JSON listing) and never in the
 * engine's exact counters; they are never lowered, they never carry a job past its total, they move into the
 * recorded counters in the transaction that records the chunk, and a finished job shows its recorded counts alone.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { JobSpec } from "../../../src/domain/job.js";
import { describeOnStores, jobIn } from "../helpers.js";

const ACCOUNT = "111122223333";
const chunkPlans = (n: number, records: number) =>
  Array.from({ length: n }, (_, i) => ({
    seq: i,
    startByte: i * 10,
    endByte: i * 10 + 10,
    firstRecord: i * records,
    records,
  }));
const results = (succeeded: number, failed: number) => ({
  succeeded,
  failed,
  succeededRows: null,
  failedRows: null,
});

describeOnStores("live progress", (t) => {
  /** An Active job of `chunks` chunks of 100 tasks, its first `leased` chunks leased by "holder-<seq>". */
  async function runningJob(chunks: number, leased: number) {
    const job = await jobIn(t.store, "Active", { accountId: ACCOUNT } as Partial<JobSpec>);
    await t.store.setPrepared(job.jobId, chunks * 100, null, 1_000);
    await t.store.insertChunks(job.jobId, chunkPlans(chunks, 100));
    for (let i = 0; i < leased; i++) {
      const chunk = await t.store.leaseChunk(job.jobId, `holder-${i}`, 1_000, 60_000);
      assert.equal(chunk?.seq, i);
    }
    return job.jobId;
  }
  const shown = async (jobId: string) => {
    const p = (await t.store.getAccountJob(ACCOUNT, jobId, 2_000))!.progress;
    return [p.succeeded, p.failed];
  };
  const live = (jobId: string, seq: number, succeeded: number, failed: number, token = `holder-${seq}`) =>
    t.store.recordLiveProgress([{ jobId, seq, leaseToken: token, succeeded, failed }]);

  it("shows running chunks' counts to the job's owner, and keeps the engine's counters exact", async () => {
    const jobId = await runningJob(3, 2);
    await live(jobId, 0, 40, 2);
    await live(jobId, 1, 10, 0);
    assert.deepEqual(await shown(jobId), [50, 2]);
    const exact = (await t.store.getJob(jobId))!.progress;
    assert.deepEqual([exact.succeeded, exact.failed], [0, 0], "the engine reads recorded counts only");
    const page = await t.store.listJobs(ACCOUNT, undefined, 10, undefined, 2_000);
    const listed = page.find((j) => j.jobId === jobId)!.progress;
    assert.deepEqual([listed.succeeded, listed.failed], [50, 2], "ListJobs shows the same");
    const stretch = await t.store.readJobStretch(ACCOUNT, {}, 10, 2_000);
    assert.equal(stretch.find((j) => j.jobId === jobId)!.progress.succeeded, 50, "and the JSON listing");
    const activity = await t.store.readActivity(jobId, 2_000);
    assert.equal(activity!.inFlight, 200 - 52, "in flight: what the running chunks have not done yet");
  });

  it("takes counts only from the chunk's current lease holder, and never lowers them", async () => {
    const jobId = await runningJob(1, 1);
    await live(jobId, 0, 30, 5);
    await live(jobId, 0, 99, 0, "someone-else");
    assert.deepEqual(await shown(jobId), [30, 5], "a stranger's counts are ignored");
    // The lease runs out and another engine runs the chunk again from the start.
    const again = await t.store.leaseChunk(jobId, "holder-again", 70_000, 60_000);
    assert.equal(again?.seq, 0);
    await live(jobId, 0, 12, 1, "holder-again");
    assert.deepEqual(await shown(jobId), [30, 5], "a re-run stands still until it passes the earlier run");
    await live(jobId, 0, 45, 3, "holder-again");
    assert.deepEqual(await shown(jobId), [45, 5]);
  });

  it("moves the chunk's tasks into the recorded counters when it is recorded, in one step", async () => {
    const jobId = await runningJob(2, 2);
    await live(jobId, 0, 60, 0);
    await live(jobId, 1, 20, 0);
    assert.deepEqual(await shown(jobId), [80, 0]);
    assert.equal(await t.store.completeChunk(jobId, 0, "holder-0", results(97, 3), 3_000), true);
    assert.deepEqual(await shown(jobId), [117, 3], "97 + 3 recorded, 20 live of the other chunk");
    assert.equal((await t.store.readActivity(jobId, 3_000))!.inFlight, 80);
  });

  it("never shows more tasks than the job has", async () => {
    const jobId = await runningJob(2, 2);
    assert.equal(await t.store.completeChunk(jobId, 0, "holder-0", results(100, 0), 3_000), true);
    await live(jobId, 1, 100, 0);
    // A count past the chunk (a re-run that kept an earlier run's higher count) is cut at the total.
    await t.store.recordLiveProgress([{ jobId, seq: 1, leaseToken: "holder-1", succeeded: 90, failed: 60 }]);
    const [succeeded, failed] = await shown(jobId);
    assert.equal(succeeded + failed, 200);
  });

  it("shows a finished job's recorded counts alone", async () => {
    const jobId = await runningJob(2, 2);
    await live(jobId, 0, 50, 0);
    assert.equal(await t.store.completeChunk(jobId, 0, "holder-0", results(100, 0), 3_000), true);
    await t.store.abandonUnfinishedChunks(jobId);
    assert.ok(await t.store.transition(jobId, "Active", "Cancelling", 3_000));
    assert.ok(await t.store.transition(jobId, "Cancelling", "Cancelled", 3_000));
    assert.deepEqual(await shown(jobId), [100, 0]);
  });
});
