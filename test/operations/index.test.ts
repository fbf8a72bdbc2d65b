/**
 * runOperation dispatches on the operation kind; unknown kinds and bugs become report rows.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Operation } from "../../src/domain/job.js";
import { runOperation, supportedOperationKinds } from "../../src/operations/index.js";
import { settle } from "../../src/operations/outcome.js";
import { StorageError } from "../../src/storage/errors.js";
import { contextOf, type Fixture, text, withFixture } from "./helpers.js";

describe("runOperation", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("runs every supported kind on the storage", async () => {
    await f.drop("src", "k.txt", "k");
    const task = { bucket: "src", key: "k.txt" };
    const ctx = contextOf(f);
    const run = (operation: Operation) => runOperation(task, operation, ctx);
    assert.equal((await run({ kind: "PutObjectTagging", tagSet: [{ key: "a", value: "1" }] })).status, "succeeded");
    assert.equal((await run({ kind: "AddObjectTagging", tagSet: [{ key: "b", value: "2" }] })).status, "succeeded");
    assert.deepEqual(await f.storage.getTagging("src", "k.txt"), [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    assert.equal((await run({ kind: "DeleteObjectTagging" })).httpStatus, 204);
    assert.deepEqual(await f.storage.getTagging("src", "k.txt"), []);
    assert.equal((await run({ kind: "PutObjectAcl", acl: { canned: "public-read" } })).status, "succeeded");
    assert.deepEqual(await f.storage.getAcl("src", "k.txt"), { canned: "public-read" });
    const restore = await run({ kind: "InitiateRestoreObject", expirationInDays: 1, tier: "Standard" });
    assert.equal(restore.errorCode, "InvalidObjectState");
    const copied = await run({ kind: "PutObjectCopy", targetResource: { arn: "arn:aws:s3:::dst", bucket: "dst" } });
    assert.equal(copied.status, "succeeded");
    assert.equal(await text(f.storage.get("dst", "k.txt")), "k");
    assert.equal((await run({ kind: "DeleteObject" })).status, "succeeded");
    await assert.rejects(f.storage.head("src", "k.txt"), { code: "NoSuchKey" });
  });

  it("runs Object Lock and checksum kinds; ReplicateObject fails with a clear row; lists the supported kinds", async () => {
    await f.drop("src", "lock.txt", "123456789");
    const task = { bucket: "src", key: "lock.txt" };
    const ctx = contextOf(f);
    const run = (operation: Operation) => runOperation(task, operation, ctx);
    assert.equal((await run({ kind: "PutObjectLegalHold", status: "ON" })).status, "succeeded");
    assert.equal((await run({ kind: "DeleteObject" })).errorCode, "AccessDenied");
    assert.equal((await run({ kind: "PutObjectLegalHold", status: "OFF" })).status, "succeeded");
    const retention = await run({
      kind: "PutObjectRetention",
      mode: "GOVERNANCE",
      retainUntilDate: "2099-01-01T00:00:00Z",
    });
    assert.equal(retention.status, "succeeded");
    assert.equal((await f.storage.head("src", "lock.txt")).objectLock?.mode, "GOVERNANCE");
    const checksum = await run({ kind: "ComputeObjectChecksum", algorithm: "CRC32C" });
    assert.equal(JSON.parse(checksum.message).hex, "e3069283");
    const invoke = await run({ kind: "InvokeFunction", functionArn: "arn:aws:lambda:us-east-1:1:function:none" });
    assert.deepEqual([invoke.status, invoke.httpStatus, invoke.errorCode], ["failed", 400, "InvalidRequest"]);
    const replicate = await run({ kind: "ReplicateObject" });
    assert.deepEqual([replicate.status, replicate.httpStatus, replicate.errorCode], ["failed", 400, "InvalidRequest"]);
    assert.match(replicate.message, /no replication configuration/);

    // Google's kinds (D45), dispatched to their modules (each has its own tests).
    const hold = await run({ kind: "PutObjectHold", eventBasedHold: true });
    assert.equal(hold.status, "succeeded");
    assert.equal((await f.storage.head("src", "lock.txt")).objectLock?.eventBasedHold, true);
    assert.equal((await run({ kind: "PutObjectHold", eventBasedHold: false })).status, "succeeded");
    const meta = await run({ kind: "UpdateObjectMetadata", cacheControl: "no-store" });
    assert.equal(meta.status, "succeeded");
    assert.equal((await f.storage.head("src", "lock.txt")).metadata.cacheControl, "no-store");
    const context = await run({ kind: "UpdateObjectCustomContext", set: [{ key: "c", value: "1" }] });
    assert.equal(context.status, "succeeded");
    assert.deepEqual(await f.storage.getTagging("src", "lock.txt"), [{ key: "c", value: "1" }]);

    assert.deepEqual([...supportedOperationKinds].sort(), [
      "AddObjectTagging",
      "ComputeObjectChecksum",
      "DeleteObject",
      "DeleteObjectTagging",
      "InitiateRestoreObject",
      "InvokeFunction",
      "PutObjectAcl",
      "PutObjectCopy",
      "PutObjectHold",
      "PutObjectLegalHold",
      "PutObjectRetention",
      "PutObjectTagging",
      "RewriteObject",
      "UpdateObjectCustomContext",
      "UpdateObjectMetadata",
    ]);
    assert.equal(supportedOperationKinds.has("ReplicateObject"), false);
  });

  it("answers 501 NotImplemented for a kind the dispatcher does not know", async () => {
    const alien = { kind: "S3UpdateObjectEncryption" } as unknown as Operation;
    const result = await runOperation({ bucket: "src", key: "any" }, alien, contextOf(f));
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 501, "NotImplemented"]);
    assert.match(result.message, /S3UpdateObjectEncryption/);
  });

  it("turns a bug (a non-storage exception) into 500 InternalError instead of throwing", async () => {
    await f.drop("src", "bug.txt", "b");
    const malformed = { kind: "PutObjectTagging", tagSet: undefined } as unknown as Operation;
    const result = await runOperation({ bucket: "src", key: "bug.txt" }, malformed, contextOf(f));
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 500, "InternalError"]);
    assert.ok(result.message.length > 0);
  });
});

describe("settle", () => {
  const ctx = { storage: undefined as never, jobId: "j", accountId: "a" };

  it("re-throws retryable storage errors for the runner's retry policy", async () => {
    const slowDown = new StorageError("SlowDown", 503, "Please reduce your request rate");
    await assert.rejects(
      settle(ctx, async () => {
        throw slowDown;
      }),
      (e) => e === slowDown,
    );
  });

  it("turns non-retryable storage errors into failed rows with their status, code and message", async () => {
    const result = await settle(ctx, async () => {
      throw new StorageError("NoSuchKey", 404, "The specified key does not exist: b/k");
    });
    assert.deepEqual(result, {
      status: "failed",
      httpStatus: 404,
      errorCode: "NoSuchKey",
      message: "The specified key does not exist: b/k",
    });
  });

  it("re-throws anything once the task's signal is aborted (shutdown is not a result)", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      settle({ ...ctx, signal: controller.signal }, async () => {
        throw new Error("aborted");
      }),
      /aborted/,
    );
  });
});
