/**
 * The storage error model (errors.ts): StorageError's retryability by default and by choice, and the codes
 * every backend answers, with S3's status and a message that names the bucket and key.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accessDenied,
  internalError,
  invalidArgument,
  invalidKey,
  invalidObjectState,
  invalidRange,
  isStorageError,
  keyTooLong,
  noSuchBucket,
  noSuchKey,
  noSuchUpload,
  noSuchVersion,
  notImplemented,
  preconditionFailed,
  StorageError,
  where,
} from "../../src/storage/errors.js";

describe("StorageError", () => {
  it("is retryable for 5xx by default, for 4xx never unless said", () => {
    assert.equal(new StorageError("InternalError", 500, "m").retryable, true);
    assert.equal(new StorageError("SlowDown", 503, "m").retryable, true);
    assert.equal(new StorageError("NoSuchKey", 404, "m").retryable, false);
    assert.equal(new StorageError("TooManyRequests", 429, "m", true).retryable, true);
    assert.equal(new StorageError("NotImplemented", 501, "m", false).retryable, false);
    const e = new StorageError("AccessDenied", 403, "no");
    assert.ok(e instanceof Error);
    assert.equal(e.name, "StorageError");
    assert.ok(isStorageError(e));
    assert.ok(!isStorageError(new Error("plain")));
  });
});

describe("the codes every backend answers", () => {
  it("names the bucket and key, escaping control characters, the bucket alone without a key", () => {
    assert.equal(where("b", "a/b.txt"), "b/a/b.txt");
    assert.equal(where("b", "line\nbreak"), "b/line\\nbreak");
    assert.equal(where("b", ""), "b");
    assert.equal(where("b"), "b");
  });

  it("gives each code S3's status and retryability", () => {
    const cases: [StorageError, string, number, boolean][] = [
      [noSuchBucket("b"), "NoSuchBucket", 404, false],
      [noSuchKey("b", "k"), "NoSuchKey", 404, false],
      [noSuchVersion("b", "k", "v1"), "NoSuchVersion", 404, false],
      [noSuchUpload("b", "k", "u"), "NoSuchUpload", 404, false],
      [accessDenied("b", "k", "why"), "AccessDenied", 403, false],
      [invalidArgument("bad"), "InvalidArgument", 400, false],
      [invalidKey("b", "k", "why"), "InvalidArgument", 400, false],
      [keyTooLong("b", "k", "why"), "KeyTooLongError", 400, false],
      [invalidObjectState("b", "k", "why"), "InvalidObjectState", 403, false],
      [preconditionFailed("b", "k", "why"), "PreconditionFailed", 412, false],
      [invalidRange({ start: 5, end: 1 }), "InvalidRange", 416, false],
      [notImplemented("no"), "NotImplemented", 501, false],
      [internalError("closed", false), "InternalError", 500, false],
      [internalError("no body"), "InternalError", 500, true],
    ];
    for (const [e, code, status, retryable] of cases) {
      assert.deepEqual([e.code, e.httpStatus, e.retryable], [code, status, retryable], e.message);
    }
  });

  it("says where and why", () => {
    assert.equal(noSuchKey("b", "k").message, "The specified key does not exist: b/k");
    assert.equal(
      noSuchVersion("b", "k", "v1", 'only "null" exists').message,
      'The specified version does not exist: b/k version v1 (only "null" exists)',
    );
    assert.equal(noSuchVersion("b", "k", "v1").message, "The specified version does not exist: b/k version v1");
    assert.match(accessDenied("b", "", "the bucket directory is a symbolic link").message, /^Access Denied: b: the/);
    assert.match(preconditionFailed("b", "k", "If-Match x").message, /did not hold: b\/k: If-Match x$/);
    assert.match(invalidRange({ start: 9, end: 10 }, "b/k of 3 bytes").message, /not satisfiable for b\/k of 3 bytes/);
  });
});
