/**
 * service/throughput-sampler.ts: the rate over the last ten seconds from timed readings of a job's finished tasks,
 * told only from a span long enough, never negative, bounded in jobs and samples. Times are given by the test.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ThroughputSampler } from "../../src/service/throughput-sampler.js";

const T0 = 1_700_000_000_000;

/** Reads the job every `stepMs` from `from` to `to` (inclusive), its count from `done(at)`; the last answer. */
function readEvery(
  sampler: ThroughputSampler,
  jobId: string,
  from: number,
  to: number,
  stepMs: number,
  done: (at: number) => number,
) {
  let rate: number | undefined;
  for (let at = from; at <= to; at += stepMs) rate = sampler.observe(jobId, at, done(at));
  return rate;
}

describe("ThroughputSampler", () => {
  it("tells no rate until a reading at least minSpanMs old is known, then the rate since the oldest", () => {
    const sampler = new ThroughputSampler();
    assert.equal(sampler.observe("j", T0, 0), undefined, "a first reading has nothing to compare with");
    assert.equal(sampler.observe("j", T0 + 1_000, 100), undefined, "1 s is too short a span");
    assert.equal(sampler.observe("j", T0 + 2_000, 300), 150, "(300 - 0) / 2 s");
    assert.equal(sampler.observe("j", T0 + 4_000, 300), 75, "nothing more in 2 s: (300 - 0) / 4 s");
  });

  it("takes the rate over the last windowMs only: what moved before it is forgotten", () => {
    const sampler = new ThroughputSampler();
    // 100 tasks/s for a minute, read every second, then 10 tasks/s.
    const done = (at: number) => (at <= T0 + 60_000 ? (at - T0) / 10 : 6_000 + (at - T0 - 60_000) / 100);
    assert.equal(readEvery(sampler, "j", T0, T0 + 60_000, 1_000, done), 100);
    const blended = sampler.observe("j", T0 + 65_000, done(T0 + 65_000));
    assert.equal(blended, (done(T0 + 65_000) - done(T0 + 55_000)) / 10, "half fast, half slow");
    assert.equal(readEvery(sampler, "j", T0 + 66_000, T0 + 80_000, 1_000, done), 10);
  });

  it("falls to 0 when the counts stand still (the workers died, or the job is paused), and comes back", () => {
    const sampler = new ThroughputSampler();
    const moving = (at: number) => Math.floor((at - T0) / 20);
    assert.equal(readEvery(sampler, "j", T0, T0 + 20_000, 1_000, moving), 50);
    const stuck = moving(T0 + 20_000);
    const partly = sampler.observe("j", T0 + 25_000, stuck)!;
    assert.ok(partly > 0 && partly < 50, `partly still: ${partly}`);
    assert.equal(
      readEvery(sampler, "j", T0 + 26_000, T0 + 40_000, 1_000, () => stuck),
      0,
    );
    // Another worker takes the chunks over once their leases end: the counts move again.
    const resumed = (at: number) => stuck + Math.floor((at - T0 - 40_000) / 10);
    assert.equal(readEvery(sampler, "j", T0 + 41_000, T0 + 60_000, 1_000, resumed), 100);
  });

  it("is never negative: counts lower than before start over from them", () => {
    const sampler = new ThroughputSampler();
    assert.equal(
      readEvery(sampler, "j", T0, T0 + 5_000, 1_000, (at) => 100 + (at - T0) / 10),
      100,
    );
    // The job was prepared again from scratch: its counts start from 0 again.
    const rate = sampler.observe("j", T0 + 6_000, 0);
    assert.equal(rate, undefined, "nothing kept is older than the new count");
    assert.equal(sampler.observe("j", T0 + 8_000, 40), 20);
  });

  it("answers a reading older than the newest one without keeping it (two reads that overlapped)", () => {
    const sampler = new ThroughputSampler();
    sampler.observe("j", T0, 0);
    sampler.observe("j", T0 + 4_000, 400);
    const late = sampler.observe("j", T0 + 3_000, 250);
    assert.ok(late !== undefined && late >= 0, "an answer, never negative");
    assert.equal(sampler.observe("j", T0 + 5_000, 500), 100, "the overlapping reading changed nothing");
    assert.equal(sampler.observe("j", T0 + 2_500, 100), 40, "even one whose count is below a kept sample's");
  });

  it("keeps at most maxSamples per job, spread over the window, however often the job is read", () => {
    const sampler = new ThroughputSampler({ windowMs: 10_000, maxSamples: 6 });
    // Read every 10 ms for 10 s at 100 tasks/s: the rate is still over the window, not over the last few reads.
    const rate = readEvery(sampler, "j", T0, T0 + 10_000, 10, (at) => (at - T0) / 10);
    assert.equal(rate, 100);
    const samples = (sampler as unknown as { jobs: Map<string, unknown[]> }).jobs.get("j")!;
    assert.ok(samples.length <= 6, `${samples.length} samples`);
    // Only the first reading of every 2 s (10 s over 5 gaps) is kept, so the span reaches back 8 s or more.
    assert.equal(sampler.observe("j", T0 + 10_010, 1_001), 100);
  });

  it("remembers at most maxJobs jobs, forgetting the one read longest ago", () => {
    const sampler = new ThroughputSampler({ maxJobs: 3 });
    for (const id of ["a", "b", "c"]) sampler.observe(id, T0, 0);
    sampler.observe("a", T0 + 1_000, 10); // a is now the most recently read
    sampler.observe("d", T0 + 1_000, 0); // one too many: b goes
    assert.equal(sampler.size, 3);
    assert.equal(sampler.observe("b", T0 + 3_000, 30), undefined, "b was forgotten: no earlier reading");
    assert.equal(sampler.observe("a", T0 + 3_000, 30), 10, "a was kept");
  });

  it("forgets a job on demand, and keeps jobs apart", () => {
    const sampler = new ThroughputSampler();
    sampler.observe("a", T0, 0);
    sampler.observe("b", T0, 1_000);
    assert.equal(sampler.observe("b", T0 + 2_000, 1_100), 50);
    sampler.forget("a");
    assert.equal(sampler.observe("a", T0 + 2_000, 500), undefined);
    assert.equal(sampler.size, 2);
  });
});
