/**
 * engine/errors.ts: how the errors the engine meets become the FailureReasons entry that fails a job, and
 * which errors are no job failure at all.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clipFailure, failureWhile, JobFailureError, jobFailureOf } from "../../src/engine/errors.js";
import { ManifestError } from "../../src/manifest/errors.js";
import { StorageError } from "../../src/storage/errors.js";
import { StoreUnavailableError } from "../../src/store/errors.js";

describe("jobFailureOf", () => {
  it("reads the entry off a JobFailureError or a ManifestError", () => {
    assert.deepEqual(jobFailureOf(new JobFailureError("NoSuchBucket", "The report bucket r does not exist.")), {
      code: "NoSuchBucket",
      reason: "The report bucket r does not exist.",
    });
    assert.deepEqual(jobFailureOf(new ManifestError("NoMatchingKeys", "No keys found.")), {
      code: "NoMatchingKeys",
      reason: "No keys found.",
    });
  });

  it("has none for anything else: a storage error not yet sorted, a bug", () => {
    assert.equal(jobFailureOf(new StorageError("NoSuchKey", 404, "gone")), undefined);
    assert.equal(jobFailureOf(new TypeError("x is undefined")), undefined);
    assert.equal(jobFailureOf("a string"), undefined);
  });
});

describe("failureWhile", () => {
  const what = "Reading the manifest b/m.csv failed";

  it("keeps an expected failure as it is", () => {
    const expected = new JobFailureError("ManifestETagMismatch", "mismatch");
    assert.equal(failureWhile(expected, what), expected);
    const manifest = new ManifestError("InvalidInventoryManifest", "not JSON");
    assert.equal(failureWhile(manifest, what), manifest);
  });

  it("fails the job with a storage error's code, saying what was being done", () => {
    const e = failureWhile(new StorageError("AccessDenied", 403, "no access to b"), what);
    assert.ok(e instanceof JobFailureError);
    assert.deepEqual(jobFailureOf(e), { code: "AccessDenied", reason: `${what}: no access to b` });
  });

  it("fails the job with InternalError for anything else", () => {
    assert.deepEqual(jobFailureOf(failureWhile(new Error("socket hang up"), what)), {
      code: "InternalError",
      reason: `${what}: socket hang up`,
    });
  });

  it("rethrows an unavailable store: that is no job failure, it is waited out", () => {
    const down = new StoreUnavailableError("unreachable", new Error("ECONNREFUSED"));
    assert.throws(
      () => failureWhile(down, what),
      (e) => e === down,
    );
  });
});

describe("clipFailure", () => {
  it("keeps FailureCode to 64 characters and FailureReason to 256", () => {
    const clipped = clipFailure({ code: "C".repeat(70), reason: "r".repeat(300) });
    assert.equal(clipped.code, "C".repeat(64));
    assert.equal(clipped.reason.length, 256);
    assert.ok(clipped.reason.endsWith("r..."));
    const short = { code: "X", reason: "r".repeat(256) };
    assert.deepEqual(clipFailure(short), short);
  });
});
