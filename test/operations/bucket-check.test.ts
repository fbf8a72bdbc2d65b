/**
 * operations/bucket-check.ts on a real local data dir, through the job's storage view (engine/bucket-access.ts):
 * a bucket that does not exist is a failed row (404 NoSuchBucket); a bucket the job may not use is the storage's
 * own AccessDenied error, thrown; a bucket found is remembered per storage view (so a job asks once per bucket:
 * one deleted meanwhile is still taken as there by that view, not by a new one), a missing one is asked again,
 * and a view remembers at most 1,000 buckets.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { failed } from "../../src/domain/task.js";
import { BucketAccess, restrictStorage } from "../../src/engine/bucket-access.js";
import { noSuchBucketError } from "../../src/operations/bucket-check.js";
import type { OperationContext } from "../../src/operations/types.js";
import { StorageError } from "../../src/storage/errors.js";
import { type Fixture, fixture } from "../storage/local/helpers.js";

describe("noSuchBucketError", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["photos", "logs"]);
  });
  after(() => f.cleanup());

  /** A job's own view of the storage: the buckets `patterns` allow, AccessDenied for the rest. */
  const contextFor = (patterns: string[] = ["*"]): OperationContext => ({
    storage: restrictStorage(f.storage, new BucketAccess({ id: "acct-1", keys: [], buckets: patterns }, "role")),
    jobId: "job-1",
    accountId: "acct-1",
  });
  const removeBucket = (bucket: string) => rm(join(f.dataDir, "buckets", bucket), { recursive: true });

  it("answers nothing for a bucket that exists, and a failed row for one that does not", async () => {
    const context = contextFor();
    assert.equal(await noSuchBucketError(context, "photos"), undefined);
    assert.deepEqual(
      await noSuchBucketError(context, "nowhere"),
      failed(404, "NoSuchBucket", "The specified bucket does not exist: nowhere"),
    );
  });

  it("throws the storage's AccessDenied for a bucket the job may not use, whether it exists or not", async () => {
    const context = contextFor(["photos"]);
    for (const bucket of ["logs", "nowhere"]) {
      await assert.rejects(noSuchBucketError(context, bucket), (e: unknown) => {
        assert.ok(e instanceof StorageError);
        assert.deepEqual([e.code, e.httpStatus, e.retryable], ["AccessDenied", 403, false]);
        assert.match(e.message, new RegExp(`may not use bucket ${bucket}`));
        return true;
      });
    }
  });

  it("remembers a bucket it found, per storage view, and asks again about a missing one", async () => {
    await f.storage.createBucket("short-lived");
    const context = contextFor();
    assert.equal(await noSuchBucketError(context, "short-lived"), undefined);
    await removeBucket("short-lived");
    assert.equal(await noSuchBucketError(context, "short-lived"), undefined, "found once: not asked again");
    assert.equal(
      (await noSuchBucketError(contextFor(), "short-lived"))?.errorCode,
      "NoSuchBucket",
      "another view (another job) asks for itself",
    );
    assert.equal(
      await noSuchBucketError({ ...context, jobId: "job-2" }, "short-lived"),
      undefined,
      "the same view, whatever else the context holds",
    );

    assert.equal((await noSuchBucketError(context, "late"))?.errorCode, "NoSuchBucket");
    await f.storage.createBucket("late");
    assert.equal(await noSuchBucketError(context, "late"), undefined, "created meanwhile: asked again, and found");
  });

  it("remembers at most 1,000 buckets per view", async () => {
    const names = Array.from({ length: 1_001 }, (_, i) => `many-${String(i).padStart(4, "0")}`);
    for (const name of names) await f.storage.createBucket(name);
    const context = contextFor();
    for (const name of names) assert.equal(await noSuchBucketError(context, name), undefined, name);
    await removeBucket(names[0]!);
    await removeBucket(names[1_000]!);
    assert.equal(await noSuchBucketError(context, names[0]!), undefined, "the first thousand are remembered");
    assert.equal(
      (await noSuchBucketError(context, names[1_000]!))?.errorCode,
      "NoSuchBucket",
      "the 1,001st was not remembered: asked again",
    );
  });
});
