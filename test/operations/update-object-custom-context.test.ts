/**
 * UpdateObjectCustomContext (Google updateObjectCustomContext, D45) on the local backend: contexts kept as tags.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { updatedContexts, updateObjectCustomContext } from "../../src/operations/update-object-custom-context.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("updateObjectCustomContext", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("sets and removes contexts as tags; the others stay; repeating changes nothing", async () => {
    await f.storage.put("src", "c.txt", "c", {
      tags: [
        { key: "keep", value: "1" },
        { key: "gone", value: "2" },
        { key: "change", value: "old" },
      ],
    });
    const op = {
      kind: "UpdateObjectCustomContext",
      set: [
        { key: "change", value: "new" },
        { key: "added", value: "3" },
      ],
      remove: ["gone", "never-there"],
    } as const;
    const task = { bucket: "src", key: "c.txt" };
    assert.equal((await updateObjectCustomContext(task, op, contextOf(f))).status, "succeeded");
    const expected = [
      { key: "keep", value: "1" },
      { key: "change", value: "new" },
      { key: "added", value: "3" },
    ];
    assert.deepEqual(await f.storage.getTagging("src", "c.txt"), expected);
    assert.equal((await updateObjectCustomContext(task, op, contextOf(f))).status, "succeeded");
    assert.deepEqual(await f.storage.getTagging("src", "c.txt"), expected);
  });

  it("removeAll clears first; an empty result deletes the tagging", async () => {
    await f.storage.put("src", "all.txt", "a", { tags: [{ key: "x", value: "1" }] });
    const task = { bucket: "src", key: "all.txt" };
    const replaced = await updateObjectCustomContext(
      task,
      { kind: "UpdateObjectCustomContext", removeAll: true, set: [{ key: "y", value: "2" }] },
      contextOf(f),
    );
    assert.equal(replaced.status, "succeeded");
    assert.deepEqual(await f.storage.getTagging("src", "all.txt"), [{ key: "y", value: "2" }]);
    await updateObjectCustomContext(task, { kind: "UpdateObjectCustomContext", removeAll: true }, contextOf(f));
    assert.deepEqual(await f.storage.getTagging("src", "all.txt"), []);
  });

  it("fails with 400 BadRequest past S3's 10 tags and changes nothing", async () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    await f.storage.put("src", "many.txt", "m", { tags: nine });
    const result = await updateObjectCustomContext(
      { bucket: "src", key: "many.txt" },
      {
        kind: "UpdateObjectCustomContext",
        set: [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ],
      },
      contextOf(f),
    );
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 400, "BadRequest"]);
    assert.match(result.message, /custom contexts are kept as its tags/);
    assert.deepEqual(await f.storage.getTagging("src", "many.txt"), nine);
  });

  it("fails a missing object with 404 NoSuchKey", async () => {
    const result = await updateObjectCustomContext(
      { bucket: "src", key: "none" },
      { kind: "UpdateObjectCustomContext", set: [{ key: "a", value: "1" }] },
      contextOf(f),
    );
    assert.deepEqual([result.httpStatus, result.errorCode], [404, "NoSuchKey"]);
  });
});

describe("updatedContexts", () => {
  it("applies removeAll, then remove, then set", () => {
    const current = [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ];
    assert.deepEqual(
      updatedContexts(current, { kind: "UpdateObjectCustomContext", remove: ["a"], set: [{ key: "a", value: "9" }] }),
      [
        { key: "b", value: "2" },
        { key: "a", value: "9" },
      ],
    );
    assert.deepEqual(updatedContexts(current, { kind: "UpdateObjectCustomContext", removeAll: true }), []);
  });
});
