/** jobProgress: the JSON API's progress from recorded counters and activity, and the recent rate given (pure). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jobProgress } from "../../src/service/job-progress.js";

const job = (status: string, total: number, succeeded: number, failed: number) =>
  ({ status, progress: { total, succeeded, failed, elapsedActiveSeconds: 0 } }) as Parameters<typeof jobProgress>[0];

describe("jobProgress", () => {
  it("has no total, rate or time left before the manifest is counted", () => {
    assert.deepEqual(jobProgress(job("Preparing", -1, 0, 0), { activeMs: 0, inFlight: 0 }), {
      total: null,
      succeeded: 0,
      failed: 0,
      inFlight: 0,
      tasksPerSecond: 0,
      averageTasksPerSecond: 0,
      etaSeconds: null,
      elapsedMs: 0,
    });
  });

  it("without a recent rate, rates finished tasks over Active time and tells the time left at that rate", () => {
    const p = jobProgress(job("Active", 1000, 200, 100), { activeMs: 3_000, inFlight: 100 });
    assert.equal(p.tasksPerSecond, 100);
    assert.equal(p.averageTasksPerSecond, 100);
    assert.equal(p.etaSeconds, 7);
    assert.equal(p.inFlight, 100);
  });

  it("shows the recent rate beside the average and tells the time left at the recent one", () => {
    const p = jobProgress(job("Active", 1000, 200, 100), { activeMs: 3_000, inFlight: 100 }, 350.12345);
    assert.equal(p.tasksPerSecond, 350.123);
    assert.equal(p.averageTasksPerSecond, 100);
    assert.equal(p.etaSeconds, 2);
  });

  it("has no time left to tell while nothing finished lately, whatever the average", () => {
    const p = jobProgress(job("Paused", 1000, 200, 100), { activeMs: 3_000, inFlight: 0 }, 0);
    assert.equal(p.tasksPerSecond, 0);
    assert.equal(p.averageTasksPerSecond, 100);
    assert.equal(p.etaSeconds, null);
  });

  it("has no rate and no time left while held, whatever the last ten seconds measured", () => {
    for (const status of ["Paused", "Suspended"]) {
      const p = jobProgress(job(status, 1000, 200, 100), { activeMs: 3_000, inFlight: 0 }, 41.5);
      assert.equal(p.tasksPerSecond, 0, status);
      assert.equal(p.etaSeconds, null, status);
      assert.equal(p.averageTasksPerSecond, 100, status);
    }
    // Pausing: its running chunks still finish tasks, at the rate measured.
    assert.equal(
      jobProgress(job("Pausing", 1000, 200, 100), { activeMs: 3_000, inFlight: 50 }, 41.5).tasksPerSecond,
      41.5,
    );
  });

  it("never shows more in flight than is left to record (a chunk run again after a lost lease)", () => {
    const p = jobProgress(job("Active", 1000, 900, 50), { activeMs: 10_000, inFlight: 1000 });
    assert.equal(p.inFlight, 50);
  });

  it("has nothing left once finished, whatever the chunks still say: no recent rate, the average stays", () => {
    const p = jobProgress(job("Failed", 1000, 10, 600), { activeMs: 4_000, inFlight: 1000 }, 42);
    assert.equal(p.etaSeconds, 0);
    assert.equal(p.inFlight, 0);
    assert.equal(p.tasksPerSecond, 0);
    assert.equal(p.averageTasksPerSecond, 152.5);
  });

  it("has no time left to tell while nothing has been recorded, and none to wait once all is", () => {
    assert.equal(jobProgress(job("Active", 10, 0, 0), { activeMs: 5_000, inFlight: 10 }).etaSeconds, null);
    assert.equal(jobProgress(job("Active", 10, 10, 0), { activeMs: 5_000, inFlight: 0 }).etaSeconds, 0);
  });
});
