/**
 * GetObject in a local directory (object-read.ts): byte ranges as S3 serves them, If-Match (quotes optional,
 * `*`, a list of ETags), and 404 for what is no object.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const md5 = (s: string | Buffer) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("LocalStorage.get", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("serves inclusive byte ranges, clamps the end and refuses unsatisfiable ones with 416", async () => {
    await f.storage.put("src", "range.txt", "0123456789");
    assert.equal(await text(f.storage.get("src", "range.txt", { range: { start: 2, end: 4 } })), "234");
    assert.equal(await text(f.storage.get("src", "range.txt", { range: { start: 7, end: 100 } })), "789");
    assert.equal(await text(f.storage.get("src", "range.txt", { range: { start: 0, end: 0 } })), "0");
    await rejectsWith(f.storage.get("src", "range.txt", { range: { start: 10, end: 12 } }), "InvalidRange", 416);
    await rejectsWith(f.storage.get("src", "range.txt", { range: { start: 5, end: 4 } }), "InvalidRange", 416);
  });

  it("checks If-Match on get (quotes optional)", async () => {
    await f.storage.put("src", "im.txt", "abc");
    const etag = md5("abc");
    assert.equal(await text(f.storage.get("src", "im.txt", { ifMatch: etag.slice(1, -1) })), "abc");
    await rejectsWith(f.storage.get("src", "im.txt", { ifMatch: '"0000"' }), "PreconditionFailed", 412);
  });

  it("answers 404 NoSuchKey for missing objects and for folders", async () => {
    await rejectsWith(f.storage.head("src", "missing.txt"), "NoSuchKey", 404);
    await rejectsWith(f.storage.get("src", "missing/deeper.txt"), "NoSuchKey", 404);
    await f.storage.put("src", "folder/inside.txt", "x");
    await rejectsWith(f.storage.head("src", "folder"), "NoSuchKey", 404);
    await rejectsWith(f.storage.get("src", "folder"), "NoSuchKey", 404);
  });

  it("accepts If-Match * and a list of ETags holding the object's", async () => {
    await f.storage.put("src", "im-list.txt", "abc");
    assert.equal(await text(f.storage.get("src", "im-list.txt", { ifMatch: "*" })), "abc");
    assert.equal(await text(f.storage.get("src", "im-list.txt", { ifMatch: `"0000", ${md5("abc")}` })), "abc");
    await rejectsWith(f.storage.get("src", "im-list.txt", { ifMatch: '"0000", "1111"' }), "PreconditionFailed", 412);
  });
});
