/**
 * Copies between two stores (cross-store-copy.ts), through a RoutedStorage over s3rver and a local directory:
 * the object is streamed across, with the directives applied as a server-side copy would, the source's
 * preconditions checked, and settings the target cannot honour refused rather than dropped. The copy rule
 * itself, on every kind of copy: copy-attributes.test.ts.
 */
import assert from "node:assert/strict";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { isStorageError } from "../../src/storage/errors.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import type { S3rverHandle } from "../helpers/s3rver.js";
import { LOGS_ON_S3, withRoutedStorage } from "./helpers.js";

describe("copies across two stores (s3rver and a local directory)", () => {
  let s3: S3rverHandle;
  let storage: ObjectStorage;
  withRoutedStorage(LOGS_ON_S3, (routed) => {
    ({ s3, storage } = routed);
  });

  it("copies from S3 to a local bucket, keeping metadata and tags (Copy directives)", async () => {
    await storage.put("logs-a", "dir/cross.txt", "crossing", {
      metadata: { contentType: "text/x-cross", userMetadata: { who: "s3" } },
    });
    await storage.putTagging("logs-a", "dir/cross.txt", [{ key: "t", value: "1" }]);
    await storage.copy(
      { bucket: "logs-a", key: "dir/cross.txt" },
      { bucket: "local-a", key: "from-s3/cross.txt" },
      { aclDirective: "Replaced" },
    );
    const info = await storage.head("local-a", "from-s3/cross.txt");
    assert.equal(info.metadata.contentType, "text/x-cross");
    assert.deepEqual(info.metadata.userMetadata, { who: "s3" });
    assert.equal(info.etag, (await storage.head("logs-a", "dir/cross.txt")).etag);
    assert.deepEqual(await storage.getTagging("local-a", "from-s3/cross.txt"), [{ key: "t", value: "1" }]);
    assert.equal((await buffer(await storage.get("local-a", "from-s3/cross.txt"))).toString(), "crossing");
  });

  it("copies from a local bucket to S3 with Replaced metadata", async () => {
    await storage.put("local-b", "up.bin", "going up", {
      metadata: { contentType: "application/x-up", userMetadata: { old: "o" } },
    });
    await storage.copy(
      { bucket: "local-b", key: "up.bin" },
      { bucket: "logs-b", key: "up.bin" },
      {
        metadataDirective: "Replaced",
        metadata: { contentType: "text/x-new", userMetadata: { new: "n" } },
        aclDirective: "Replaced",
      },
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "logs-b", Key: "up.bin" }));
    assert.equal(head.ContentType, "text/x-new");
    assert.deepEqual(head.Metadata, { new: "n" });
    assert.equal((await buffer(await storage.get("logs-b", "up.bin"))).toString(), "going up");
  });

  it("merges tags and metadata over the source's with Add directives across stores", async () => {
    // (s3rver drops tags sent with PutObject, so tags are merged into the local side; radosgw checks the other way.)
    await storage.put("logs-a", "add.txt", "add", {
      metadata: { contentType: "text/plain", userMetadata: { a: "1", b: "old" } },
    });
    await storage.putTagging("logs-a", "add.txt", [
      { key: "keep", value: "k" },
      { key: "over", value: "old" },
    ]);
    await storage.copy(
      { bucket: "logs-a", key: "add.txt" },
      { bucket: "local-b", key: "add.txt" },
      {
        metadataDirective: "Add",
        metadata: { userMetadata: { b: "new" } },
        taggingDirective: "Add",
        tags: [
          { key: "over", value: "new" },
          { key: "added", value: "a" },
        ],
        aclDirective: "Replaced",
      },
    );
    const info = await storage.head("local-b", "add.txt");
    assert.equal(info.metadata.contentType, "text/plain");
    assert.deepEqual(info.metadata.userMetadata, { a: "1", b: "new" });
    const tags = (await storage.getTagging("local-b", "add.txt")).map((t) => `${t.key}=${t.value}`).sort();
    assert.deepEqual(tags, ["added=a", "keep=k", "over=new"]);
  });

  it("checks a cross-store copy's preconditions against the source", async () => {
    await storage.put("local-a", "pre.txt", "p");
    const info = await storage.head("local-a", "pre.txt");
    await assert.rejects(
      storage.copy({ bucket: "local-a", key: "pre.txt" }, { bucket: "logs-a", key: "pre.txt" }, { ifMatch: '"ffff"' }),
      (e: unknown) => isStorageError(e) && e.code === "PreconditionFailed" && e.httpStatus === 412,
    );
    await assert.rejects(
      storage.copy(
        { bucket: "local-a", key: "pre.txt" },
        { bucket: "logs-a", key: "pre.txt" },
        { ifModifiedSince: new Date(info.lastModified.getTime() + 60_000) },
      ),
      (e: unknown) => isStorageError(e) && e.code === "PreconditionFailed",
    );
    await assert.rejects(
      storage.copy({ bucket: "logs-a", key: "missing" }, { bucket: "local-a", key: "x" }),
      (e: unknown) => isStorageError(e) && e.code === "NoSuchKey" && e.httpStatus === 404,
    );
  });

  it("refuses SSE-KMS on a local target instead of dropping it", async () => {
    await storage.put("local-a", "kms.txt", "k");
    await assert.rejects(
      storage.copy(
        { bucket: "local-a", key: "kms.txt" },
        { bucket: "local-b", key: "kms.txt" },
        { sseKmsKeyId: "arn:aws:kms:us-east-1:1:key/x" },
      ),
      (e: unknown) => isStorageError(e) && e.code === "NotImplemented" && e.httpStatus === 501 && !e.retryable,
    );
    await assert.rejects(
      storage.head("local-b", "kms.txt"),
      (e: unknown) => isStorageError(e) && e.code === "NoSuchKey",
    );
  });
});
