/**
 * ETags computed from the local backend's files (file-etag.ts): the quoted MD5 of the whole file, hashed
 * without following a symlink, and the row's cached ETag trusted only while the file keeps its size and mtime.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstatSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cachedEtag, hashFile, hashFileSync, md5Etag, stampOf } from "../../../src/storage/local/file-etag.js";
import { EMPTY_ROW } from "../../../src/storage/local/metadata-db.js";

const md5 = (s: string | Buffer) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("file ETags", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "objbatch-file-etag-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is the quoted MD5 of the bytes, small or large, with the stamp it is valid for", async () => {
    assert.equal(md5Etag(Buffer.from("abc")), md5("abc"));
    const small = join(dir, "small.txt");
    writeFileSync(small, "small body");
    const hashed = await hashFile(small);
    assert.equal(hashed.etag, md5("small body"));
    assert.deepEqual(hashed.stamp, stampOf(lstatSync(small, { bigint: true })));
    // Read 64 KiB at a time into one buffer: a last read shorter than the buffer hashes only what it read.
    const big = Buffer.alloc(9 * 1024 * 1024 + 1000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const large = join(dir, "large.bin");
    writeFileSync(large, big);
    assert.equal((await hashFile(large)).etag, md5(big));
    assert.equal(hashFileSync(large).etag, md5(big));
  });

  it("never hashes through a symlink", async () => {
    const target = join(dir, "target.txt");
    writeFileSync(target, "t");
    symlinkSync(target, join(dir, "link.txt"));
    await assert.rejects(hashFile(join(dir, "link.txt")), (e: NodeJS.ErrnoException) => e.code === "ELOOP");
    assert.throws(
      () => hashFileSync(join(dir, "link.txt")),
      (e: NodeJS.ErrnoException) => e.code === "ELOOP",
    );
  });

  it("trusts a row's cached ETag only for the file's size and mtime", () => {
    const p = join(dir, "cached.txt");
    writeFileSync(p, "cached");
    const st = lstatSync(p, { bigint: true });
    const { size, mtimeNs } = stampOf(st);
    const row = { ...EMPTY_ROW, etag: '"cached-etag"', size, mtime_ns: mtimeNs };
    assert.equal(cachedEtag(row, st), '"cached-etag"');
    assert.equal(cachedEtag(undefined, st), undefined);
    assert.equal(cachedEtag({ ...row, etag: null }, st), undefined);
    utimesSync(p, new Date("2030-01-01T00:00:00Z"), new Date("2030-01-01T00:00:00Z"));
    assert.equal(cachedEtag(row, lstatSync(p, { bigint: true })), undefined, "a touch invalidates it");
    assert.equal(cachedEtag({ ...row, size: size + 1 }, st), undefined);
  });
});
