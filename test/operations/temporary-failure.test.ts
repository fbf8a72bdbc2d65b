/**
 * operations/temporary-failure.ts: a function's TemporaryFailure answer is a retryable StorageError, so the
 * runner's retry policy applies to it unchanged (it is retried, but it is not throttling, so it gets no longer
 * backoff), an operation's settle() hands it to the runner instead of turning it into a row, and after the last
 * attempt the row the runner writes from it reads `failed,200,TemporaryFailure,<the function's resultString>`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failed } from "../../src/domain/task.js";
import { isRetryable, isThrottling, withRetry } from "../../src/engine/retry.js";
import { settle } from "../../src/operations/outcome.js";
import { TemporaryFunctionFailure } from "../../src/operations/temporary-failure.js";
import { formatRow } from "../../src/report/report-row.js";
import { isStorageError, StorageError } from "../../src/storage/errors.js";
import { fixture } from "../storage/local/helpers.js";

describe("TemporaryFunctionFailure", () => {
  it("is a retryable StorageError: code TemporaryFailure, status 200, the function's resultString as message", () => {
    const e = new TemporaryFunctionFailure("busy, try later");
    assert.ok(e instanceof StorageError && isStorageError(e));
    assert.deepEqual(
      [e.code, e.httpStatus, e.retryable, e.message, e.name],
      ["TemporaryFailure", 200, true, "busy, try later", "TemporaryFunctionFailure"],
    );
    assert.equal(new TemporaryFunctionFailure("").message, "");
  });

  it("is retried by the runner's policy, without the longer backoff of throttling", async () => {
    assert.equal(isRetryable(new TemporaryFunctionFailure("busy")), true);
    assert.equal(isThrottling(new TemporaryFunctionFailure("busy")), false);
    const waits: number[] = [];
    let attempts = 0;
    const last = await withRetry(
      async () => {
        attempts++;
        throw new TemporaryFunctionFailure(`busy, attempt ${attempts}`);
      },
      { attempts: 4, baseDelayMs: 100, throttlingBaseDelayMs: 10_000, maxDelayMs: 60_000 },
      { sleep: async (ms) => waits.push(ms), random: () => 0.999 },
    ).catch((e: unknown) => e);
    assert.equal(attempts, 4);
    assert.deepEqual(waits, [99, 199, 399], "the ordinary base, not the throttling one");
    assert.ok(last instanceof TemporaryFunctionFailure);
    assert.equal(last.message, "busy, attempt 4", "the last answer is the one reported");
  });

  it("passes through an operation's settle() to the runner, and becomes the row the last attempt writes", async () => {
    const f = await fixture([]);
    try {
      const context = { storage: f.storage, jobId: "job-1", accountId: "acct-1" };
      const thrown = await settle(context, async () => {
        throw new TemporaryFunctionFailure("warming up");
      }).catch((e: unknown) => e);
      assert.ok(thrown instanceof TemporaryFunctionFailure);
      const row = formatRow({ bucket: "b", key: "k" }, failed(thrown.httpStatus, thrown.code, thrown.message));
      assert.equal(row, "b,k,,failed,200,TemporaryFailure,warming up\n");
    } finally {
      await f.cleanup();
    }
  });
});
