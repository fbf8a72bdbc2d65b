/**
 * LocalStorage.list (listing.ts): UTF-8 byte order across folders, prefix and startAfter, streaming, skipping
 * what cannot be an object, and the range checks that let a listing skip folders unread.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { folderInRange, keyInRange } from "../../../src/storage/local/listing.js";
import { collect, type Fixture, fixture, rejectsWith } from "./helpers.js";

const md5 = (s: string) => `"${createHash("md5").update(s).digest("hex")}"`;

/** Keys chosen so that directory order, JavaScript string order and byte order would disagree. */
const KEYS = [
  "a-c",
  "a.b",
  "a/b",
  "a/b0",
  "a/b/c",
  "a0",
  "ab",
  "b",
  "z",
  "\u00e9t\u00e9.txt",
  "\uff61half",
  "\u{1f600}smile",
  "dir/x/y/z.txt",
  "dir/x.txt",
  "dir/x-y.txt",
  "dir/x0",
  "A",
  "_under",
  " space",
];

/** The expected order: compare UTF-8 bytes. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("LocalStorage.list", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["src", "empty"]);
    for (const key of KEYS) if (key !== "a/b") await f.drop("src", key, key);
  });
  after(() => f.cleanup());

  it("lists every object in UTF-8 byte order of the keys", async () => {
    const expected = KEYS.filter((k) => k !== "a/b").sort(byBytes);
    // Byte order differs from JavaScript's UTF-16 order for the emoji vs U+FF61.
    assert.ok(expected.indexOf("\uff61half") < expected.indexOf("\u{1f600}smile"));
    assert.ok("\u{1f600}smile" < "\uff61half");
    const listed = await collect(f.storage.list("src"));
    assert.deepEqual(
      listed.map((o) => o.key),
      expected,
    );
    assert.ok(listed.indexOf(listed.find((o) => o.key === "a-c")!) < listed.findIndex((o) => o.key === "a.b"));
    assert.ok(listed.findIndex((o) => o.key === "a.b") < listed.findIndex((o) => o.key === "a/b/c"));
    assert.ok(listed.findIndex((o) => o.key === "a/b0") < listed.findIndex((o) => o.key === "a0"));
  });

  it("reports size, ETag, last-modified and storage class of each object", async () => {
    await f.storage.put("src", "dir/x0", "rewritten", { storageClass: "STANDARD_IA" });
    const listed = await collect(f.storage.list("src", { prefix: "dir/x0" }));
    assert.equal(listed.length, 1);
    assert.equal(listed[0].key, "dir/x0");
    assert.equal(listed[0].size, 9);
    assert.equal(listed[0].etag, md5("rewritten"));
    assert.equal(listed[0].storageClass, "STANDARD_IA");
    assert.ok(listed[0].lastModified instanceof Date);
    const hand = await collect(f.storage.list("src", { prefix: "a-c" }));
    assert.equal(hand[0].etag, md5("a-c"));
    assert.equal(hand[0].storageClass, "STANDARD");
  });

  it("filters by prefix, including prefixes that end inside a folder name", async () => {
    const keys = async (prefix: string) => (await collect(f.storage.list("src", { prefix }))).map((o) => o.key);
    assert.deepEqual(await keys("dir/"), ["dir/x-y.txt", "dir/x.txt", "dir/x/y/z.txt", "dir/x0"]);
    assert.deepEqual(await keys("dir/x/"), ["dir/x/y/z.txt"]);
    assert.deepEqual(await keys("a/"), ["a/b/c", "a/b0"]);
    assert.deepEqual(await keys("a/b"), ["a/b/c", "a/b0"]);
    assert.deepEqual(await keys("a"), ["a-c", "a.b", "a/b/c", "a/b0", "a0", "ab"]);
    assert.deepEqual(await keys("nothing"), []);
  });

  it("starts after a key (exclusive), also one that is not there or lies inside a folder", async () => {
    const keys = async (startAfter: string, prefix?: string) =>
      (await collect(f.storage.list("src", { startAfter, ...(prefix ? { prefix } : {}) }))).map((o) => o.key);
    assert.deepEqual(await keys("a/b/c", "a"), ["a/b0", "a0", "ab"]);
    assert.deepEqual(await keys("a/b", "a"), ["a/b/c", "a/b0", "a0", "ab"]);
    assert.deepEqual(await keys("a/a", "a"), ["a/b/c", "a/b0", "a0", "ab"]);
    assert.deepEqual(await keys("dir/x.txt", "dir/"), ["dir/x/y/z.txt", "dir/x0"]);
    const all = (await collect(f.storage.list("src"))).map((o) => o.key);
    assert.deepEqual(await keys(all[all.length - 1]), []);
    assert.deepEqual(await keys(all[4]), all.slice(5));
  });

  it("skips symlinks, names that are not UTF-8, and lists an empty bucket as nothing", async () => {
    symlinkSync(join(f.dataDir, "buckets", "src", "b"), join(f.dataDir, "buckets", "src", "b-link"));
    mkdirSync(join(f.dataDir, "buckets", "src", "zz-dir-link-target"));
    symlinkSync(join(f.dataDir, "buckets", "src", "dir"), join(f.dataDir, "buckets", "src", "zz-dir-link"));
    const bad = Buffer.concat([Buffer.from(join(f.dataDir, "buckets", "src", "bad-")), Buffer.from([0xff, 0xfe])]);
    writeFileSync(bad, "latin1 name");
    const keys = (await collect(f.storage.list("src"))).map((o) => o.key);
    assert.equal(keys.includes("b-link"), false);
    assert.equal(
      keys.some((k) => k.startsWith("zz-dir-link") || k.startsWith("bad-")),
      false,
    );
    assert.ok(keys.includes("b"));
    assert.deepEqual(await collect(f.storage.list("empty")), []);
    await rejectsWith(collect(f.storage.list("nope")), "NoSuchBucket", 404);
  });

  it("streams: the first object arrives before the whole bucket is read", async () => {
    await f.storage.createBucket("big");
    for (let d = 0; d < 20; d++) {
      for (let i = 0; i < 20; i++) await f.drop("big", `d${String(d).padStart(2, "0")}/o${i}`, "x");
    }
    const iterator = f.storage.list("big")[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.value?.key, "d00/o0");
    // A later folder is read only when the walk gets there: an object added now still shows up.
    await f.drop("big", "d19/zz-added-after-start", "x");
    const rest: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value.key);
    assert.equal(rest.length, 400);
    assert.equal(rest[rest.length - 1], "d19/zz-added-after-start");
  });
});

describe("listing ranges", () => {
  const b = (s: string) => Buffer.from(s, "utf8");

  it("keeps a key that starts with the prefix and sorts after startAfter", () => {
    assert.equal(keyInRange(b("logs/a"), b("logs/"), undefined), true);
    assert.equal(keyInRange(b("log"), b("logs/"), undefined), false);
    assert.equal(keyInRange(b("logs/b"), b("logs/"), b("logs/a")), true);
    assert.equal(keyInRange(b("logs/a"), b("logs/"), b("logs/a")), false, "startAfter is exclusive");
  });

  it("reads a folder only when it may hold a key in range", () => {
    assert.equal(folderInRange(b("logs/"), b("logs/2024"), undefined), true, "the prefix reaches into the folder");
    assert.equal(folderInRange(b("logs/2024/"), b("logs/"), undefined), true, "the folder lies under the prefix");
    assert.equal(folderInRange(b("data/"), b("logs/"), undefined), false);
    assert.equal(folderInRange(b("a/"), b(""), b("b")), false, "every key in a/ sorts before b");
    assert.equal(folderInRange(b("a/"), b(""), b("a/m")), true, "startAfter lies inside the folder");
    assert.equal(folderInRange(b("c/"), b(""), b("b")), true);
  });
});
