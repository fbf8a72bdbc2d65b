/**
 * S3Storage's copies against Ceph's RADOS Gateway: tags with each TaggingDirective (which RGW 16 ignores on
 * CopyObject), multipart copies with UploadPartCopy (kept metadata and tags, an abort when a precondition or a
 * part fails), and copy preconditions answered with 412.
 *
 * Needs a running gateway: `scripts/ceph/start.sh` (see radosgw.ceph.ts). Run:
 * node --import tsx --test test/storage/s3/radosgw-copy.ceph.ts
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { isStorageError } from "../../../src/storage/errors.js";
import { S3Storage } from "../../../src/storage/s3/index.js";
import { startFaultProxy } from "../../helpers/fault-proxy.js";
import { credentials, endpoint, MIB, radosgwBuckets, rejectsWith, sortedTags, withRadosgw } from "./radosgw-helpers.js";

describe(`S3Storage copies on radosgw (${endpoint})`, () => {
  const { src, dst, versioned, locked } = radosgwBuckets();
  let storage: S3Storage;
  let parts: S3Storage;
  withRadosgw({ src, dst, versioned, locked }, (gw) => {
    ({ storage, parts } = gw);
  });

  it("copies tags with TaggingDirective Copy, replaces them with Replaced, merges them with Add", async () => {
    await storage.put(src, "t/obj.txt", "x", {
      tags: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
    });
    const source = { bucket: src, key: "t/obj.txt" };
    await storage.copy(source, { bucket: dst, key: "t/copy.txt" }, { aclDirective: "Replaced" });
    assert.deepEqual(sortedTags(await storage.getTagging(dst, "t/copy.txt")), ["a=1", "b=2"]);
    await storage.copy(
      source,
      { bucket: dst, key: "t/replaced.txt" },
      {
        taggingDirective: "Replaced",
        tags: [{ key: "c", value: "3" }],
        aclDirective: "Replaced",
      },
    );
    assert.deepEqual(sortedTags(await storage.getTagging(dst, "t/replaced.txt")), ["c=3"]);
    await storage.copy(
      source,
      { bucket: dst, key: "t/none.txt" },
      { taggingDirective: "Replaced", tags: [], aclDirective: "Replaced" },
    );
    assert.deepEqual(await storage.getTagging(dst, "t/none.txt"), []);
    await storage.copy(
      source,
      { bucket: dst, key: "t/added.txt" },
      {
        taggingDirective: "Add",
        tags: [
          { key: "b", value: "two" },
          { key: "d", value: "4" },
        ],
        aclDirective: "Replaced",
      },
    );
    assert.deepEqual(sortedTags(await storage.getTagging(dst, "t/added.txt")), ["a=1", "b=two", "d=4"]);
  });

  it("copies in parts with UploadPartCopy above the threshold, keeping metadata and tags", async () => {
    const body = randomBytes(12 * MIB + 123);
    await storage.put(src, "big.bin", body, {
      metadata: { contentType: "application/x-big", userMetadata: { origin: "test" } },
      tags: [{ key: "size", value: "big" }],
    });
    const result = await parts.copy(
      { bucket: src, key: "big.bin" },
      { bucket: dst, key: "big-copy.bin" },
      { aclDirective: "Replaced" },
    );
    assert.match(result.etag, /^"[0-9a-f]{32}-3"$/, "12 MiB in 5 MiB parts: 3 parts");
    const info = await storage.head(dst, "big-copy.bin");
    assert.equal(info.size, body.length);
    assert.equal(info.metadata.contentType, "application/x-big");
    assert.deepEqual(info.metadata.userMetadata, { origin: "test" });
    assert.deepEqual(await storage.getTagging(dst, "big-copy.bin"), [{ key: "size", value: "big" }]);
    assert.ok((await buffer(await storage.get(dst, "big-copy.bin"))).equals(body));

    await parts.copy(
      { bucket: src, key: "big.bin" },
      { bucket: dst, key: "big-replaced.bin" },
      {
        metadataDirective: "Replaced",
        metadata: { contentType: "text/x-replaced" },
        taggingDirective: "Replaced",
        tags: [],
        aclDirective: "Replaced",
      },
    );
    const replaced = await storage.head(dst, "big-replaced.bin");
    assert.equal(replaced.metadata.contentType, "text/x-replaced");
    assert.equal(replaced.metadata.userMetadata, undefined);
    assert.deepEqual(await storage.getTagging(dst, "big-replaced.bin"), []);
  });

  it("aborts a multipart copy whose precondition fails, leaving no object and no upload", async () => {
    await storage.put(src, "mp-pre.bin", randomBytes(6 * MIB));
    await rejectsWith(
      parts.copy(
        { bucket: src, key: "mp-pre.bin" },
        { bucket: dst, key: "mp-pre.bin" },
        { ifMatch: '"0123456789abcdef0123456789abcdef"', aclDirective: "Replaced" },
      ),
      "PreconditionFailed",
      412,
    );
    await rejectsWith(storage.head(dst, "mp-pre.bin"), "NoSuchKey", 404);
    const uploads = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: dst }));
    assert.equal((uploads.Uploads ?? []).filter((u) => u.Key === "mp-pre.bin").length, 0);
  });

  it("aborts a multipart copy when a part fails, leaving no object and no upload behind", async () => {
    await storage.put(src, "mp-fail.bin", randomBytes(11 * MIB));
    // A real gateway behind a proxy that fails every UploadPartCopy of part 2 with 500 InternalError.
    const proxy = await startFaultProxy({
      target: endpoint,
      seed: 1,
      internalError: 1,
      eligible: (req) => /[?&]partNumber=2(&|$)/.test(req.url ?? ""),
    });
    const through = new S3Storage({
      kind: "s3",
      endpoint: proxy.url,
      region: "us-east-1",
      forcePathStyle: true,
      ...credentials,
      multipartCopyThresholdBytes: 1,
      partSizeBytes: 5 * MIB,
    });
    try {
      await assert.rejects(
        through.copy(
          { bucket: src, key: "mp-fail.bin" },
          { bucket: dst, key: "mp-fail.bin" },
          { aclDirective: "Replaced" },
        ),
        (e: unknown) => isStorageError(e) && e.code === "InternalError" && e.retryable,
      );
      assert.equal(proxy.stats().internalError, 1);
    } finally {
      await through.close();
      await proxy.close();
    }
    await rejectsWith(storage.head(dst, "mp-fail.bin"), "NoSuchKey", 404);
    const uploads = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: dst }));
    assert.deepEqual(
      (uploads.Uploads ?? []).filter((u) => u.Key === "mp-fail.bin"),
      [],
      "the upload was aborted",
    );
  });

  it("fails copies whose source preconditions do not hold with 412", async () => {
    await storage.put(src, "cond.txt", "c");
    const info = await storage.head(src, "cond.txt");
    const later = new Date(info.lastModified.getTime() + 3_600_000);
    const earlier = new Date(info.lastModified.getTime() - 3_600_000);
    const copy = (options: object) =>
      storage.copy(
        { bucket: src, key: "cond.txt" },
        { bucket: dst, key: "cond.txt" },
        { aclDirective: "Replaced", ...options },
      );
    await rejectsWith(copy({ ifModifiedSince: later }), "PreconditionFailed", 412);
    await rejectsWith(copy({ ifUnmodifiedSince: earlier }), "PreconditionFailed", 412);
    await rejectsWith(copy({ ifMatch: "0123456789abcdef0123456789abcdef" }), "PreconditionFailed", 412);
    await copy({ ifModifiedSince: earlier, ifUnmodifiedSince: later, ifMatch: info.etag });
    assert.equal((await storage.head(dst, "cond.txt")).etag, info.etag);
  });
});
