/**
 * Keys as the local backend accepts them (keys.ts), checked as strings before any filesystem call: hostile keys
 * never reach outside the bucket, and keys a filesystem cannot hold fail with a clear error instead of doing
 * something else. What the disk itself could smuggle in (symlinks, files where folders should be):
 * bucket-folders.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { parseKey, parseObjectRef } from "../../../src/storage/local/keys.js";
import { type Fixture, fixture, rejectsWith } from "./helpers.js";

describe("LocalStorage hostile keys", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["src", "dst", "other"]);
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

  it("parses keys into their folder", () => {
    assert.deepEqual(parseKey("b", "a/b/c.txt"), { bucket: "b", key: "a/b/c.txt", dir: "a/b", folder: "b/a/b" });
    assert.deepEqual(parseKey("b", "top"), { bucket: "b", key: "top", dir: "", folder: "b/" });
    assert.deepEqual(parseKey("b", "sp ace/ü.txt"), {
      bucket: "b",
      key: "sp ace/ü.txt",
      dir: "sp ace",
      folder: "b/sp ace",
    });
  });

  it("checks a request's bucket, key and version together", () => {
    assert.deepEqual(parseObjectRef("b", "a/k", undefined), { bucket: "b", key: "a/k", dir: "a", folder: "b/a" });
    assert.deepEqual(parseObjectRef("b", "k", "null"), { bucket: "b", key: "k", dir: "", folder: "b/" });
    assert.throws(
      () => parseObjectRef("b", "k", "v1"),
      (e: unknown) => (e as { code?: string }).code === "NoSuchVersion",
    );
    assert.throws(
      () => parseObjectRef("../b", "k", undefined),
      (e: unknown) => (e as { code?: string }).code === "InvalidBucketName",
    );
    assert.throws(
      () => parseObjectRef("b", "../k", undefined),
      (e: unknown) => (e as { code?: string }).code === "AccessDenied",
    );
  });
});

describe("parseKey's segment checks", () => {
  /** The checks as they were written before keys skipped them: split every key, look at every segment. */
  function referenceOutcome(key: string): string {
    const segments = key.split("/");
    if (segments.includes("..")) return "AccessDenied";
    if (key.endsWith("/")) return "InvalidArgument";
    for (const seg of segments) {
      if (seg === "" || seg === ".") return "InvalidArgument";
      if (Buffer.byteLength(seg, "utf8") > 255) return "KeyTooLongError";
    }
    return "ok";
  }
  const outcome = (key: string): string => {
    try {
      parseKey("b", key);
      return "ok";
    } catch (e) {
      return (e as { code: string }).code;
    }
  };

  it("refuse exactly what checking every segment refuses, whichever keys skip the split", () => {
    const piece = fc.constantFrom("a", ".", "..", "/", "//", "é", "x".repeat(90), "ü".repeat(130), "b.c");
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (pieces) => {
        const key = pieces.join("");
        // Keys refused before the segments are looked at (a leading "/", too long) are out of scope here.
        fc.pre(!key.startsWith("/") && Buffer.byteLength(key, "utf8") <= 1024);
        assert.equal(outcome(key), referenceOutcome(key), JSON.stringify(key));
      }),
      { numRuns: 3000 },
    );
  });
});
