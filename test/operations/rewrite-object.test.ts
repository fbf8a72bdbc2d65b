/**
 * RewriteObject (Google rewriteObject with kmsKey, D45): the local backend, opened as the engine opens it, has no
 * KMS and refuses every task with 501 NotImplemented, writing nothing; the in-place copy's options keep what
 * the object has (s3rver in google-operations-s3.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { rewriteObject } from "../../src/operations/rewrite-object.js";
import { inPlaceCopyOptions } from "../../src/storage/in-place-copy.js";
import { withTargetSettings } from "../../src/storage/target-settings.js";
import type { ObjectInfo } from "../../src/storage/types.js";
import { type Fixture, text, withFixture } from "./helpers.js";

describe("rewriteObject on the local backend", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("refuses each task with 501 NotImplemented and leaves the object as it was", async () => {
    await f.storage.put("src", "k.txt", "secret", {
      metadata: { cacheControl: "c" },
      tags: [{ key: "t", value: "1" }],
    });
    const before = await f.storage.head("src", "k.txt");
    const context = { storage: withTargetSettings(f.storage), jobId: "j", accountId: "a" };
    const result = await rewriteObject(
      { bucket: "src", key: "k.txt" },
      { kind: "RewriteObject", kmsKey: "key-1" },
      context,
    );
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 501, "NotImplemented"]);
    assert.match(result.message, /SSE-KMS/);
    const after = await f.storage.head("src", "k.txt");
    assert.deepEqual(after, before);
    assert.equal(await text(f.storage.get("src", "k.txt")), "secret");
  });

  it("fails without a key (400) and for a missing object (404)", async () => {
    const context = { storage: withTargetSettings(f.storage), jobId: "j", accountId: "a" };
    const empty = await rewriteObject({ bucket: "src", key: "k.txt" }, { kind: "RewriteObject", kmsKey: "" }, context);
    assert.deepEqual([empty.httpStatus, empty.errorCode], [400, "InvalidArgument"]);
    const missing = await rewriteObject(
      { bucket: "src", key: "none" },
      { kind: "RewriteObject", kmsKey: "k" },
      context,
    );
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
  });
});

describe("inPlaceCopyOptions", () => {
  const info: ObjectInfo = {
    bucket: "b",
    key: "k",
    versionId: "v1",
    size: 1,
    etag: '"abc"',
    lastModified: new Date("2025-01-01T00:00:00Z"),
    storageClass: "STANDARD_IA",
    metadata: {},
    archived: false,
    objectLock: { legalHold: "ON", mode: "GOVERNANCE", retainUntilDate: new Date("2030-01-01T00:00:00Z") },
    encryption: { algorithm: "aws:kms", kmsKeyId: "old-key", bucketKeyEnabled: true },
  };

  it("keeps storage class, encryption, tags, ACL and Object Lock, conditional on the ETag read", () => {
    assert.deepEqual(inPlaceCopyOptions(info, new Date("2026-01-01T00:00:00Z"), "v1"), {
      metadataDirective: "Copy",
      taggingDirective: "Copy",
      aclDirective: "Copy",
      ifMatch: '"abc"',
      sourceVersionId: "v1",
      storageClass: "STANDARD_IA",
      sseAlgorithm: "aws:kms",
      sseKmsKeyId: "old-key",
      bucketKeyEnabled: true,
      objectLockLegalHold: "ON",
      objectLockMode: "GOVERNANCE",
      objectLockRetainUntilDate: new Date("2030-01-01T00:00:00Z"),
    });
  });

  it("leaves out a STANDARD class, no encryption and a retention that has ended", () => {
    const plain: ObjectInfo = {
      ...info,
      storageClass: "STANDARD",
      encryption: undefined,
      objectLock: { legalHold: "OFF", mode: "COMPLIANCE", retainUntilDate: new Date("2020-01-01T00:00:00Z") },
    };
    assert.deepEqual(inPlaceCopyOptions(plain, new Date("2026-01-01T00:00:00Z")), {
      metadataDirective: "Copy",
      taggingDirective: "Copy",
      aclDirective: "Copy",
      ifMatch: '"abc"',
    });
  });
});
