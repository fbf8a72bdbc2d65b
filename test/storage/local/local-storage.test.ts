/**
 * LocalStorage, the facade (local-storage.ts): buckets, put/get/head/delete, hand-dropped files, the ETag cache
 * and its invalidation, metadata kept across instances (and only in the metadata database), versions, tags and
 * ACLs (get/put/delete, S3's validation rules, and that they change nothing else). PutObject and GetObject in
 * detail: object-put.test.ts, object-read.test.ts; CopyObject: object-copy.test.ts.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqliteDatabase } from "../../../src/sqlite/database.js";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const md5 = (s: string | Buffer) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("LocalStorage buckets", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture([]);
  });
  after(() => f.cleanup());

  it("creates a bucket as a directory, idempotently, and reports it", async () => {
    assert.equal(await f.storage.bucketExists("photos"), false);
    await f.storage.createBucket("photos");
    await f.storage.createBucket("photos");
    assert.equal(await f.storage.bucketExists("photos"), true);
    assert.ok(statSync(join(f.dataDir, "buckets", "photos")).isDirectory());
  });

  it("rejects invalid bucket names with 400 InvalidBucketName", async () => {
    for (const name of ["..", ".", "a/b", "../x", "", "a..b", "-a", "a b", "a\u0000b", "x".repeat(256)]) {
      await rejectsWith(f.storage.createBucket(name), "InvalidBucketName", 400);
      await rejectsWith(f.storage.head(name, "k"), "InvalidBucketName", 400);
    }
  });

  it("answers 404 NoSuchBucket for a bucket that does not exist", async () => {
    await rejectsWith(f.storage.head("nope", "k"), "NoSuchBucket", 404);
    await rejectsWith(f.storage.put("nope", "k", "x"), "NoSuchBucket", 404);
    await rejectsWith(
      f.storage.copy({ bucket: "nope", key: "k" }, { bucket: "photos", key: "k" }),
      "NoSuchBucket",
      404,
    );
  });

  it("describes itself with the data directory", () => {
    assert.match(f.storage.description, /^local:\//);
  });
});

describe("LocalStorage objects", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("puts and gets an object, with its ETag, size and metadata", async () => {
    const result = await f.storage.put("src", "docs/readme.txt", "hello world", {
      metadata: { contentType: "text/x-custom", cacheControl: "max-age=60", userMetadata: { Owner: "ann" } },
    });
    assert.equal(result.etag, md5("hello world"));
    assert.equal(await text(f.storage.get("src", "docs/readme.txt")), "hello world");
    const info = await f.storage.head("src", "docs/readme.txt");
    assert.equal(info.size, 11);
    assert.equal(info.etag, md5("hello world"));
    assert.equal(info.versionId, "null");
    assert.equal(info.storageClass, "STANDARD");
    assert.equal(info.archived, false);
    assert.equal(info.restore, undefined);
    assert.deepEqual(info.metadata, {
      contentType: "text/x-custom",
      cacheControl: "max-age=60",
      userMetadata: { owner: "ann" },
    });
    assert.equal(readFileSync(f.file("src", "docs/readme.txt"), "utf8"), "hello world");
  });

  it("deletes objects, succeeds for missing ones, and removes folders left empty", async () => {
    await f.storage.put("src", "del/a/b/c.txt", "x");
    await f.storage.put("src", "del/keep.txt", "y");
    await f.storage.delete("src", "del/a/b/c.txt");
    await rejectsWith(f.storage.head("src", "del/a/b/c.txt"), "NoSuchKey", 404);
    assert.equal(existsSync(f.file("src", "del/a")), false, "empty folders are removed");
    assert.equal(existsSync(f.file("src", "del/keep.txt")), true);
    await f.storage.delete("src", "del/a/b/c.txt");
    await f.storage.delete("src", "never/existed.txt");
    // The removed folder's name can now be an object.
    await f.storage.put("src", "del/a", "now a file");
    assert.equal(await text(f.storage.get("src", "del/a")), "now a file");
  });

  it("deletes a hand-dropped object without writing a metadata row, and refuses a held or retained one", async () => {
    const rows = (): number => {
      const db = openSqliteDatabase(join(f.dataDir, "meta", "objects.sqlite"));
      try {
        return (db.prepare("SELECT count(*) AS n FROM objects").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    await f.drop("src", "bulk-del/a.bin", "a");
    const before = rows();
    await f.storage.delete("src", "bulk-del/a.bin");
    assert.equal(existsSync(f.file("src", "bulk-del/a.bin")), false);
    assert.equal(rows(), before, "no row written or left");
    await f.storage.put("src", "held/x.txt", "x");
    await f.storage.putLegalHold("src", "held/x.txt", "ON");
    await rejectsWith(f.storage.delete("src", "held/x.txt"), "AccessDenied", 403);
    await f.storage.put("src", "held/y.txt", "y");
    await f.storage.putRetention("src", "held/y.txt", { mode: "COMPLIANCE", retainUntilDate: new Date("2030-01-01") });
    await rejectsWith(f.storage.delete("src", "held/y.txt"), "AccessDenied", 403);
    assert.equal(await text(f.storage.get("src", "held/x.txt")), "x");
    assert.equal(await text(f.storage.get("src", "held/y.txt")), "y");
  });

  it("deletes the rows of a turn's deletes in one batch, committed before each delete resolves", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `rows-del/${i}.txt`);
    for (const key of keys) {
      await f.storage.put("src", key, key);
      await f.storage.putTagging("src", key, [{ key: "t", value: key }]);
    }
    const committedRows = (): number => {
      // Another connection sees only what is committed.
      const db = openSqliteDatabase(join(f.dataDir, "meta", "objects.sqlite"));
      try {
        return (
          db.prepare("SELECT count(*) AS n FROM objects WHERE bucket = 'src' AND key LIKE 'rows-del/%'").get() as {
            n: number;
          }
        ).n;
      } finally {
        db.close();
      }
    };
    assert.equal(committedRows(), keys.length);
    let resolved = 0;
    let rowsWhenFirstResolved = -1;
    await Promise.all(
      keys.map((key) =>
        f.storage.delete("src", key).then(() => {
          if (resolved++ === 0) rowsWhenFirstResolved = committedRows();
        }),
      ),
    );
    assert.equal(rowsWhenFirstResolved, 0, "every row of the batch was committed before the first delete resolved");
    assert.equal(readdirSync(f.file("src", "")).includes("rows-del"), false, "the emptied folder is gone");
    // A new object at a deleted key inherits nothing of the old one.
    await f.storage.put("src", keys[0], "again");
    assert.deepEqual(await f.storage.getTagging("src", keys[0]), []);
  });

  it("drops an ETag cached by a copy when the copy is deleted before the cache is written", async () => {
    await f.drop("src", "etag-src.txt", "hashed");
    const r = await f.storage.copy({ bucket: "src", key: "etag-src.txt" }, { bucket: "dst", key: "etag/c.txt" });
    assert.equal(r.etag, md5("hashed")); // hashed now; its row waits for the next batch
    await f.storage.delete("dst", "etag/c.txt");
    await new Promise((resolve) => setImmediate(resolve));
    await f.drop("dst", "etag/c.txt", "other bytes of the same size?");
    assert.equal((await f.storage.head("dst", "etag/c.txt")).etag, md5("other bytes of the same size?"));
  });

  it("forgets a folder a delete removed, so the next write into it creates it again", async () => {
    await f.storage.put("src", "cycle/one/a.txt", "1");
    await f.storage.delete("src", "cycle/one/a.txt");
    assert.equal(existsSync(f.file("src", "cycle/one")), false);
    await f.storage.copy({ bucket: "src", key: "held/x.txt" }, { bucket: "src", key: "cycle/one/b.txt" });
    assert.equal(await text(f.storage.get("src", "cycle/one/b.txt")), "x");
    // Removed by hand while remembered: the write verifies the folder again and recreates it.
    rmSync(f.file("src", "cycle"), { recursive: true });
    await f.storage.copy({ bucket: "src", key: "held/x.txt" }, { bucket: "src", key: "cycle/one/c.txt" });
    assert.equal(await text(f.storage.get("src", "cycle/one/c.txt")), "x");
  });

  it("refuses keys that would leave the bucket, for every operation, touching nothing", async () => {
    for (const key of ["../../etc/passwd", "a/../../dst/x", "..", "/etc/passwd"]) {
      await rejectsWith(f.storage.delete("src", key), "AccessDenied", 403);
      await rejectsWith(f.storage.put("src", key, "x"), "AccessDenied", 403);
      await rejectsWith(
        f.storage.copy({ bucket: "src", key: "held/x.txt" }, { bucket: "src", key }),
        "AccessDenied",
        403,
      );
      await rejectsWith(f.storage.copy({ bucket: "src", key }, { bucket: "dst", key: "x" }), "AccessDenied", 403);
      await rejectsWith(f.storage.putTagging("src", key, []), "AccessDenied", 403);
    }
    assert.equal(existsSync(join(f.dataDir, "buckets", "dst", "x")), false);
    assert.equal(existsSync(join(f.dataDir, "dst")), false);
  });

  it("is unversioned: null names the object, any other version is 404 NoSuchVersion", async () => {
    await f.storage.put("src", "v.txt", "v");
    assert.equal((await f.storage.head("src", "v.txt", "null")).size, 1);
    assert.equal(await text(f.storage.get("src", "v.txt", { versionId: "null" })), "v");
    await rejectsWith(f.storage.head("src", "v.txt", "3HL4kqtJlcpXroDTDmJ"), "NoSuchVersion", 404);
    await rejectsWith(f.storage.get("src", "v.txt", { versionId: "abc" }), "NoSuchVersion", 404);
    await rejectsWith(f.storage.delete("src", "v.txt", "abc"), "NoSuchVersion", 404);
    await rejectsWith(f.storage.getTagging("src", "v.txt", "abc"), "NoSuchVersion", 404);
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "v.txt" }, { bucket: "dst", key: "v.txt" }, { sourceVersionId: "abc" }),
      "NoSuchVersion",
      404,
    );
    await f.storage.copy({ bucket: "src", key: "v.txt" }, { bucket: "dst", key: "v.txt" }, { sourceVersionId: "null" });
    assert.equal(await text(f.storage.get("dst", "v.txt")), "v");
  });
});

describe("LocalStorage hand-dropped files", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("are objects with defaults: type from the extension, MD5 ETag, STANDARD, private, no tags", async () => {
    await f.drop("src", "photos/cat.jpg", "meow");
    await f.drop("src", "noext", "data");
    const info = await f.storage.head("src", "photos/cat.jpg");
    assert.equal(info.etag, md5("meow"));
    assert.equal(info.size, 4);
    assert.equal(info.storageClass, "STANDARD");
    assert.deepEqual(info.metadata, { contentType: "image/jpeg" });
    assert.equal(info.lastModified.getTime(), Math.floor(statSync(f.file("src", "photos/cat.jpg")).mtimeMs));
    assert.deepEqual(await f.storage.getTagging("src", "photos/cat.jpg"), []);
    assert.deepEqual(await f.storage.getAcl("src", "photos/cat.jpg"), { canned: "private" });
    assert.equal((await f.storage.head("src", "noext")).metadata.contentType, "application/octet-stream");
    assert.equal(await text(f.storage.get("src", "photos/cat.jpg")), "meow");
  });

  it("get the ETag recomputed after a hand edit (size or mtime changed)", async () => {
    const p = await f.drop("src", "edit.txt", "first");
    assert.equal((await f.storage.head("src", "edit.txt")).etag, md5("first"));
    // Same size, different content: only the mtime tells.
    writeFileSync(p, "other");
    utimesSync(p, new Date("2030-01-01T00:00:00Z"), new Date("2030-01-01T00:00:00Z"));
    assert.equal((await f.storage.head("src", "edit.txt")).etag, md5("other"));
    writeFileSync(p, "a longer body");
    assert.equal((await f.storage.head("src", "edit.txt")).etag, md5("a longer body"));
  });

  it("keep stored metadata (but not the old ETag) after a hand edit", async () => {
    await f.storage.put("src", "meta-edit.txt", "v1", { metadata: { contentType: "text/x-kept" } });
    writeFileSync(f.file("src", "meta-edit.txt"), "version two");
    const info = await f.storage.head("src", "meta-edit.txt");
    assert.equal(info.metadata.contentType, "text/x-kept");
    assert.equal(info.etag, md5("version two"));
  });

  it("lose their metadata row when the file is removed by hand (a row without a file is no object)", async () => {
    await f.storage.put("src", "gone.txt", "x", { tags: [{ key: "t", value: "1" }] });
    const { rmSync } = await import("node:fs");
    rmSync(f.file("src", "gone.txt"));
    await rejectsWith(f.storage.head("src", "gone.txt"), "NoSuchKey", 404);
    // A new file dropped at the same key must not inherit the old tags.
    await f.drop("src", "gone.txt", "new");
    assert.deepEqual(await f.storage.getTagging("src", "gone.txt"), []);
  });
});

describe("LocalStorage metadata persistence", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("keeps metadata, tags, ACL, storage class and ETag across instances on the same data directory", async () => {
    await f.storage.put("src", "p/keep.txt", "persist", {
      metadata: { contentType: "text/x-p", contentLanguage: "de", expires: "Wed, 21 Oct 2026 07:28:00 GMT" },
      tags: [{ key: "team", value: "blue" }],
      acl: { canned: "public-read" },
      storageClass: "STANDARD_IA",
    });
    await f.drop("src", "p/hand.txt", "by hand");
    await f.storage.head("src", "p/hand.txt"); // caches the ETag (written behind)
    await f.storage.close();
    const again = f.reopen();
    const info = await again.head("src", "p/keep.txt");
    assert.equal(info.storageClass, "STANDARD_IA");
    assert.deepEqual(info.metadata, {
      contentType: "text/x-p",
      contentLanguage: "de",
      expires: "Wed, 21 Oct 2026 07:28:00 GMT",
    });
    assert.deepEqual(await again.getTagging("src", "p/keep.txt"), [{ key: "team", value: "blue" }]);
    assert.deepEqual(await again.getAcl("src", "p/keep.txt"), { canned: "public-read" });

    const db = openSqliteDatabase(join(f.dataDir, "meta", "objects.sqlite"));
    try {
      const row = db.prepare("SELECT etag, size FROM objects WHERE bucket = ? AND key = ?").get("src", "p/hand.txt");
      assert.deepEqual({ ...(row as object) }, { etag: md5("by hand"), size: 7 });
      assert.deepEqual({ ...(db.prepare("PRAGMA journal_mode").get() as object) }, { journal_mode: "wal" });
    } finally {
      db.close();
    }
  });

  it("never writes anything but objects inside bucket directories", async () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
      );
    const files = walk(join(f.dataDir, "buckets")).map((p) => p.slice(join(f.dataDir, "buckets").length + 1));
    assert.deepEqual(files.sort(), ["src/p/hand.txt", "src/p/keep.txt"]);
  });
});

describe("LocalStorage tagging", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("puts, gets and deletes tags of a hand-dropped object", async () => {
    await f.drop("src", "t/obj.txt", "body");
    await f.storage.putTagging("src", "t/obj.txt", [
      { key: "a", value: "1" },
      { key: "b", value: "" },
    ]);
    assert.deepEqual(await f.storage.getTagging("src", "t/obj.txt"), [
      { key: "a", value: "1" },
      { key: "b", value: "" },
    ]);
    await f.storage.putTagging("src", "t/obj.txt", [{ key: "c", value: "3" }]);
    assert.deepEqual(await f.storage.getTagging("src", "t/obj.txt"), [{ key: "c", value: "3" }]);
    const info = await f.storage.head("src", "t/obj.txt");
    assert.equal(info.etag, md5("body"), "tagging does not change the object");
    assert.equal(info.metadata.contentType, "text/plain");
    await f.storage.deleteTagging("src", "t/obj.txt");
    assert.deepEqual(await f.storage.getTagging("src", "t/obj.txt"), []);
    await f.storage.deleteTagging("src", "t/obj.txt");
    assert.equal(await text(f.storage.get("src", "t/obj.txt")), "body");
  });

  it("validates tag sets like S3", async () => {
    await f.drop("src", "v.txt", "v");
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const e = await rejectsWith(f.storage.putTagging("src", "v.txt", eleven), "BadRequest", 400);
    assert.match(e.message, /cannot be greater than 10/);
    await rejectsWith(f.storage.putTagging("src", "v.txt", [{ key: "", value: "v" }]), "InvalidTag", 400);
    await rejectsWith(f.storage.putTagging("src", "v.txt", [{ key: "k".repeat(129), value: "v" }]), "InvalidTag", 400);
    await rejectsWith(f.storage.putTagging("src", "v.txt", [{ key: "k", value: "v".repeat(257) }]), "InvalidTag", 400);
    await rejectsWith(
      f.storage.putTagging("src", "v.txt", [
        { key: "d", value: "1" },
        { key: "d", value: "2" },
      ]),
      "InvalidTag",
      400,
    );
    assert.deepEqual(await f.storage.getTagging("src", "v.txt"), []);
    await f.storage.putTagging("src", "v.txt", eleven.slice(0, 10));
    assert.equal((await f.storage.getTagging("src", "v.txt")).length, 10);
  });

  it("answers 404 NoSuchKey for tags of a missing object", async () => {
    await rejectsWith(f.storage.getTagging("src", "none"), "NoSuchKey", 404);
    await rejectsWith(f.storage.putTagging("src", "none", []), "NoSuchKey", 404);
    await rejectsWith(f.storage.deleteTagging("src", "none"), "NoSuchKey", 404);
  });

  it("allows tagging archived objects", async () => {
    await f.storage.put("src", "glacier.txt", "g", { storageClass: "GLACIER" });
    await f.storage.putTagging("src", "glacier.txt", [{ key: "cold", value: "yes" }]);
    assert.deepEqual(await f.storage.getTagging("src", "glacier.txt"), [{ key: "cold", value: "yes" }]);
    assert.equal((await f.storage.head("src", "glacier.txt")).storageClass, "GLACIER");
  });
});

describe("LocalStorage ACLs", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("defaults to private, stores canned ACLs and grants, and keeps the rest of the object", async () => {
    await f.storage.put("src", "a.txt", "a", { tags: [{ key: "k", value: "v" }] });
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), { canned: "private" });
    await f.storage.putAcl("src", "a.txt", { canned: "public-read" });
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), { canned: "public-read" });
    const acl = {
      owner: { id: "qcs::cam::uin/1:uin/1" },
      grants: [
        { granteeType: "id", identifier: "qcs::cam::uin/1:uin/2", permission: "READ" },
        { granteeType: "uri", identifier: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ_ACP" },
      ],
    } as const;
    await f.storage.putAcl("src", "a.txt", acl);
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), acl);
    await f.storage.putAcl("src", "a.txt", { canned: "private" });
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), { canned: "private" });
    assert.deepEqual(await f.storage.getTagging("src", "a.txt"), [{ key: "k", value: "v" }]);
  });

  it("refuses unknown canned ACLs and missing objects", async () => {
    await f.drop("src", "b.txt", "b");
    await rejectsWith(f.storage.putAcl("src", "b.txt", { canned: "everyone-everything" }), "InvalidArgument", 400);
    await rejectsWith(f.storage.putAcl("src", "missing.txt", { canned: "private" }), "NoSuchKey", 404);
    await rejectsWith(f.storage.getAcl("src", "missing.txt"), "NoSuchKey", 404);
    assert.deepEqual(await f.storage.getAcl("src", "b.txt"), { canned: "private" });
  });
});
