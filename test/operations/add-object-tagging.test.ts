import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addObjectTagging, mergeTagSets } from "../../src/operations/add-object-tagging.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("addObjectTagging", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("merges: new values win for the same key, other tags stay; repeating gives the same set", async () => {
    await f.storage.put("src", "a.txt", "a", {
      tags: [
        { key: "keep", value: "1" },
        { key: "env", value: "dev" },
      ],
    });
    const op = {
      kind: "AddObjectTagging",
      tagSet: [
        { key: "env", value: "prod" },
        { key: "new", value: "yes" },
      ],
    } as const;
    const result = await addObjectTagging({ bucket: "src", key: "a.txt" }, op, contextOf(f));
    assert.equal(result.status, "succeeded");
    const expected = [
      { key: "keep", value: "1" },
      { key: "env", value: "prod" },
      { key: "new", value: "yes" },
    ];
    assert.deepEqual(await f.storage.getTagging("src", "a.txt"), expected);
    await addObjectTagging({ bucket: "src", key: "a.txt" }, op, contextOf(f));
    assert.deepEqual(await f.storage.getTagging("src", "a.txt"), expected);
  });

  it("adds to an object without tags (a hand-dropped file)", async () => {
    await f.drop("src", "hand.txt", "h");
    await addObjectTagging(
      { bucket: "src", key: "hand.txt" },
      { kind: "AddObjectTagging", tagSet: [{ key: "x", value: "1" }] },
      contextOf(f),
    );
    assert.deepEqual(await f.storage.getTagging("src", "hand.txt"), [{ key: "x", value: "1" }]);
  });

  it("fails with 400 BadRequest when the merged set exceeds 10 tags and leaves the tags as they were", async () => {
    const eight = Array.from({ length: 8 }, (_, i) => ({ key: `o${i}`, value: "v" }));
    await f.storage.put("src", "full.txt", "f", { tags: eight });
    const result = await addObjectTagging(
      { bucket: "src", key: "full.txt" },
      {
        kind: "AddObjectTagging",
        tagSet: [
          { key: "o0", value: "replaced" },
          { key: "n1", value: "v" },
          { key: "n2", value: "v" },
          { key: "n3", value: "v" },
        ],
      },
      contextOf(f),
    );
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 400, "BadRequest"]);
    assert.match(result.message, /gives 11/);
    assert.deepEqual(await f.storage.getTagging("src", "full.txt"), eight);
    const exactlyTen = await addObjectTagging(
      { bucket: "src", key: "full.txt" },
      {
        kind: "AddObjectTagging",
        tagSet: [
          { key: "o0", value: "replaced" },
          { key: "n1", value: "v" },
          { key: "n2", value: "v" },
        ],
      },
      contextOf(f),
    );
    assert.equal(exactlyTen.status, "succeeded");
    assert.equal((await f.storage.getTagging("src", "full.txt")).length, 10);
  });

  it("mergeTagSets keeps the existing order and appends new keys", () => {
    assert.deepEqual(
      mergeTagSets(
        [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ],
        [
          { key: "c", value: "3" },
          { key: "a", value: "9" },
        ],
      ),
      [
        { key: "a", value: "9" },
        { key: "b", value: "2" },
        { key: "c", value: "3" },
      ],
    );
  });
});
