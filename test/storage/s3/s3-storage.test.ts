/**
 * S3Storage against a real s3rver: every method s3rver implements, checked through objbatch's backend and
 * cross-checked with a plain AWS SDK client. (What s3rver lacks, radosgw tests cover: see clients-and-servers.md.)
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { S3Storage } from "../../../src/storage/s3/index.js";
import { type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";
import { rejectsWithS3 as rejectsWith } from "../../helpers/storage-errors.js";

describe("S3Storage on s3rver", () => {
  let s3: S3rverHandle;
  let storage: S3Storage;

  before(async () => {
    s3 = await startS3rver({ buckets: ["src", "dst", "empty"] });
    storage = new S3Storage(s3.storageConfig({ maxSockets: 8 }));
  });
  after(async () => {
    await storage?.close();
    await s3?.stop();
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

  it("streams a Readable body in through a multipart upload", async () => {
    const part = Buffer.alloc(1024 * 1024, 7);
    const chunks = Array.from({ length: 9 }, (_, i) => Buffer.concat([part, Buffer.from(String(i))]));
    const put = await storage.put("dst", "big/report.csv", Readable.from(chunks), {
      metadata: { contentType: "text/csv" },
    });
    // s3rver gives multipart objects a plain MD5 ETag; radosgw.ceph.ts checks the "-2" of a 2-part upload.
    assert.match(put.etag, /^"[0-9a-f]{32}(-2)?"$/);
    const out = await s3.client.send(new GetObjectCommand({ Bucket: "dst", Key: "big/report.csv" }));
    const bytes = Buffer.from(await out.Body!.transformToByteArray());
    assert.ok(bytes.equals(Buffer.concat(chunks)));
    assert.equal(out.ContentType, "text/csv");
  });

  it("streams a small Readable body in one request", async () => {
    const put = await storage.put("dst", "small.txt", Readable.from([Buffer.from("ab"), Buffer.from("cd")]));
    assert.equal(put.etag, '"e2fc714c4727ee9395f324cd2e7f331f"');
    assert.equal((await buffer(await storage.get("dst", "small.txt"))).toString(), "abcd");
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

  it("deletes objects; deleting a missing key succeeds, as in S3", async () => {
    await storage.put("src", "gone.txt", "g");
    await storage.delete("src", "gone.txt");
    await rejectsWith(storage.head("src", "gone.txt"), "NoSuchKey", 404);
    await storage.delete("src", "never-was.txt");
  });

  it("lists in key order across pages, with prefix and startAfter", async () => {
    const keys = Array.from({ length: 1205 }, (_, i) => `list/k${String(i).padStart(5, "0")}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((Key) => s3.client.send(new PutObjectCommand({ Bucket: "empty", Key, Body: "x" }))),
      );
    }
    await s3.client.send(new PutObjectCommand({ Bucket: "empty", Key: "other/z", Body: "yy" }));
    const all: string[] = [];
    for await (const o of storage.list("empty", { prefix: "list/" })) {
      if (all.length === 0) {
        assert.equal(o.size, 1);
        assert.equal(o.etag, '"9dd4e461268c8034f5c8564e155c67a6"');
        assert.equal(o.storageClass, "STANDARD");
        assert.ok(o.lastModified instanceof Date);
      }
      all.push(o.key);
    }
    assert.deepEqual(all, keys, "every key once, in order, across two continuation tokens");
    const afterSome: string[] = [];
    for await (const o of storage.list("empty", { startAfter: "list/k01199" })) afterSome.push(o.key);
    assert.deepEqual(afterSome, [...keys.slice(1200), "other/z"]);
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
