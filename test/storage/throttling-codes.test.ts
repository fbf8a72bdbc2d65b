/**
 * storage/throttling-codes.ts: the one list of error codes that mean "slow down" or "briefly overloaded",
 * whatever HTTP status comes with them. Both places that read it must honour every code on it: the engine's
 * retry policy takes each as throttling (retried, with the longer backoff), and the S3 backend marks each
 * retryable when the AWS SDK reports it, even on a 4xx.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRetryable, isThrottling } from "../../src/engine/retry.js";
import { StorageError } from "../../src/storage/errors.js";
import { isRetryableStatus, toStorageError } from "../../src/storage/s3/errors.js";
import { THROTTLING_CODES } from "../../src/storage/throttling-codes.js";

describe("THROTTLING_CODES", () => {
  it("lists S3's, COS's and the AWS SDK's slow-down codes, each once", () => {
    for (const code of [
      "SlowDown",
      "Throttling",
      "ThrottlingException",
      "RequestLimitExceeded",
      "TooManyRequests",
      "TooManyRequestsException",
      "ServiceUnavailable",
      "BandwidthLimitExceeded",
    ]) {
      assert.ok(THROTTLING_CODES.includes(code), code);
    }
    assert.equal(new Set(THROTTLING_CODES).size, THROTTLING_CODES.length, "no code twice");
    for (const code of THROTTLING_CODES) assert.match(code, /^[A-Z][A-Za-z]+$/, "as the services spell them");
  });

  it("makes the engine retry each code as throttling, whatever the status and the backend said", () => {
    for (const code of THROTTLING_CODES) {
      const e = new StorageError(code, 400, "slow down", false);
      assert.equal(isThrottling(e), true, code);
      assert.equal(isRetryable(e), true, code);
    }
    const other = new StorageError("AccessDenied", 400, "no", false);
    assert.deepEqual([isThrottling(other), isRetryable(other)], [false, false]);
  });

  it("makes the S3 backend mark each code retryable, even on a 4xx answer", () => {
    for (const code of THROTTLING_CODES) {
      assert.equal(isRetryableStatus(400, code), true, code);
      const mapped = toStorageError(
        Object.assign(new Error("Please reduce your request rate."), {
          name: code,
          $metadata: { httpStatusCode: 400 },
        }),
        "bucket",
        "key",
      );
      assert.ok(mapped instanceof StorageError, code);
      assert.deepEqual([mapped.code, mapped.httpStatus, mapped.retryable], [code, 400, true]);
    }
    assert.equal(isRetryableStatus(400, "InvalidArgument"), false);
  });
});
