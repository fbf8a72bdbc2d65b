/**
 * Multipart uploads on LocalStorage (multipart-uploads.ts): parts in any order, a part number uploaded again
 * replaces the part, the completed object is the parts' concatenation with the upload's metadata; S3's
 * InvalidPart, InvalidPartOrder and NoSuchUpload; uploads survive a restart, are listed by prefix, never show in
 * (or touch) the bucket until completed, and hostile upload IDs and keys address nothing. A part may come as a
 * stream of known length; one that disagrees with its length is refused (IncompleteBody) and kept nowhere.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { collect, type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const md5 = (s: string | Buffer) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("LocalStorage multipart uploads", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["src", "dst"]);
  });
  after(() => f.cleanup());

  it("completes parts uploaded out of order into their concatenation, with the upload's metadata", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "reports/a.csv", {
      metadata: { contentType: "text/csv; charset=utf-8", userMetadata: { job: "j1" } },
    });
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.ok(existsSync(join(f.dataDir, "uploads", id, "upload.json")));
    const p3 = await s.uploadPart("src", "reports/a.csv", id, 3, Buffer.from("three"));
    const p1 = await s.uploadPart("src", "reports/a.csv", id, 1, Buffer.from("one,"));
    const p2 = await s.uploadPart("src", "reports/a.csv", id, 2, Buffer.from("two,"));
    assert.deepEqual(p1, { partNumber: 1, etag: md5("one,") });
    assert.deepEqual(p3, { partNumber: 3, etag: md5("three") });

    const written = await s.completeMultipartUpload("src", "reports/a.csv", id, [p1, p2, p3]);
    assert.equal(await text(s.get("src", "reports/a.csv")), "one,two,three");
    // The local backend's ETag is the MD5 of the object's bytes, multipart or not (see completeMultipartUpload).
    assert.equal(written.etag, md5("one,two,three"));
    const info = await s.head("src", "reports/a.csv");
    assert.equal(info.etag, written.etag);
    assert.equal(info.size, 13);
    assert.equal(info.metadata.contentType, "text/csv; charset=utf-8");
    assert.deepEqual(info.metadata.userMetadata, { job: "j1" });
  });

  it("replaces a part uploaded again under its number", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "again.txt");
    const first = await s.uploadPart("src", "again.txt", id, 1, Buffer.from("old first part "));
    const replaced = await s.uploadPart("src", "again.txt", id, 1, Buffer.from("new "));
    assert.notEqual(first.etag, replaced.etag);
    const last = await s.uploadPart("src", "again.txt", id, 2, Buffer.from("end"));
    // The replaced part's ETag no longer names it.
    await rejectsWith(s.completeMultipartUpload("src", "again.txt", id, [first, last]), "InvalidPart", 400);
    await s.completeMultipartUpload("src", "again.txt", id, [replaced, last]);
    assert.equal(await text(s.get("src", "again.txt")), "new end");
    assert.equal((await s.head("src", "again.txt")).metadata.contentType, "text/plain");
  });

  it("completes with the listed parts only, skipping numbers (S3 allows gaps), and quotes optional", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "gaps.bin");
    const p2 = await s.uploadPart("src", "gaps.bin", id, 2, Buffer.from("b"));
    await s.uploadPart("src", "gaps.bin", id, 5, Buffer.from("not listed"));
    const p9 = await s.uploadPart("src", "gaps.bin", id, 9, Buffer.from("c"));
    await s.completeMultipartUpload("src", "gaps.bin", id, [p2, { partNumber: 9, etag: p9.etag.replaceAll('"', "") }]);
    assert.equal(await text(s.get("src", "gaps.bin")), "bc");
  });

  it("answers 400 InvalidPart for a wrong ETag or a part never uploaded, and keeps the upload", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "invalid.txt");
    const p1 = await s.uploadPart("src", "invalid.txt", id, 1, Buffer.from("x"));
    const p2 = await s.uploadPart("src", "invalid.txt", id, 2, Buffer.from("y"));
    await rejectsWith(
      s.completeMultipartUpload("src", "invalid.txt", id, [p1, { partNumber: 2, etag: md5("z") }]),
      "InvalidPart",
      400,
    );
    await rejectsWith(
      s.completeMultipartUpload("src", "invalid.txt", id, [p1, p2, { partNumber: 3, etag: md5("y") }]),
      "InvalidPart",
      400,
    );
    await rejectsWith(
      s.completeMultipartUpload("src", "invalid.txt", id, [p1, { partNumber: 10_001, etag: md5("y") }]),
      "InvalidPart",
      400,
    );
    await rejectsWith(s.head("src", "invalid.txt"), "NoSuchKey", 404);
    // Nothing was created in the bucket (not even a folder) and the upload is still there.
    await s.completeMultipartUpload("src", "invalid.txt", id, [p1, p2]);
    assert.equal(await text(s.get("src", "invalid.txt")), "xy");
  });

  it("answers 400 InvalidPartOrder unless the parts ascend, and 400 MalformedXML for no parts", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "order.txt");
    const p1 = await s.uploadPart("src", "order.txt", id, 1, Buffer.from("1"));
    const p2 = await s.uploadPart("src", "order.txt", id, 2, Buffer.from("2"));
    await rejectsWith(s.completeMultipartUpload("src", "order.txt", id, [p2, p1]), "InvalidPartOrder", 400);
    await rejectsWith(s.completeMultipartUpload("src", "order.txt", id, [p1, p1]), "InvalidPartOrder", 400);
    await rejectsWith(s.completeMultipartUpload("src", "order.txt", id, []), "MalformedXML", 400);
    await s.abortMultipartUpload("src", "order.txt", id);
  });

  it("refuses part numbers outside 1 to 10,000 with 400 InvalidArgument", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "numbers.txt");
    for (const n of [0, -1, 10_001, 1.5, Number.NaN]) {
      await rejectsWith(s.uploadPart("src", "numbers.txt", id, n, Buffer.from("x")), "InvalidArgument", 400);
    }
    await s.uploadPart("src", "numbers.txt", id, 10_000, Buffer.from("x"));
    await s.abortMultipartUpload("src", "numbers.txt", id);
  });

  it("answers 404 NoSuchUpload once completed or aborted, and for another key's or bucket's upload", async () => {
    const s = f.storage;
    const done = await s.createMultipartUpload("src", "gone.txt");
    const part = await s.uploadPart("src", "gone.txt", done, 1, Buffer.from("x"));
    await s.completeMultipartUpload("src", "gone.txt", done, [part]);
    await rejectsWith(s.completeMultipartUpload("src", "gone.txt", done, [part]), "NoSuchUpload", 404);
    await rejectsWith(s.uploadPart("src", "gone.txt", done, 2, Buffer.from("y")), "NoSuchUpload", 404);
    await rejectsWith(s.abortMultipartUpload("src", "gone.txt", done), "NoSuchUpload", 404);

    const aborted = await s.createMultipartUpload("src", "gone.txt");
    const p = await s.uploadPart("src", "gone.txt", aborted, 1, Buffer.from("z"));
    await rejectsWith(s.uploadPart("src", "other.txt", aborted, 1, Buffer.from("z")), "NoSuchUpload", 404);
    await rejectsWith(s.completeMultipartUpload("dst", "gone.txt", aborted, [p]), "NoSuchUpload", 404);
    await s.abortMultipartUpload("src", "gone.txt", aborted);
    await rejectsWith(s.completeMultipartUpload("src", "gone.txt", aborted, [p]), "NoSuchUpload", 404);
    await rejectsWith(s.uploadPart("src", "gone.txt", aborted, 1, Buffer.from("z")), "NoSuchUpload", 404);
    await rejectsWith(s.abortMultipartUpload("src", "gone.txt", aborted), "NoSuchUpload", 404);
    assert.equal(existsSync(join(f.dataDir, "uploads", aborted)), false);
    // The completed object is untouched by the aborted upload.
    assert.equal(await text(s.get("src", "gone.txt")), "x");
  });

  it("answers 404 NoSuchBucket for a bucket that does not exist", async () => {
    const s = f.storage;
    await rejectsWith(s.createMultipartUpload("nope", "k"), "NoSuchBucket", 404);
    await rejectsWith(collect(s.listMultipartUploads("nope", "")), "NoSuchBucket", 404);
    await rejectsWith(s.uploadPart("nope", "k", "0".repeat(32), 1, Buffer.from("x")), "NoSuchBucket", 404);
    await rejectsWith(s.abortMultipartUpload("nope", "k", "0".repeat(32)), "NoSuchBucket", 404);
  });

  it("keeps an upload across a restart (a new LocalStorage on the same data directory)", async (t) => {
    const r = await fixture(["src"]);
    t.after(() => r.cleanup());
    const id = await r.storage.createMultipartUpload("src", "restart/report.csv", {
      metadata: { contentType: "text/csv" },
    });
    const p1 = await r.storage.uploadPart("src", "restart/report.csv", id, 1, Buffer.from("before,"));
    await r.storage.close();

    const reopened = r.reopen();
    assert.deepEqual(await collect(reopened.listMultipartUploads("src", "restart/")), [
      { key: "restart/report.csv", uploadId: id },
    ]);
    const p2 = await reopened.uploadPart("src", "restart/report.csv", id, 2, Buffer.from("after"));
    await reopened.completeMultipartUpload("src", "restart/report.csv", id, [p1, p2]);
    assert.equal(await text(reopened.get("src", "restart/report.csv")), "before,after");
    assert.equal((await reopened.head("src", "restart/report.csv")).metadata.contentType, "text/csv");
  });

  it("lists a bucket's uploads by prefix, in key order, and none of another bucket's", async () => {
    const s = f.storage;
    const b1 = await s.createMultipartUpload("dst", "list/b");
    const a = await s.createMultipartUpload("dst", "list/a");
    const b2 = await s.createMultipartUpload("dst", "list/b");
    const other = await s.createMultipartUpload("dst", "elsewhere/c");
    const srcOne = await s.createMultipartUpload("src", "list/a");
    const listed = await collect(s.listMultipartUploads("dst", "list/"));
    assert.deepEqual(
      listed.map((u) => u.key),
      ["list/a", "list/b", "list/b"],
    );
    assert.equal(listed[0]!.uploadId, a);
    assert.deepEqual(new Set(listed.slice(1).map((u) => u.uploadId)), new Set([b1, b2]));
    assert.deepEqual(
      (await collect(s.listMultipartUploads("dst", ""))).map((u) => u.key),
      ["elsewhere/c", "list/a", "list/b", "list/b"],
    );
    await s.abortMultipartUpload("dst", "list/b", b1);
    assert.deepEqual(
      (await collect(s.listMultipartUploads("dst", "list/b"))).map((u) => u.uploadId),
      [b2],
    );
    for (const [bucket, key, id] of [
      ["dst", "list/a", a],
      ["dst", "list/b", b2],
      ["dst", "elsewhere/c", other],
      ["src", "list/a", srcOne],
    ] as const) {
      await s.abortMultipartUpload(bucket, key, id);
    }
    assert.deepEqual(await collect(s.listMultipartUploads("dst", "")), []);
  });

  it("creates nothing in the bucket while an upload is in progress", async () => {
    const s = f.storage;
    const entries = readdirSync(join(f.dataDir, "buckets", "dst"));
    const id = await s.createMultipartUpload("dst", "deep/folder/new.txt");
    const p1 = await s.uploadPart("dst", "deep/folder/new.txt", id, 1, Buffer.from("part"));
    assert.deepEqual(readdirSync(join(f.dataDir, "buckets", "dst")), entries);
    assert.deepEqual(await collect(s.list("dst", { prefix: "deep/" })), []);
    await rejectsWith(s.head("dst", "deep/folder/new.txt"), "NoSuchKey", 404);
    await s.completeMultipartUpload("dst", "deep/folder/new.txt", id, [p1]);
    assert.deepEqual(
      (await collect(s.list("dst", { prefix: "deep/" }))).map((o) => o.key),
      ["deep/folder/new.txt"],
    );
  });

  it("addresses no path with a hostile upload ID", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("src", "safe.txt");
    const p1 = await s.uploadPart("src", "safe.txt", id, 1, Buffer.from("x"));
    for (const hostile of ["../../etc", "..", "", `${id}/../${id}`, `../${id}`, id.toUpperCase(), `${id}\0`, "a/b"]) {
      await rejectsWith(s.uploadPart("src", "safe.txt", hostile, 1, Buffer.from("x")), "NoSuchUpload", 404);
      await rejectsWith(s.completeMultipartUpload("src", "safe.txt", hostile, [p1]), "NoSuchUpload", 404);
      await rejectsWith(s.abortMultipartUpload("src", "safe.txt", hostile), "NoSuchUpload", 404);
    }
    // The real upload is intact.
    await s.completeMultipartUpload("src", "safe.txt", id, [p1]);
    assert.equal(await text(s.get("src", "safe.txt")), "x");
  });

  it("refuses hostile keys as put does", async () => {
    const s = f.storage;
    const uploadId = "0".repeat(32);
    const uploads = readdirSync(join(f.dataDir, "uploads"));
    for (const key of ["../../etc/passwd", "a/../../x", "..", "/etc/passwd"]) {
      await rejectsWith(s.put("src", key, "x"), "AccessDenied", 403);
      await rejectsWith(s.createMultipartUpload("src", key), "AccessDenied", 403);
      await rejectsWith(s.uploadPart("src", key, uploadId, 1, Buffer.from("x")), "AccessDenied", 403);
      await rejectsWith(s.completeMultipartUpload("src", key, uploadId, []), "AccessDenied", 403);
      await rejectsWith(s.abortMultipartUpload("src", key, uploadId), "AccessDenied", 403);
    }
    for (const key of ["a//b", "dir/", "a\u0000b", ""]) {
      await rejectsWith(s.createMultipartUpload("src", key), "InvalidArgument", 400);
    }
    await rejectsWith(s.createMultipartUpload("src", "x".repeat(1025)), "KeyTooLongError", 400);
    await rejectsWith(s.createMultipartUpload("../x", "k"), "InvalidBucketName", 400);
    await rejectsWith(collect(s.listMultipartUploads("../x", "")), "InvalidBucketName", 400);
    assert.deepEqual(readdirSync(join(f.dataDir, "uploads")), uploads);
  });

  it("completes through put: a legal hold on the object refuses the completion with 403 AccessDenied", async () => {
    const s = f.storage;
    await s.put("src", "held.txt", "original");
    await s.putLegalHold("src", "held.txt", "ON");
    const id = await s.createMultipartUpload("src", "held.txt");
    const p1 = await s.uploadPart("src", "held.txt", id, 1, Buffer.from("replacement"));
    await rejectsWith(s.completeMultipartUpload("src", "held.txt", id, [p1]), "AccessDenied", 403);
    assert.equal(await text(s.get("src", "held.txt")), "original");
    await s.putLegalHold("src", "held.txt", "OFF");
    await s.completeMultipartUpload("src", "held.txt", id, [p1]);
    assert.equal(await text(s.get("src", "held.txt")), "replacement");
  });

  it("completes many parts of a few hundred KiB each, and leaves no temporary file", async () => {
    const s = f.storage;
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(300 * 1024 + i, 97 + i));
    const id = await s.createMultipartUpload("dst", "big.bin");
    const parts = [];
    for (const [i, chunk] of chunks.entries()) parts.push(await s.uploadPart("dst", "big.bin", id, i + 1, chunk));
    const whole = Buffer.concat(chunks);
    const written = await s.completeMultipartUpload("dst", "big.bin", id, parts);
    assert.equal(written.etag, md5(whole));
    assert.equal((await s.head("dst", "big.bin")).size, whole.length);
    assert.ok((await buffer(await s.get("dst", "big.bin"))).equals(whole));
    assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), []);
  });

  it("completes parts of any size, read through one buffer, into exactly their bytes", async () => {
    const s = f.storage;
    // Sizes around the 64 KiB the parts are read at a time; random bytes, so a chunk read over another shows.
    const chunks = [70_001, 131_072, 1, 65_536, 65_535, 200_000].map((n) => randomBytes(n));
    const id = await s.createMultipartUpload("dst", "random.bin");
    const parts = [];
    for (const [i, chunk] of chunks.entries()) parts.push(await s.uploadPart("dst", "random.bin", id, i + 1, chunk));
    const whole = Buffer.concat(chunks);
    const written = await s.completeMultipartUpload("dst", "random.bin", id, parts);
    assert.equal(written.etag, md5(whole));
    assert.ok((await buffer(await s.get("dst", "random.bin"))).equals(whole));
    assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), []);
  });

  it("takes a part as a stream of known length, and keeps nothing of one that ends short or runs long", async () => {
    const s = f.storage;
    const id = await s.createMultipartUpload("dst", "streamed.csv");
    const rows = ["b,k1,,succeeded,200,,Successful\n", "b,k2 ✓,,failed,404,NoSuchKey,gone\n"];
    const bytes = Buffer.byteLength(rows.join(""));
    const sized = (length: number) => ({ length, stream: Readable.from(rows.map((r) => Buffer.from(r))) });
    const part = await s.uploadPart("dst", "streamed.csv", id, 1, sized(bytes));
    assert.deepEqual(part, { partNumber: 1, etag: md5(rows.join("")) });
    await rejectsWith(s.uploadPart("dst", "streamed.csv", id, 1, sized(bytes + 1)), "IncompleteBody", 400);
    await rejectsWith(s.uploadPart("dst", "streamed.csv", id, 1, sized(bytes - 1)), "IncompleteBody", 400);
    // The refused bodies replaced nothing: part 1 is still the whole one.
    await s.completeMultipartUpload("dst", "streamed.csv", id, [part]);
    assert.equal(await text(s.get("dst", "streamed.csv")), rows.join(""));
    assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), []);
  });
});
