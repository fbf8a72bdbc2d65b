/**
 * domain/failure-causes.ts: a chunk's failed tasks tallied by (HTTP status, error code) with at most five samples,
 * samples merged without repeats, causes ordered most tasks first, and the FailureReasons entries that name the
 * top three within S3 Control's limits.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  byCount,
  failureCauseReasons,
  MAX_ERROR_CODE_LENGTH,
  mergeSamples,
  tallyFailures,
} from "../../src/domain/failure-causes.js";
import { failed, succeeded } from "../../src/domain/task.js";

const entry = (key: string, result = failed(404, "NoSuchKey", "gone"), versionId?: string) => ({
  task: versionId === undefined ? { bucket: "b", key } : { bucket: "b", key, versionId },
  result,
});

describe("failure causes", () => {
  it("tallies failed tasks per status and code, skipping successes, with at most five samples", () => {
    const causes = tallyFailures([
      ...Array.from({ length: 7 }, (_, i) => entry(`k${i}`)),
      entry("ok", succeeded()),
      entry("v", failed(404, "NoSuchKey", "gone"), "v1"),
      entry("x", failed(403, "AccessDenied", "no")),
      entry("y", failed(404, "NoSuchBucket", "no")),
    ]);
    assert.deepEqual(
      causes.map((c) => [c.httpStatus, c.errorCode, c.count, c.sampleKeys.length]),
      [
        [404, "NoSuchKey", 8, 5],
        [403, "AccessDenied", 1, 1],
        [404, "NoSuchBucket", 1, 1],
      ],
    );
    assert.deepEqual(causes[0].sampleKeys[0], { bucket: "b", key: "k0" });
    assert.deepEqual(tallyFailures([entry("ok", succeeded())]), []);
  });

  it("cuts an overlong error code, so one cause is one bounded key", () => {
    const [cause] = tallyFailures([entry("k", failed(500, "E".repeat(500), "long"))]);
    assert.equal(cause.errorCode.length, MAX_ERROR_CODE_LENGTH);
  });

  it("merges samples without repeats, up to five", () => {
    const s = (key: string, versionId?: string) => (versionId ? { bucket: "b", key, versionId } : { bucket: "b", key });
    assert.deepEqual(mergeSamples([s("a"), s("b")], [s("b"), s("b", "v1"), s("c")]), [
      s("a"),
      s("b"),
      s("b", "v1"),
      s("c"),
    ]);
    assert.equal(mergeSamples([s("a"), s("b"), s("c")], [s("d"), s("e"), s("f"), s("g")]).length, 5);
  });

  it("orders causes most tasks first, then by status and code", () => {
    const c = (httpStatus: number, errorCode: string, count: number) => ({
      httpStatus,
      errorCode,
      count,
      sampleKeys: [],
    });
    const sorted = [c(404, "NoSuchKey", 2), c(403, "AccessDenied", 2), c(500, "InternalError", 9)].sort(byCount);
    assert.deepEqual(
      sorted.map((x) => x.errorCode),
      ["InternalError", "AccessDenied", "NoSuchKey"],
    );
  });

  it("names the top three causes in FailureReasons entries of at most 256 characters", () => {
    const c = (errorCode: string, count: number, key = "k") => ({
      httpStatus: 404,
      errorCode,
      count,
      sampleKeys: [{ bucket: "b", key }],
    });
    const reasons = failureCauseReasons([c("A", 5), c("B", 1), c("", 1), c("D", 1)]);
    assert.deepEqual(reasons, [
      { code: "TasksFailed", reason: "5 tasks failed: 404 A (e.g. b/k)" },
      { code: "TasksFailed", reason: "1 task failed: 404 B (e.g. b/k)" },
      { code: "TasksFailed", reason: "1 task failed: 404 (e.g. b/k)" },
    ]);
    const [long] = failureCauseReasons([c("NoSuchKey", 3, "x".repeat(1024))]);
    assert.equal(long.reason.length, 256);
    assert.match(long.reason, /^3 tasks failed: 404 NoSuchKey \(e\.g\. b\/x+\.\.\.$/);
  });
});
