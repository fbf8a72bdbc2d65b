/**
 * The local backend's filesystem errors in the storage error model (local/errors.ts): each errno becomes the
 * code and status S3 would answer for a comparable failure, retried only where waiting can help.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StorageError } from "../../../src/storage/errors.js";
import { fromFsError, isErrno } from "../../../src/storage/local/errors.js";

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

describe("fromFsError", () => {
  it("maps each errno to S3's code, status and retryability, naming the bucket and key", () => {
    const cases: [string, string, number, boolean][] = [
      ["ENOENT", "NoSuchKey", 404, false],
      ["ELOOP", "AccessDenied", 403, false],
      ["EACCES", "AccessDenied", 403, false],
      ["EROFS", "AccessDenied", 403, false],
      ["ENAMETOOLONG", "KeyTooLongError", 400, false],
      ["ENOTDIR", "InvalidArgument", 400, false],
      ["EISDIR", "InvalidArgument", 400, false],
      ["ENOSPC", "InsufficientStorage", 507, false],
      ["EDQUOT", "InsufficientStorage", 507, false],
      ["EMFILE", "ServiceUnavailable", 503, true],
      ["EAGAIN", "ServiceUnavailable", 503, true],
      ["EIO", "InternalError", 500, true],
    ];
    for (const [code, s3Code, status, retryable] of cases) {
      const e = fromFsError(errno(code), "bucket", "dir/key");
      assert.deepEqual([e.code, e.httpStatus, e.retryable], [s3Code, status, retryable], code);
      assert.match(e.message, /bucket\/dir\/key/, code);
    }
  });

  it("passes a StorageError through and tells errno codes apart", () => {
    const already = new StorageError("PreconditionFailed", 412, "kept");
    assert.equal(fromFsError(already, "b", "k"), already);
    assert.equal(isErrno(errno("ENOENT"), "ENOENT"), true);
    assert.equal(isErrno(errno("ENOENT"), "EEXIST"), false);
    assert.equal(isErrno(undefined, "ENOENT"), false);
  });
});
