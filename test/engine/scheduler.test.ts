import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planSchedule, type SchedulableJob } from "../../src/engine/scheduler.js";

const job = (jobId: string, status: SchedulableJob["status"], priority: number, creationTime = 0): SchedulableJob => ({
  jobId,
  status,
  priority,
  creationTime,
});

describe("planSchedule", () => {
  it("activates ready jobs while slots are free", () => {
    const moves = planSchedule([job("a", "Ready", 1), job("b", "Ready", 5)], 2);
    assert.deepEqual(
      moves.map((m) => [m.jobId, m.to]),
      [
        ["b", "Active"],
        ["a", "Active"],
      ],
    );
  });

  it("runs the highest priority first and leaves the rest Ready", () => {
    const moves = planSchedule([job("low", "Ready", 1), job("high", "Ready", 9)], 1);
    assert.deepEqual(moves, [{ jobId: "high", from: "Ready", to: "Active" }]);
  });

  it("preempts the lowest-priority active job for a higher-priority ready one (D13)", () => {
    const moves = planSchedule([job("low", "Active", 1), job("high", "Ready", 9)], 1);
    assert.deepEqual(moves, [
      { jobId: "high", from: "Ready", to: "Active" },
      { jobId: "low", from: "Active", to: "Pausing" },
    ]);
  });

  it("resumes a paused job when a slot frees up", () => {
    const moves = planSchedule([job("p", "Paused", 1)], 1);
    assert.deepEqual(moves, [{ jobId: "p", from: "Paused", to: "Active" }]);
  });

  it("does not preempt for an equal priority; the older job keeps its slot", () => {
    const moves = planSchedule([job("old", "Active", 5, 1), job("new", "Ready", 5, 2)], 1);
    assert.deepEqual(moves, []);
  });

  it("ignores jobs that are not contending for slots", () => {
    assert.deepEqual(planSchedule([job("s", "Suspended", 100), job("c", "Completing", 100)], 1), []);
  });

  describe("jobs a user paused (held, D31)", () => {
    const held = (jobId: string, status: SchedulableJob["status"], priority: number, creationTime = 0) => ({
      ...job(jobId, status, priority, creationTime),
      held: true,
    });

    it("never resumes a held Paused or Pausing job, even with every slot free", () => {
      assert.deepEqual(planSchedule([held("p", "Paused", 9), held("q", "Pausing", 9)], 4), []);
    });

    it("gives a held job's slot to the next contender: it is no contender", () => {
      const moves = planSchedule(
        [held("top", "Paused", 100), held("going", "Pausing", 50), job("a", "Active", 1), job("r", "Ready", 2)],
        2,
      );
      assert.deepEqual(moves, [{ jobId: "r", from: "Ready", to: "Active" }]);
    });

    it("lets a held job preempt nobody, and be preempted by nobody", () => {
      const moves = planSchedule([held("h", "Paused", 9), job("low", "Active", 1)], 1);
      assert.deepEqual(moves, [], "the Active job keeps its slot");
    });

    it("ranks a job as before once it is let go", () => {
      const moves = planSchedule([job("p", "Paused", 9), job("low", "Active", 1)], 1);
      assert.deepEqual(moves, [
        { jobId: "p", from: "Paused", to: "Active" },
        { jobId: "low", from: "Active", to: "Pausing" },
      ]);
    });
  });
});
