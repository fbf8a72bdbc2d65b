/**
 * PutObject in a local directory (object-put.ts): a stream hashed as it is written, the atomic replace through
 * tmp/, and S3's attribute rules checked before anything is written.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const md5 = (s: string | Buffer) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("LocalStorage.put", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("puts a stream body and computes its ETag while writing", async () => {
    const body = Readable.from([Buffer.from("abc"), Buffer.from("def")]);
    const result = await f.storage.put("src", "stream.bin", body);
    assert.equal(result.etag, md5("abcdef"));
    assert.equal(await text(f.storage.get("src", "stream.bin")), "abcdef");
  });

  it("replaces an object atomically and leaves nothing in tmp/", async () => {
    await f.storage.put("src", "over.txt", "one", { tags: [{ key: "a", value: "1" }] });
    await f.storage.put("src", "over.txt", "two");
    assert.equal(await text(f.storage.get("src", "over.txt")), "two");
    assert.deepEqual(await f.storage.getTagging("src", "over.txt"), []);
    assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), []);
  });

  it("refuses invalid tags, ACLs and storage classes on put", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    await rejectsWith(f.storage.put("src", "t.txt", "x", { tags: eleven }), "BadRequest", 400);
    await rejectsWith(
      f.storage.put("src", "t.txt", "x", {
        tags: [
          { key: "a", value: "1" },
          { key: "a", value: "2" },
        ],
      }),
      "InvalidTag",
      400,
    );
    await rejectsWith(
      f.storage.put("src", "t.txt", "x", { acl: { canned: "world-writable" } }),
      "InvalidArgument",
      400,
    );
    await rejectsWith(f.storage.put("src", "t.txt", "x", { storageClass: "NOT A CLASS" }), "InvalidStorageClass", 400);
    await rejectsWith(f.storage.head("src", "t.txt"), "NoSuchKey", 404);
  });

  it("refuses to overwrite a locked object, and leaves nothing in tmp/ when a write fails", async () => {
    await f.storage.put("src", "locked.txt", "kept");
    await f.storage.putLegalHold("src", "locked.txt", "ON");
    await rejectsWith(f.storage.put("src", "locked.txt", "replaced"), "AccessDenied", 403);
    assert.equal(await text(f.storage.get("src", "locked.txt")), "kept");
    const failing = new Readable({
      read() {
        this.destroy(new Error("the body broke off"));
      },
    });
    await assert.rejects(f.storage.put("src", "broken.txt", failing));
    await rejectsWith(f.storage.head("src", "broken.txt"), "NoSuchKey", 404);
    assert.deepEqual(readdirSync(join(f.dataDir, "tmp")), []);
  });
});
