/**
 * S3Storage.copy against a real s3rver (object-copy.ts): metadata kept, replaced or merged, a copy onto itself,
 * the source's conditions sent, and tags given as the directive asks though s3rver ignores TaggingDirective.
 * (What s3rver lacks, radosgw tests cover: see radosgw.ceph.ts and test-ceph/copy.test.ts.) The copy rule on
 * every backend: ../copy-attributes.test.ts.
 */
import assert from "node:assert/strict";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import type { S3Storage } from "../../../src/storage/s3/index.js";
import { withS3Storage } from "../helpers.js";

describe("S3Storage.copy on s3rver", () => {
  let storage: S3Storage;
  withS3Storage(["src", "dst"], (server) => {
    ({ storage } = server);
  });

  it("copies within and across buckets, keeping metadata (Copy) or replacing it (Replaced)", async () => {
    await storage.put("src", "c/one.bin", "copy me", {
      metadata: { contentType: "application/x-one", userMetadata: { a: "1" } },
    });
    const kept = await storage.copy({ bucket: "src", key: "c/one.bin" }, { bucket: "dst", key: "c/one-copy.bin" });
    assert.equal(kept.etag, (await storage.head("src", "c/one.bin")).etag);
    const keptInfo = await storage.head("dst", "c/one-copy.bin");
    assert.equal(keptInfo.metadata.contentType, "application/x-one");
    assert.deepEqual(keptInfo.metadata.userMetadata, { a: "1" });

    await storage.copy(
      { bucket: "src", key: "c/one.bin" },
      { bucket: "dst", key: "c/replaced.bin" },
      { metadataDirective: "Replaced", metadata: { contentType: "text/x-new", userMetadata: { b: "2" } } },
    );
    const replaced = await storage.head("dst", "c/replaced.bin");
    assert.equal(replaced.metadata.contentType, "text/x-new");
    assert.deepEqual(replaced.metadata.userMetadata, { b: "2" });
    assert.equal((await buffer(await storage.get("dst", "c/replaced.bin"))).toString(), "copy me");
  });

  it("merges metadata over the source's HEAD with the Add directive", async () => {
    await storage.put("src", "add.txt", "x", {
      metadata: { contentType: "text/plain", userMetadata: { keep: "k", over: "old" } },
    });
    await storage.copy(
      { bucket: "src", key: "add.txt" },
      { bucket: "dst", key: "add.txt" },
      { metadataDirective: "Add", metadata: { cacheControl: "no-cache", userMetadata: { over: "new", extra: "e" } } },
    );
    const info = await storage.head("dst", "add.txt");
    assert.equal(info.metadata.contentType, "text/plain");
    assert.equal(info.metadata.cacheControl, "no-cache");
    assert.deepEqual(info.metadata.userMetadata, { keep: "k", over: "new", extra: "e" });
  });

  it("copies onto itself only when something changes, as S3 does", async () => {
    await storage.put("src", "self.txt", "s", { metadata: { contentType: "text/plain" } });
    await storage.copy(
      { bucket: "src", key: "self.txt" },
      { bucket: "src", key: "self.txt" },
      { metadataDirective: "Replaced", metadata: { contentType: "text/csv" } },
    );
    assert.equal((await storage.head("src", "self.txt")).metadata.contentType, "text/csv");
  });

  it("sends the copy's modified-since constraints and a source version (checked for 412 on radosgw)", async () => {
    // s3rver ignores x-amz-copy-source-if-*: here only that a copy whose constraints hold goes through.
    await storage.put("src", "cond.txt", "c");
    const info = await storage.head("src", "cond.txt");
    const earlier = new Date(info.lastModified.getTime() - 3_600_000);
    const later = new Date(info.lastModified.getTime() + 3_600_000);
    await storage.copy(
      { bucket: "src", key: "cond.txt" },
      { bucket: "dst", key: "cond.txt" },
      { ifModifiedSince: earlier, ifUnmodifiedSince: later, ifMatch: info.etag },
    );
    assert.equal((await storage.head("dst", "cond.txt")).size, 1);
  });

  it("gives copies the tags their directive asks for, though s3rver ignores TaggingDirective", async () => {
    await storage.put("src", "tcopy.txt", "t");
    await storage.putTagging("src", "tcopy.txt", [{ key: "a", value: "1" }]);
    const source = { bucket: "src", key: "tcopy.txt" };
    // (s3rver also drops tags on a plain copy; radosgw.ceph.ts checks that TaggingDirective Copy keeps them.)
    await storage.copy(
      source,
      { bucket: "dst", key: "tcopy-replaced.txt" },
      {
        taggingDirective: "Replaced",
        tags: [{ key: "b", value: "2" }],
        aclDirective: "Replaced",
      },
    );
    assert.deepEqual(await storage.getTagging("dst", "tcopy-replaced.txt"), [{ key: "b", value: "2" }]);
    await storage.copy(
      source,
      { bucket: "dst", key: "tcopy-added.txt" },
      {
        taggingDirective: "Add",
        tags: [{ key: "c", value: "3" }],
        aclDirective: "Replaced",
      },
    );
    const added = (await storage.getTagging("dst", "tcopy-added.txt")).map((t) => `${t.key}=${t.value}`).sort();
    assert.deepEqual(added, ["a=1", "c=3"]);
  });
});
