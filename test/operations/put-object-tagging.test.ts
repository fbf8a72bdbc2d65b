import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { putObjectTagging } from "../../src/operations/put-object-tagging.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("putObjectTagging", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
    await f.storage.put("src", "doc.txt", "doc", { tags: [{ key: "old", value: "1" }] });
  });
  after(() => f.cleanup());

  it("replaces the whole tag set", async () => {
    const tagSet = [
      { key: "project", value: "x" },
      { key: "owner", value: "ann" },
    ];
    const result = await putObjectTagging(
      { bucket: "src", key: "doc.txt" },
      { kind: "PutObjectTagging", tagSet },
      contextOf(f),
    );
    assert.deepEqual(result, { status: "succeeded", httpStatus: 200, errorCode: "", message: "Successful" });
    assert.deepEqual(await f.storage.getTagging("src", "doc.txt"), tagSet);
  });

  it("fails with 400 for more than 10 tags and 404 for missing objects", async () => {
    const tagSet = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const tooMany = await putObjectTagging(
      { bucket: "src", key: "doc.txt" },
      { kind: "PutObjectTagging", tagSet },
      contextOf(f),
    );
    assert.deepEqual([tooMany.status, tooMany.httpStatus, tooMany.errorCode], ["failed", 400, "BadRequest"]);
    assert.equal((await f.storage.getTagging("src", "doc.txt")).length, 2);
    const missing = await putObjectTagging(
      { bucket: "src", key: "nope" },
      { kind: "PutObjectTagging", tagSet: [] },
      contextOf(f),
    );
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
  });
});
