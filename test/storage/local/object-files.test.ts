/**
 * The objects of the local backend (object-files.ts): an object is a regular file reached without symlinks plus
 * its metadata row; a row without a file is dropped; ETags are cached in the row and hashed on demand, a copy's
 * only when read; a file written in tmp/ replaces the object in one rename, even when a folder on its path was
 * removed meanwhile; Object Lock and archive state guard the file.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, readSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BucketFolders } from "../../../src/storage/local/bucket-folders.js";
import { parseKey } from "../../../src/storage/local/keys.js";
import { EMPTY_ROW, MetadataDb } from "../../../src/storage/local/metadata-db.js";
import { ObjectFiles } from "../../../src/storage/local/object-files.js";
import { TmpFiles } from "../../../src/storage/local/tmp-files.js";
import { rejectsWith } from "./helpers.js";

const md5 = (s: string) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("ObjectFiles", () => {
  let root: string;
  let files: ObjectFiles;
  let db: MetadataDb;
  const now = new Date("2025-01-01T00:00:00Z");
  const put = (key: string, body: string) => {
    const p = join(root, "buckets", "b", key);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, body);
    return p;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), "objbatch-object-files-"));
    for (const sub of ["buckets/b", "tmp", "meta"]) mkdirSync(join(root, sub), { recursive: true });
    db = new MetadataDb(join(root, "meta"));
    const folders = new BucketFolders(realpathSync(join(root, "buckets")));
    files = new ObjectFiles("local:test", folders, new TmpFiles(join(root, "tmp")), db, () => now);
  });
  after(() => {
    files.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("finds an object's file and row; a symlink is refused, a folder is no object", async () => {
    put("dir/a.txt", "a");
    db.replace("b", "dir/a.txt", { ...EMPTY_ROW, content_type: "text/x-a" });
    const found = await files.stat(parseKey("b", "dir/a.txt"));
    assert.equal(found.row?.content_type, "text/x-a");
    assert.equal(Number(found.st.size), 1);
    symlinkSync(join(root, "buckets", "b", "dir", "a.txt"), join(root, "buckets", "b", "link.txt"));
    await rejectsWith(files.stat(parseKey("b", "link.txt")), "AccessDenied", 403);
    await rejectsWith(files.stat(parseKey("b", "dir")), "NoSuchKey", 404);
  });

  it("checks an object exists as stat() does, without reading its row (a tag or ACL write's check)", async () => {
    put("exists/file.txt", "f");
    await files.checkExists(parseKey("b", "exists/file.txt"));
    symlinkSync(join(root, "buckets", "b", "exists", "file.txt"), join(root, "buckets", "b", "exists", "link.txt"));
    await rejectsWith(files.checkExists(parseKey("b", "exists/link.txt")), "AccessDenied", 403);
    await rejectsWith(files.checkExists(parseKey("b", "exists")), "NoSuchKey", 404);
    db.replace("b", "exists/gone.txt", { ...EMPTY_ROW, tags: '[{"key":"t","value":"1"}]' });
    await rejectsWith(files.checkExists(parseKey("b", "exists/gone.txt")), "NoSuchKey", 404);
    assert.equal(db.has("b", "exists/gone.txt"), false, "the orphaned row is dropped");
  });

  it("opens a copy's source without following a symlink or blocking on a FIFO, with both rows in one read", async () => {
    put("open/src.txt", "source bytes");
    db.replace("b", "open/src.txt", { ...EMPTY_ROW, content_type: "text/x-src" });
    db.replace("b", "open/dst.txt", { ...EMPTY_ROW, legal_hold: "ON" });
    const opened = await files.openSource(parseKey("b", "open/src.txt"), parseKey("b", "open/dst.txt"));
    try {
      assert.equal(opened.row?.content_type, "text/x-src");
      assert.equal(opened.targetHasRow, true);
      assert.equal(opened.targetRow?.legal_hold, "ON");
      assert.equal(Number(opened.st.size), 12);
      const buf = Buffer.alloc(12);
      assert.equal(readSync(opened.fd, buf, 0, 12, 0), 12);
      assert.equal(buf.toString(), "source bytes");
    } finally {
      closeSync(opened.fd);
    }
    const target = parseKey("b", "open/none.txt");
    const plain = await files.openSource(parseKey("b", "open/src.txt"), target);
    closeSync(plain.fd);
    assert.equal(plain.targetHasRow, false);
    symlinkSync(join(root, "buckets", "b", "open", "src.txt"), join(root, "buckets", "b", "open", "link.txt"));
    await rejectsWith(files.openSource(parseKey("b", "open/link.txt"), target), "AccessDenied", 403);
    execFileSync("mkfifo", [join(root, "buckets", "b", "open", "fifo")]);
    await rejectsWith(files.openSource(parseKey("b", "open/fifo"), target), "NoSuchKey", 404);
    await rejectsWith(files.openSource(parseKey("b", "open"), target), "NoSuchKey", 404);
    db.replace("b", "open/gone.txt", { ...EMPTY_ROW, tags: '[{"key":"t","value":"1"}]' });
    await rejectsWith(files.openSource(parseKey("b", "open/gone.txt"), target), "NoSuchKey", 404);
    assert.equal(db.has("b", "open/gone.txt"), false, "the orphaned row is dropped");
  });

  it("drops the row of an object whose file is gone", async () => {
    db.replace("b", "orphan.txt", { ...EMPTY_ROW, tags: '[{"key":"t","value":"1"}]' });
    await rejectsWith(files.stat(parseKey("b", "orphan.txt")), "NoSuchKey", 404);
    assert.equal(db.has("b", "orphan.txt"), false);
    db.replace("b", "gone/deep.txt", { ...EMPTY_ROW, tags: '[{"key":"t","value":"1"}]' });
    await rejectsWith(files.stat(parseKey("b", "gone/deep.txt")), "NoSuchKey", 404);
    assert.equal(db.has("b", "gone/deep.txt"), false, "also when a folder on the path is missing");
  });

  it("hashes an ETag on demand and caches it in the row for the file's size and mtime", async () => {
    const p = put("hash.txt", "hash me");
    const k = parseKey("b", "hash.txt");
    assert.equal(await files.computeEtag(k, p), md5("hash me"));
    const row = db.get("b", "hash.txt");
    assert.equal(row?.etag, md5("hash me"));
    assert.equal(row?.size, 7);
  });

  it("hashes a copy result's ETag only when it is read", () => {
    const p = put("lazy.txt", "before");
    const result = files.lazyEtagResult(parseKey("b", "lazy.txt"));
    writeFileSync(p, "after");
    assert.equal(result.etag, md5("after"));
    assert.equal(db.get("b", "lazy.txt")?.etag, md5("after"));
  });

  it("renames a tmp file into place, recreating a folder removed since it was verified", async () => {
    const k = parseKey("b", "moved/here/x.txt");
    await files.folders.ensure(k, true);
    rmSync(join(root, "buckets", "b", "moved"), { recursive: true });
    const tmp = files.tmp.name();
    writeFileSync(tmp, "landed");
    await files.renameIntoPlace(tmp, k);
    assert.equal((await files.stat(k)).st.size, 6n);
  });

  it("guards the file: a legal hold refuses writes, an archived object refuses reads", async () => {
    put("held.txt", "h");
    db.setLegalHold("b", "held.txt", "ON");
    assert.throws(
      () => files.checkWritable(parseKey("b", "held.txt"), "overwrite it"),
      (e: unknown) => (e as { code?: string }).code === "AccessDenied",
    );
    files.checkWritable(parseKey("b", "dir/a.txt"), "overwrite it");
    assert.throws(
      () => files.checkReadable(parseKey("b", "cold.txt"), { ...EMPTY_ROW, storage_class: "GLACIER" }),
      (e: unknown) => (e as { code?: string }).code === "InvalidObjectState",
    );
    files.checkReadable(parseKey("b", "warm.txt"), { ...EMPTY_ROW, storage_class: "STANDARD_IA" });
  });

  it("refuses every call once closed, with a 500 that is not retried", () => {
    const other = new ObjectFiles(
      "local:closing",
      files.folders,
      files.tmp,
      new MetadataDb(join(root, "meta")),
      () => now,
    );
    other.ensureOpen();
    other.close();
    assert.throws(
      () => other.ensureOpen(),
      (e: unknown) =>
        (e as { code?: string }).code === "InternalError" && (e as { retryable?: boolean }).retryable === false,
    );
  });
});
