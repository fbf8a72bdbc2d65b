/**
 * Retries: exponential backoff with full jitter, what is worth retrying (throttling, 5xx, resets, timeouts)
 * and what is not (403, 404, 412 fail at once), and, through a real chunk on a local data dir, that a task
 * failing for good gets its report row at once, without a single backoff.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import type { Job, Operation } from "../../src/domain/job.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import { DEFAULT_ENGINE_OPTIONS } from "../../src/engine/options.js";
import {
  backoffDelay,
  isRetryable,
  isThrottling,
  type RetryPolicy,
  retryAfterFailure,
  withRetry,
} from "../../src/engine/retry.js";
import { StorageError } from "../../src/storage/errors.js";
import { openStorage } from "../../src/storage/open-storage.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { activeJob, copySpec } from "../helpers/specs.js";

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

const networkError = (code: string) => Object.assign(new Error(code), { code });

describe("backoffDelay", () => {
  it("draws from [0, min(max, base * 2^attempt))", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelay(policy, attempt, () => 0.999999)),
      [99, 199, 399, 799, 999, 999],
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0.5),
      400,
    );
  });
});

describe("what is worth retrying", () => {
  it("retries throttling, 5xx, resets and timeouts", () => {
    assert.equal(isRetryable(new StorageError("SlowDown", 503, "slow down")), true);
    assert.equal(isRetryable(new StorageError("InternalError", 500, "oops")), true);
    // 429 is a 4xx, but throttling: retried whatever the backend said.
    assert.equal(isRetryable(new StorageError("TooManyRequests", 429, "slow", false)), true);
    assert.equal(isRetryable(new StorageError("Throttling", 400, "slow", false)), true);
    for (const code of ["ECONNRESET", "ETIMEDOUT", "EPIPE", "ECONNREFUSED", "EAI_AGAIN", "UND_ERR_SOCKET"]) {
      assert.equal(isRetryable(networkError(code)), true, code);
    }
    assert.equal(isRetryable(Object.assign(new Error("timed out"), { name: "TimeoutError" })), true);
  });

  it("does not retry answers that will not change, nor our own aborts and bugs", () => {
    for (const [code, status] of [
      ["AccessDenied", 403],
      ["NoSuchKey", 404],
      ["PreconditionFailed", 412],
      ["InvalidArgument", 400],
    ] as const) {
      assert.equal(isRetryable(new StorageError(code, status, code)), false, code);
    }
    assert.equal(isRetryable(Object.assign(new Error("aborted"), { name: "AbortError" })), false);
    assert.equal(isRetryable(new TypeError("bug")), false);
    assert.equal(isRetryable(undefined), false);
  });

  it("tells throttling apart from other failures", () => {
    assert.equal(isThrottling(new StorageError("SlowDown", 503, "")), true);
    assert.equal(isThrottling(new StorageError("ServiceUnavailable", 503, "")), true);
    assert.equal(isThrottling(new StorageError("TooManyRequests", 429, "")), true);
    assert.equal(isThrottling(new StorageError("RequestLimitExceeded", 400, "")), true);
    assert.equal(isThrottling(new StorageError("InternalError", 500, "")), false);
    assert.equal(isThrottling(new StorageError("NoSuchKey", 404, "")), false);
    assert.equal(isThrottling(networkError("ECONNRESET")), false);
  });
});

describe("withRetry", () => {
  const quick = () => {
    const delays: number[] = [];
    return { delays, sleep: async (ms: number) => void delays.push(ms), random: () => 0.999999 };
  };

  it("retries with growing delays until an attempt succeeds", async () => {
    const hooks = quick();
    const errors: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 4) throw new StorageError("InternalError", 500, "oops");
        return "ok";
      },
      policy,
      { ...hooks, onError: (_e, attempt) => errors.push(attempt) },
    );
    assert.equal(result, "ok");
    assert.equal(calls, 4);
    assert.deepEqual(hooks.delays, [99, 199, 399]);
    assert.deepEqual(errors, [0, 1, 2]);
  });

  it("spreads retries wider after throttling (5 x the base unless the policy says)", async () => {
    for (const [retryPolicy, expected] of [
      [policy, [499, 999, 999]],
      [{ ...policy, throttlingBaseDelayMs: 200 }, [199, 399, 799]],
    ] as const) {
      const hooks = quick();
      let calls = 0;
      await withRetry(
        async () => {
          if (++calls < 4) throw new StorageError("SlowDown", 503, "slow down");
        },
        retryPolicy,
        hooks,
      );
      assert.deepEqual(hooks.delays, expected);
    }
    assert.equal(
      backoffDelay(policy, 0, () => 0.5, true),
      250,
    );
  });

  it("gives up after the policy's attempts and throws the last error", async () => {
    const hooks = quick();
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw networkError("ECONNRESET");
        },
        policy,
        hooks,
      ),
      /ECONNRESET/,
    );
    assert.equal(calls, 5);
    assert.equal(hooks.delays.length, 4);
  });

  it("throws a permanent error at once", async () => {
    for (const [code, status] of [
      ["AccessDenied", 403],
      ["NoSuchKey", 404],
      ["PreconditionFailed", 412],
    ] as const) {
      const hooks = quick();
      let calls = 0;
      await assert.rejects(
        withRetry(
          async () => {
            calls++;
            throw new StorageError(code, status, code);
          },
          policy,
          hooks,
        ),
        (e: StorageError) => e.code === code,
      );
      assert.equal(calls, 1, code);
      assert.deepEqual(hooks.delays, []);
    }
  });

  it("stops retrying once the signal aborts (an AbortSignal alone is accepted too)", async () => {
    const abort = new AbortController();
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          if (++calls === 2) abort.abort();
          throw new StorageError("SlowDown", 503, "slow down");
        },
        { attempts: 10, baseDelayMs: 1, maxDelayMs: 1 },
        abort.signal,
      ),
      (e: StorageError) => e.code === "SlowDown",
    );
    assert.equal(calls, 2);
  });
});

describe("retryAfterFailure (a first attempt made without the retry machinery)", () => {
  const quick = () => {
    const delays: number[] = [];
    return { delays, sleep: async (ms: number) => void delays.push(ms), random: () => 0.999999 };
  };

  it("goes on as withRetry would after that attempt: same delays, attempts numbered from the first", async () => {
    const hooks = quick();
    const errors: number[] = [];
    let calls = 1; // the first attempt, made by the caller, threw
    const result = await retryAfterFailure(
      async () => {
        if (++calls < 4) throw new StorageError("InternalError", 500, "oops");
        return "ok";
      },
      new StorageError("InternalError", 500, "first"),
      policy,
      { ...hooks, onError: (_e, attempt) => errors.push(attempt) },
    );
    assert.equal(result, "ok");
    assert.equal(calls, 4);
    assert.deepEqual(hooks.delays, [99, 199, 399]);
    assert.deepEqual(errors, [0, 1, 2]);
  });

  it("counts the first attempt against the policy's attempts", async () => {
    const hooks = quick();
    let calls = 1;
    await assert.rejects(
      retryAfterFailure(
        async () => {
          calls++;
          throw networkError("ECONNRESET");
        },
        networkError("ECONNRESET"),
        policy,
        hooks,
      ),
      /ECONNRESET/,
    );
    assert.equal(calls, 5);
    assert.equal(hooks.delays.length, 4);
  });

  it("rethrows a permanent first error without another attempt, and any error once the signal aborted", async () => {
    let calls = 0;
    const attempt = async () => {
      calls++;
    };
    const errors: number[] = [];
    await assert.rejects(
      retryAfterFailure(attempt, new StorageError("NoSuchKey", 404, "gone"), policy, {
        onError: (_e, n) => errors.push(n),
      }),
      (e: StorageError) => e.code === "NoSuchKey",
    );
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      retryAfterFailure(attempt, new StorageError("SlowDown", 503, "slow"), policy, aborted.signal),
      (e: StorageError) => e.code === "SlowDown",
    );
    assert.equal(calls, 0);
    assert.deepEqual(errors, [0], "the first error is heard once");
  });
});

describe("permanent task failures in a real chunk", () => {
  let dataDir: string;
  let storage: ObjectStorage;
  let executor: InProcessExecutor;
  const manifest = "src,a.txt\nsrc,missing.txt\n";

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-retry-"));
    for (const bucket of ["src", "dst", "forbidden"])
      await mkdir(join(dataDir, "buckets", bucket), { recursive: true });
    await writeFile(join(dataDir, "buckets", "src", "a.txt"), "a");
    await writeFile(join(dataDir, "buckets", "src", "m.csv"), manifest);
    storage = await openStorage({ kind: "local", dataDir });
    // A backoff of a minute: a single retry would time the test out.
    const options = { ...DEFAULT_ENGINE_OPTIONS, retry: { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } };
    const accounts = new StaticAccountRegistry([{ id: "1250000000", keys: [], buckets: ["src", "dst"] }]);
    executor = new InProcessExecutor(storage, accounts, options, pino({ level: "silent" }));
  });
  after(async () => {
    await executor.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function run(jobId: string, operation: Operation) {
    const job = activeJobOf(jobId, operation);
    executor.updateStatuses(new Map([[jobId, "Active"]]));
    const started = Date.now();
    const execution = await executor.execute(job, {
      seq: 0,
      startByte: 0,
      endByte: Buffer.byteLength(manifest),
      firstRecord: 0,
    });
    assert.ok(Date.now() - started < 10_000);
    assert.equal(execution.kind, "done");
    if (execution.kind !== "done") throw new Error("aborted");
    return execution.results;
  }

  it("404 NoSuchKey", async () => {
    const results = await run("job-404", { kind: "PutObjectCopy", targetResource: { arn: "dst", bucket: "dst" } });
    assert.deepEqual([results.succeeded, results.failed], [1, 1]);
    assert.match(results.failedRows ?? "", /^src,missing.txt,,failed,404,NoSuchKey,/m);
    assert.equal(executor.throttleStats().get("job-404")?.throttles, 0);
  });

  it("403 AccessDenied", async () => {
    const results = await run("job-403", {
      kind: "PutObjectCopy",
      targetResource: { arn: "forbidden", bucket: "forbidden" },
    });
    assert.deepEqual([results.succeeded, results.failed], [0, 2]);
    assert.match(results.failedRows ?? "", /^src,a.txt,,failed,403,AccessDenied,/m);
  });

  it("412 PreconditionFailed", async () => {
    const results = await run("job-412", {
      kind: "PutObjectCopy",
      targetResource: { arn: "dst", bucket: "dst" },
      modifiedSinceConstraint: "2999-01-01T00:00:00Z",
    });
    assert.match(results.failedRows ?? "", /^src,a.txt,,failed,412,PreconditionFailed,/m);
    assert.match(results.failedRows ?? "", /^src,missing.txt,,failed,404,NoSuchKey,/m);
  });
});

function activeJobOf(jobId: string, operation: Operation): Job {
  const spec = copySpec(
    {
      manifest: {
        format: "COSBatchOperations_CSV_V1",
        fields: ["Bucket", "Key"],
        location: { bucket: { arn: "src", bucket: "src" }, key: "m.csv" },
      },
      report: { enabled: true, bucket: { arn: "src", bucket: "src" } },
    },
    operation,
  );
  return activeJob(jobId, spec, 2);
}
