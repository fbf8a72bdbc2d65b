/**
 * Containment and keys a filesystem cannot hold: hostile keys never reach outside the bucket, symlinks are never
 * followed, and unholdable keys fail with a clear error instead of doing something else.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseKey } from "../../../src/storage/local/keys.js";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

describe("LocalStorage hostile keys", () => {
  let f: Fixture;
  let outside: string;
  before(async () => {
    f = await fixture(["src", "dst", "other"]);
    outside = join(f.dataDir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "secret.txt"), "top secret");
    await f.storage.put("other", "x", "other bucket's object");
  });
  after(() => f.cleanup());

  const escapes = ["../../etc/passwd", "a/../../x", "../other/x", "..", "a/.."];
  for (const key of escapes) {
    it(`refuses ${JSON.stringify(key)} with 403 AccessDenied on every method`, async () => {
      const s = f.storage;
      await rejectsWith(s.head("src", key), "AccessDenied", 403);
      await rejectsWith(s.get("src", key), "AccessDenied", 403);
      await rejectsWith(s.put("src", key, "pwned"), "AccessDenied", 403);
      await rejectsWith(s.delete("src", key), "AccessDenied", 403);
      await rejectsWith(s.copy({ bucket: "src", key }, { bucket: "dst", key: "ok" }), "AccessDenied", 403);
      await rejectsWith(s.copy({ bucket: "other", key: "x" }, { bucket: "src", key }), "AccessDenied", 403);
      await rejectsWith(s.putTagging("src", key, []), "AccessDenied", 403);
      await rejectsWith(s.putAcl("src", key, { canned: "private" }), "AccessDenied", 403);
      await rejectsWith(s.restore("src", key, {}), "AccessDenied", 403);
    });
  }

  it("refuses absolute keys with 403 AccessDenied", async () => {
    await rejectsWith(f.storage.get("src", "/etc/passwd"), "AccessDenied", 403);
    const e = await rejectsWith(f.storage.put("src", "/abs", "x"), "AccessDenied", 403);
    assert.match(e.message, /\/abs/);
    assert.equal(existsSync("/abs"), false);
  });

  it("refuses a NUL byte with 400 InvalidArgument naming the key", async () => {
    const e = await rejectsWith(f.storage.put("src", "a\u0000b", "x"), "InvalidArgument", 400);
    assert.match(e.message, /NUL/);
    await rejectsWith(f.storage.head("src", "a\u0000b"), "InvalidArgument", 400);
  });

  it("refuses '.' segments, empty segments and lone surrogates with 400 InvalidArgument", async () => {
    for (const key of ["a/./b", "./a", "a//b", "a/b//", "\ud800x", ""]) {
      await rejectsWith(f.storage.put("src", key, "x"), "InvalidArgument", 400);
    }
  });

  it("never follows a symlink inside the bucket that points outside", async () => {
    symlinkSync(join(outside, "secret.txt"), f.file("src", "link.txt"));
    await rejectsWith(f.storage.get("src", "link.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.head("src", "link.txt"), "AccessDenied", 403);
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "link.txt" }, { bucket: "dst", key: "stolen.txt" }),
      "AccessDenied",
      403,
    );
    await rejectsWith(f.storage.put("src", "link.txt", "overwrite"), "AccessDenied", 403);
    await rejectsWith(f.storage.delete("src", "link.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.putTagging("src", "link.txt", []), "AccessDenied", 403);
    assert.equal(readFileSync(join(outside, "secret.txt"), "utf8"), "top secret");
    assert.equal(existsSync(f.file("dst", "stolen.txt")), false);
  });

  it("never passes through a symlinked directory", async () => {
    symlinkSync(outside, f.file("src", "linkdir"));
    await rejectsWith(f.storage.get("src", "linkdir/secret.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.head("src", "linkdir/secret.txt"), "AccessDenied", 403);
    const e = await rejectsWith(f.storage.put("src", "linkdir/planted.txt", "x"), "AccessDenied", 403);
    assert.match(e.message, /symbolic link/);
    await rejectsWith(
      f.storage.copy({ bucket: "other", key: "x" }, { bucket: "src", key: "linkdir/planted.txt" }),
      "AccessDenied",
      403,
    );
    await rejectsWith(f.storage.delete("src", "linkdir/secret.txt"), "AccessDenied", 403);
    assert.equal(existsSync(join(outside, "planted.txt")), false);
    assert.equal(existsSync(join(outside, "secret.txt")), true);
  });

  it("refuses a bucket directory that is a symlink", async () => {
    symlinkSync(outside, join(f.dataDir, "buckets", "linked"));
    assert.equal(await f.storage.bucketExists("linked"), false);
    await rejectsWith(f.storage.get("linked", "secret.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.put("linked", "x.txt", "x"), "AccessDenied", 403);
  });

  it("works when the data directory's own path goes through a symlink", async () => {
    const alias = `${f.dataDir}-alias`;
    symlinkSync(f.dataDir, alias);
    const viaAlias = f.reopen({ dataDir: alias });
    await viaAlias.put("src", "via/alias.txt", "ok");
    assert.equal(await text(viaAlias.get("src", "via/alias.txt")), "ok");
    assert.equal(readFileSync(f.file("src", "via/alias.txt"), "utf8"), "ok");
    const { rmSync } = await import("node:fs");
    rmSync(alias);
  });
});

describe("LocalStorage keys a filesystem cannot hold", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("refuses a key ending in '/' (folder marker) with 400 InvalidArgument that says why", async () => {
    const e = await rejectsWith(f.storage.put("src", "folder/", ""), "InvalidArgument", 400);
    assert.match(e.message, /folder\//);
    assert.match(e.message, /cannot be held/);
    await rejectsWith(f.storage.head("src", "folder/"), "InvalidArgument", 400);
  });

  it("refuses a path segment over 255 bytes with 400 KeyTooLongError", async () => {
    const e = await rejectsWith(f.storage.put("src", `a/${"x".repeat(300)}`, "x"), "KeyTooLongError", 400);
    assert.match(e.message, /300 bytes/);
    // 100 three-byte characters are 300 bytes although only 100 UTF-16 units.
    await rejectsWith(f.storage.put("src", "\u20ac".repeat(100), "x"), "KeyTooLongError", 400);
    await f.storage.put("src", "x".repeat(255), "exactly 255 bytes is fine");
    assert.equal((await f.storage.head("src", "x".repeat(255))).size, 25);
  });

  it("refuses a key over 1024 bytes with 400 KeyTooLongError", async () => {
    const key = Array.from({ length: 11 }, () => "y".repeat(99)).join("/");
    assert.ok(Buffer.byteLength(key) > 1024);
    await rejectsWith(f.storage.put("src", key, "x"), "KeyTooLongError", 400);
  });

  it("refuses a key below an existing object (ENOTDIR) with 400 InvalidArgument", async () => {
    await f.storage.put("src", "file", "I am a file");
    const e = await rejectsWith(f.storage.put("src", "file/child", "x"), "InvalidArgument", 400);
    assert.match(e.message, /existing object/);
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "file" }, { bucket: "src", key: "file/child" }),
      "InvalidArgument",
      400,
    );
    // Reading below a file is simply not found.
    await rejectsWith(f.storage.head("src", "file/child"), "NoSuchKey", 404);
    assert.equal(await text(f.storage.get("src", "file")), "I am a file");
  });

  it("refuses a key naming an existing folder with 400 InvalidArgument", async () => {
    await f.storage.put("src", "dir/inner.txt", "inner");
    const e = await rejectsWith(f.storage.put("src", "dir", "x"), "InvalidArgument", 400);
    assert.match(e.message, /folder/);
    await f.storage.put("dst", "plain", "p");
    await rejectsWith(
      f.storage.copy({ bucket: "dst", key: "plain" }, { bucket: "src", key: "dir" }),
      "InvalidArgument",
      400,
    );
    assert.equal(await text(f.storage.get("src", "dir/inner.txt")), "inner");
  });

  it("parses keys into their folder", () => {
    assert.deepEqual(parseKey("b", "a/b/c.txt"), { bucket: "b", key: "a/b/c.txt", dir: "a/b" });
    assert.deepEqual(parseKey("b", "top"), { bucket: "b", key: "top", dir: "" });
    assert.deepEqual(parseKey("b", "sp ace/ü.txt"), { bucket: "b", key: "sp ace/ü.txt", dir: "sp ace" });
  });
});
