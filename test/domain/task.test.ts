/**
 * Task results (domain/task.ts): a plain "Successful" result is one frozen object per HTTP status, shared by every
 * task that ends with it (a chunk holds its results until it is recorded, so a million tasks would otherwise hold
 * a million copies of it); any other message gets a result of its own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failed, succeeded } from "../../src/domain/task.js";

describe("task results", () => {
  it("shares one frozen Successful result per status", () => {
    assert.equal(succeeded(), succeeded());
    assert.deepEqual(succeeded(), { status: "succeeded", httpStatus: 200, errorCode: "", message: "Successful" });
    assert.ok(Object.isFrozen(succeeded()));
    assert.equal(succeeded("Successful", 204), succeeded("Successful", 204));
    assert.equal(succeeded("Successful", 204).httpStatus, 204);
    assert.notEqual(succeeded("Successful", 204), succeeded());
  });

  it("gives any other message, and every failure, a result of its own", () => {
    assert.deepEqual(succeeded("Restored", 202), {
      status: "succeeded",
      httpStatus: 202,
      errorCode: "",
      message: "Restored",
    });
    assert.notEqual(succeeded("Restored", 202), succeeded("Restored", 202));
    assert.deepEqual(failed(404, "NoSuchKey", "gone"), {
      status: "failed",
      httpStatus: 404,
      errorCode: "NoSuchKey",
      message: "gone",
    });
  });
});
