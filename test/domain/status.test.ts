import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  allowedTransitions,
  canRequestCancel,
  canRequestReady,
  canTransition,
  isTerminal,
  JOB_STATUSES,
  type JobStatus,
} from "../../src/domain/status.js";

describe("job status transition table", () => {
  it("knows all 13 statuses", () => {
    assert.equal(JOB_STATUSES.length, 13);
  });

  it("follows the lifecycle of S3 Batch Operations' job statuses", () => {
    const happy: JobStatus[] = ["New", "Preparing", "Ready", "Active", "Completing", "Complete"];
    for (let i = 0; i + 1 < happy.length; i++)
      assert.ok(canTransition(happy[i], happy[i + 1]), `${happy[i]}->${happy[i + 1]}`);
    assert.ok(canTransition("Preparing", "Suspended"));
    assert.ok(canTransition("Suspended", "Ready"));
    assert.ok(canTransition("Active", "Pausing"));
    assert.ok(canTransition("Pausing", "Paused"));
    assert.ok(canTransition("Paused", "Active"));
    assert.ok(canTransition("Active", "Failing"));
    assert.ok(canTransition("Failing", "Failed"));
    assert.ok(canTransition("Cancelling", "Cancelled"));
  });

  it("never leaves a terminal status and never skips a finishing phase", () => {
    for (const s of ["Complete", "Cancelled", "Failed"] as const) {
      assert.ok(isTerminal(s));
      assert.deepEqual(allowedTransitions(s), []);
    }
    assert.equal(canTransition("Active", "Complete"), false);
    assert.equal(canTransition("Active", "Cancelled"), false);
    assert.equal(canTransition("Ready", "Suspended"), false, "once Ready a job never returns to Suspended");
    assert.equal(canTransition("Completing", "Cancelling"), false);
  });

  it("allows cancel from every unfinished status but the finishing ones", () => {
    const cancellable = JOB_STATUSES.filter(canRequestCancel);
    assert.deepEqual(cancellable, ["New", "Preparing", "Suspended", "Ready", "Active", "Pausing", "Paused"]);
  });

  it("allows Ready only from Suspended (and Preparing when the dialect allows it)", () => {
    assert.deepEqual(
      JOB_STATUSES.filter((s) => canRequestReady(s, false)),
      ["Suspended"],
    );
    assert.deepEqual(
      JOB_STATUSES.filter((s) => canRequestReady(s, true)),
      ["Preparing", "Suspended"],
    );
  });

  it("every target of every move is a known status", () => {
    for (const from of JOB_STATUSES) for (const to of allowedTransitions(from)) assert.ok(JOB_STATUSES.includes(to));
  });
});
