/**
 * S3Storage against a real s3rver: every method s3rver implements, checked through objbatch's backend and
 * cross-checked with a plain AWS SDK client. (What s3rver lacks, radosgw tests cover: see docs/clients-and-servers.md.)
 */
import assert from "node:assert/strict";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { S3Storage } from "../../../src/storage/s3/index.js";
import type { S3rverHandle } from "../../helpers/s3rver.js";
import { rejectsWithS3 as rejectsWith } from "../../helpers/storage-errors.js";
import { withS3Storage } from "../helpers.js";

describe("S3Storage on s3rver", () => {
  let s3: S3rverHandle;
  let storage: S3Storage;
  withS3Storage(["src", "dst", "empty"], (server) => {
    ({ s3, storage } = server);
  });

  it("knows which buckets exist, and creating one twice is fine", async () => {
    assert.equal(await storage.bucketExists("src"), true);
    assert.equal(await storage.bucketExists("nope"), false);
    await storage.createBucket("made-here");
    await storage.createBucket("made-here");
    assert.equal(await storage.bucketExists("made-here"), true);
  });

  it("puts a Buffer with metadata and reads it back with head and get", async () => {
    const put = await storage.put("src", "dir/a.txt", Buffer.from("hello world"), {
      metadata: {
        contentType: "text/plain",
        cacheControl: "max-age=60",
        contentDisposition: "attachment",
        contentLanguage: "en",
        userMetadata: { Color: "blue" },
      },
    });
    assert.equal(put.etag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const info = await storage.head("src", "dir/a.txt");
    assert.equal(info.size, 11);
    assert.equal(info.etag, put.etag);
    assert.equal(info.storageClass, "STANDARD");
    assert.equal(info.archived, false);
    assert.equal(info.metadata.contentType, "text/plain");
    assert.equal(info.metadata.cacheControl, "max-age=60");
    assert.equal(info.metadata.contentDisposition, "attachment");
    assert.equal(info.metadata.contentLanguage, "en");
    assert.deepEqual(info.metadata.userMetadata, { color: "blue" });
    assert.ok(Math.abs(info.lastModified.getTime() - Date.now()) < 60_000);
    assert.equal((await buffer(await storage.get("src", "dir/a.txt"))).toString(), "hello world");
  });

  it("gets a byte range (the end clamped to the object) and reads with a matching If-Match", async () => {
    await storage.put("src", "range.txt", "0123456789");
    assert.equal(
      (await buffer(await storage.get("src", "range.txt", { range: { start: 2, end: 5 } }))).toString(),
      "2345",
    );
    assert.equal(
      (await buffer(await storage.get("src", "range.txt", { range: { start: 7, end: 100 } }))).toString(),
      "789",
    );
    const { etag } = await storage.head("src", "range.txt");
    const unquoted = etag.replace(/"/g, "");
    assert.equal((await buffer(await storage.get("src", "range.txt", { ifMatch: unquoted }))).toString(), "0123456789");
    // s3rver ignores If-Match on GET and answers 200 to unsatisfiable ranges: the 412 and 416 cases are checked
    // on radosgw (radosgw.ceph.ts).
    await rejectsWith(storage.get("src", "range.txt", { range: { start: 5, end: 2 } }), "InvalidRange", 416);
  });

  it("puts, gets and replaces tags", async () => {
    await storage.put("src", "tagged.txt", "t");
    await storage.putTagging("src", "tagged.txt", [
      { key: "team", value: "blue" },
      { key: "sp ace", value: "a&b=c" },
    ]);
    const tags = await storage.getTagging("src", "tagged.txt");
    assert.deepEqual(
      tags.sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: "sp ace", value: "a&b=c" },
        { key: "team", value: "blue" },
      ],
    );
    await storage.putTagging("src", "tagged.txt", [{ key: "only", value: "1" }]);
    assert.deepEqual(await storage.getTagging("src", "tagged.txt"), [{ key: "only", value: "1" }]);
  });

  it("deletes objects; deleting a missing key succeeds, as in S3", async () => {
    await storage.put("src", "gone.txt", "g");
    await storage.delete("src", "gone.txt");
    await rejectsWith(storage.head("src", "gone.txt"), "NoSuchKey", 404);
    await storage.delete("src", "never-was.txt");
  });

  it("maps missing keys, buckets and versions to S3's codes, permanent", async () => {
    await rejectsWith(storage.head("src", "missing"), "NoSuchKey", 404);
    await rejectsWith(storage.head("no-such-bucket", "k"), "NoSuchBucket", 404);
    await rejectsWith(storage.get("src", "missing"), "NoSuchKey", 404);
    await rejectsWith(storage.get("no-such-bucket", "k"), "NoSuchBucket", 404);
    await rejectsWith(storage.copy({ bucket: "src", key: "missing" }, { bucket: "dst", key: "x" }), "NoSuchKey", 404);
    await rejectsWith(storage.put("no-such-bucket", "k", "x"), "NoSuchBucket", 404);
    await rejectsWith(storage.getTagging("src", "missing"), "NoSuchKey", 404);
    const listing = async () => {
      for await (const _ of storage.list("no-such-bucket")) {
        // nothing
      }
    };
    await rejectsWith(listing(), "NoSuchBucket", 404);
  });

  it("reports 501 NotImplemented from the server as permanent", async () => {
    // s3rver does not implement DeleteObjectTagging: a real 501 from a real server.
    await storage.put("src", "untag.txt", "u");
    await rejectsWith(storage.deleteTagging("src", "untag.txt"), "NotImplemented", 501);
  });

  it("cross-checks with a plain SDK client that the object it wrote is what S3 holds", async () => {
    await storage.put("dst", "check.json", '{"a":1}', { metadata: { contentType: "application/json" } });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "dst", Key: "check.json" }));
    assert.equal(head.ContentType, "application/json");
    assert.equal(head.ContentLength, 7);
  });
});
