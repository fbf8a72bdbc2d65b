import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deleteObjectTagging } from "../../src/operations/delete-object-tagging.js";
import { contextOf, type Fixture, text, withFixture } from "./helpers.js";

describe("deleteObjectTagging", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("removes every tag (204) and leaves the object and its metadata alone", async () => {
    await f.storage.put("src", "t.txt", "body", {
      tags: [{ key: "a", value: "1" }],
      metadata: { contentType: "text/x-t" },
    });
    const result = await deleteObjectTagging(
      { bucket: "src", key: "t.txt" },
      { kind: "DeleteObjectTagging" },
      contextOf(f),
    );
    assert.deepEqual([result.status, result.httpStatus], ["succeeded", 204]);
    assert.deepEqual(await f.storage.getTagging("src", "t.txt"), []);
    assert.equal((await f.storage.head("src", "t.txt")).metadata.contentType, "text/x-t");
    assert.equal(await text(f.storage.get("src", "t.txt")), "body");
  });

  it("fails with 404 for a missing object", async () => {
    const result = await deleteObjectTagging(
      { bucket: "src", key: "none" },
      { kind: "DeleteObjectTagging" },
      contextOf(f),
    );
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 404, "NoSuchKey"]);
  });
});
