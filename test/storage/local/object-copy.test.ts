/**
 * LocalStorage.copy (object-copy.ts): the metadata, tagging and ACL directives, storage class, preconditions,
 * copying onto itself, ETags carried over, and that a hand-dropped object is copied without any metadata write.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqliteDatabase } from "../../../src/sqlite/database.js";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const md5 = (s: string) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("LocalStorage.copy", () => {
  let f: Fixture;
  const tags = [
    { key: "team", value: "blue" },
    { key: "env", value: "prod" },
  ];
  before(async () => {
    f = await fixture();
    await f.storage.put("src", "rich.txt", "rich body", {
      metadata: { contentType: "text/x-rich", cacheControl: "no-cache", userMetadata: { a: "1", b: "2" } },
      tags,
      acl: { canned: "public-read" },
      storageClass: "STANDARD_IA",
    });
  });
  after(() => f.cleanup());

  const rowCount = (): number => {
    const db = openSqliteDatabase(join(f.dataDir, "meta", "objects.sqlite"));
    try {
      return (db.prepare("SELECT count(*) AS n FROM objects").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it("copies bytes, metadata, tags and ACL by default; the storage class defaults to STANDARD", async () => {
    const r = await f.storage.copy({ bucket: "src", key: "rich.txt" }, { bucket: "dst", key: "copy/rich.txt" });
    assert.equal(r.etag, md5("rich body"));
    assert.equal(await text(f.storage.get("dst", "copy/rich.txt")), "rich body");
    const info = await f.storage.head("dst", "copy/rich.txt");
    assert.deepEqual(info.metadata, {
      contentType: "text/x-rich",
      cacheControl: "no-cache",
      userMetadata: { a: "1", b: "2" },
    });
    assert.equal(info.etag, md5("rich body"));
    assert.equal(info.storageClass, "STANDARD");
    assert.deepEqual(await f.storage.getTagging("dst", "copy/rich.txt"), tags);
    assert.deepEqual(await f.storage.getAcl("dst", "copy/rich.txt"), { canned: "public-read" });
  });

  it("MetadataDirective Replaced uses the new metadata alone", async () => {
    await f.storage.copy(
      { bucket: "src", key: "rich.txt" },
      { bucket: "dst", key: "meta-replaced.txt" },
      { metadataDirective: "Replaced", metadata: { contentLanguage: "fr", userMetadata: { C: "3" } } },
    );
    const info = await f.storage.head("dst", "meta-replaced.txt");
    assert.deepEqual(info.metadata, { contentType: "text/plain", contentLanguage: "fr", userMetadata: { c: "3" } });
  });

  it("metadata without a directive replaces (AWS: NewObjectMetadata given)", async () => {
    await f.storage.copy(
      { bucket: "src", key: "rich.txt" },
      { bucket: "dst", key: "meta-implicit.txt" },
      { metadata: { contentType: "application/json" } },
    );
    assert.deepEqual((await f.storage.head("dst", "meta-implicit.txt")).metadata, { contentType: "application/json" });
  });

  it("MetadataDirective Add merges the new metadata over the source's", async () => {
    await f.storage.copy(
      { bucket: "src", key: "rich.txt" },
      { bucket: "dst", key: "meta-add.txt" },
      { metadataDirective: "Add", metadata: { cacheControl: "max-age=5", userMetadata: { b: "two", d: "4" } } },
    );
    assert.deepEqual((await f.storage.head("dst", "meta-add.txt")).metadata, {
      contentType: "text/x-rich",
      cacheControl: "max-age=5",
      userMetadata: { a: "1", b: "two", d: "4" },
    });
  });

  it("TaggingDirective Replaced, Add and Copy", async () => {
    const src = { bucket: "src", key: "rich.txt" };
    await f.storage.copy(
      src,
      { bucket: "dst", key: "t-replaced" },
      { taggingDirective: "Replaced", tags: [{ key: "x", value: "1" }] },
    );
    assert.deepEqual(await f.storage.getTagging("dst", "t-replaced"), [{ key: "x", value: "1" }]);
    await f.storage.copy(src, { bucket: "dst", key: "t-cleared" }, { taggingDirective: "Replaced" });
    assert.deepEqual(await f.storage.getTagging("dst", "t-cleared"), []);
    await f.storage.copy(
      src,
      { bucket: "dst", key: "t-add" },
      {
        taggingDirective: "Add",
        tags: [
          { key: "env", value: "dev" },
          { key: "new", value: "y" },
        ],
      },
    );
    assert.deepEqual(await f.storage.getTagging("dst", "t-add"), [
      { key: "team", value: "blue" },
      { key: "env", value: "dev" },
      { key: "new", value: "y" },
    ]);
    await f.storage.copy(
      src,
      { bucket: "dst", key: "t-copy" },
      { taggingDirective: "Copy", tags: [{ key: "ignored", value: "" }] },
    );
    assert.deepEqual(await f.storage.getTagging("dst", "t-copy"), tags);
  });

  it("TaggingDirective Add fails with 400 BadRequest when the merged set exceeds 10 tags", async () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ key: `n${i}`, value: "v" }));
    await rejectsWith(
      f.storage.copy(
        { bucket: "src", key: "rich.txt" },
        { bucket: "dst", key: "t-many" },
        { taggingDirective: "Add", tags: nine },
      ),
      "BadRequest",
      400,
    );
    await rejectsWith(f.storage.head("dst", "t-many"), "NoSuchKey", 404);
  });

  it("AclDirective Replaced, Add and Copy", async () => {
    const src = { bucket: "src", key: "rich.txt" };
    const grant = { granteeType: "id", identifier: "qcs::cam::uin/1:uin/2", permission: "READ" } as const;
    await f.storage.copy(
      src,
      { bucket: "dst", key: "acl-replaced" },
      { aclDirective: "Replaced", acl: { grants: [grant] } },
    );
    assert.deepEqual(await f.storage.getAcl("dst", "acl-replaced"), { grants: [grant] });
    await f.storage.copy(src, { bucket: "dst", key: "acl-default" }, { aclDirective: "Replaced" });
    assert.deepEqual(await f.storage.getAcl("dst", "acl-default"), { canned: "private" });
    await f.storage.copy(src, { bucket: "dst", key: "acl-add" }, { aclDirective: "Add", acl: { grants: [grant] } });
    assert.deepEqual(await f.storage.getAcl("dst", "acl-add"), { canned: "public-read", grants: [grant] });
    await f.storage.copy(src, { bucket: "dst", key: "acl-copy" }, { aclDirective: "Copy" });
    assert.deepEqual(await f.storage.getAcl("dst", "acl-copy"), { canned: "public-read" });
  });

  it("sets the storage class asked for", async () => {
    await f.storage.copy(
      { bucket: "src", key: "rich.txt" },
      { bucket: "dst", key: "ia" },
      { storageClass: "STANDARD_IA" },
    );
    assert.equal((await f.storage.head("dst", "ia")).storageClass, "STANDARD_IA");
    await f.storage.copy(
      { bucket: "src", key: "rich.txt" },
      { bucket: "dst", key: "cold" },
      { storageClass: "GLACIER" },
    );
    const cold = await f.storage.head("dst", "cold");
    assert.equal(cold.storageClass, "GLACIER");
    assert.equal(cold.archived, true);
  });

  it("checks If-Modified-Since, If-Unmodified-Since and If-Match with 412 PreconditionFailed", async () => {
    await f.storage.put("src", "dated.txt", "dated");
    const p = f.file("src", "dated.txt");
    utimesSync(p, new Date("2024-06-01T00:00:00Z"), new Date("2024-06-01T00:00:00Z"));
    const src = { bucket: "src", key: "dated.txt" };
    const dst = { bucket: "dst", key: "dated.txt" };
    await rejectsWith(
      f.storage.copy(src, dst, { ifModifiedSince: new Date("2024-06-02T00:00:00Z") }),
      "PreconditionFailed",
      412,
    );
    await rejectsWith(
      f.storage.copy(src, dst, { ifModifiedSince: new Date("2024-06-01T00:00:00Z") }),
      "PreconditionFailed",
      412,
    );
    await rejectsWith(
      f.storage.copy(src, dst, { ifUnmodifiedSince: new Date("2024-05-31T00:00:00Z") }),
      "PreconditionFailed",
      412,
    );
    await rejectsWith(f.storage.copy(src, dst, { ifMatch: '"ffff"' }), "PreconditionFailed", 412);
    await rejectsWith(f.storage.head("dst", "dated.txt"), "NoSuchKey", 404);
    await f.storage.copy(src, dst, {
      ifModifiedSince: new Date("2024-05-31T00:00:00Z"),
      ifUnmodifiedSince: new Date("2024-06-01T00:00:00Z"),
      ifMatch: md5("dated"),
    });
    assert.equal(await text(f.storage.get("dst", "dated.txt")), "dated");
  });

  it("refuses copying an object onto itself without a change (400 InvalidRequest), allows it with one", async () => {
    await f.storage.put("src", "self.txt", "self", { tags: [{ key: "k", value: "v" }] });
    const self = { bucket: "src", key: "self.txt" };
    await rejectsWith(f.storage.copy(self, self), "InvalidRequest", 400);
    await rejectsWith(f.storage.copy(self, self, { aclDirective: "Replaced" }), "InvalidRequest", 400);
    await f.storage.copy(self, self, { metadataDirective: "Replaced", metadata: { contentType: "text/x-new" } });
    assert.equal((await f.storage.head("src", "self.txt")).metadata.contentType, "text/x-new");
    assert.deepEqual(await f.storage.getTagging("src", "self.txt"), [{ key: "k", value: "v" }]);
    await f.storage.copy(self, self, { storageClass: "STANDARD_IA" });
    assert.equal((await f.storage.head("src", "self.txt")).storageClass, "STANDARD_IA");
    assert.equal(await text(f.storage.get("src", "self.txt")), "self");
  });

  it("answers 404 NoSuchKey for a missing source and creates target folders as needed", async () => {
    await rejectsWith(f.storage.copy({ bucket: "src", key: "absent" }, { bucket: "dst", key: "x" }), "NoSuchKey", 404);
    await f.storage.copy({ bucket: "src", key: "rich.txt" }, { bucket: "dst", key: "deep/er/and/deeper.txt" });
    assert.ok(statSync(f.file("dst", "deep/er/and")).isDirectory());
  });

  it("overwrites the target and drops the target's previous metadata", async () => {
    await f.storage.put("dst", "over.txt", "old", { tags: [{ key: "old", value: "1" }], storageClass: "STANDARD_IA" });
    await f.drop("src", "plain.txt", "new content");
    await f.storage.copy({ bucket: "src", key: "plain.txt" }, { bucket: "dst", key: "over.txt" });
    assert.equal(await text(f.storage.get("dst", "over.txt")), "new content");
    assert.deepEqual(await f.storage.getTagging("dst", "over.txt"), []);
    assert.equal((await f.storage.head("dst", "over.txt")).storageClass, "STANDARD");
  });

  it("keeps the source's content type when the target key has another extension", async () => {
    await f.drop("src", "pic.jpg", "jpeg bytes");
    await f.storage.copy({ bucket: "src", key: "pic.jpg" }, { bucket: "dst", key: "pic.bin" });
    assert.equal((await f.storage.head("dst", "pic.bin")).metadata.contentType, "image/jpeg");
  });

  it("copies a hand-dropped object without any metadata write, and hashes its ETag only when asked", async () => {
    await f.storage.close();
    const fresh = f.reopen();
    await f.drop("src", "bulk/a.bin", "aaaa");
    const before = rowCount();
    const r = await fresh.copy({ bucket: "src", key: "bulk/a.bin" }, { bucket: "dst", key: "bulk/a.bin" });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(rowCount(), before, "no metadata row written");
    assert.equal(r.etag, md5("aaaa"));
    assert.equal((await fresh.head("dst", "bulk/a.bin")).etag, md5("aaaa"));
    assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), []);
  });

  it("carries a known source ETag to the target without reading it again", async () => {
    const s = f.reopen();
    await f.drop("src", "known.txt", "known");
    await s.head("src", "known.txt"); // computes and caches the source's ETag
    const r = await s.copy({ bucket: "src", key: "known.txt" }, { bucket: "dst", key: "known.txt" });
    assert.equal(r.etag, md5("known"));
    assert.equal(Object.getOwnPropertyDescriptor(r, "etag")?.get, undefined, "a plain value, not computed lazily");
    assert.equal((await s.head("dst", "known.txt")).etag, md5("known"));
  });
});
