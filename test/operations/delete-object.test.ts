import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { deleteObject } from "../../src/operations/delete-object.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("deleteObject", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("deletes the object and answers 204, also when repeated", async () => {
    await f.drop("src", "logs/2024/a.log", "line");
    const task = { bucket: "src", key: "logs/2024/a.log" };
    const op = { kind: "DeleteObject" } as const;
    assert.deepEqual(await deleteObject(task, op, contextOf(f)), {
      status: "succeeded",
      httpStatus: 204,
      errorCode: "",
      message: "Successful",
    });
    assert.equal(existsSync(f.file("src", "logs/2024/a.log")), false);
    assert.equal((await deleteObject(task, op, contextOf(f))).status, "succeeded", "safe to repeat");
  });

  it("fails for another version (404 NoSuchVersion), hostile keys (403) and missing buckets (404)", async () => {
    await f.drop("src", "keep.txt", "k");
    const op = { kind: "DeleteObject" } as const;
    const version = await deleteObject({ bucket: "src", key: "keep.txt", versionId: "v1" }, op, contextOf(f));
    assert.deepEqual([version.status, version.httpStatus, version.errorCode], ["failed", 404, "NoSuchVersion"]);
    assert.equal(existsSync(f.file("src", "keep.txt")), true);
    const hostile = await deleteObject({ bucket: "src", key: "../dst/x" }, op, contextOf(f));
    assert.deepEqual([hostile.httpStatus, hostile.errorCode], [403, "AccessDenied"]);
    const bucket = await deleteObject({ bucket: "gone", key: "x" }, op, contextOf(f));
    assert.deepEqual([bucket.httpStatus, bucket.errorCode], [404, "NoSuchBucket"]);
  });

  it("with allVersions deletes the object on a store without versions, and a missing one succeeds", async () => {
    await f.drop("src", "all/v.txt", "v");
    await f.drop("src", "all/v.txt.keep", "k");
    const op = { kind: "DeleteObject", allVersions: true } as const;
    const result = await deleteObject({ bucket: "src", key: "all/v.txt" }, op, contextOf(f));
    assert.deepEqual([result.status, result.httpStatus, result.message], ["succeeded", 204, "Successful"]);
    assert.equal(existsSync(f.file("src", "all/v.txt")), false);
    assert.equal(existsSync(f.file("src", "all/v.txt.keep")), true, "a key that only starts with it stays");
    const again = await deleteObject({ bucket: "src", key: "all/v.txt" }, op, contextOf(f));
    assert.deepEqual([again.status, again.httpStatus], ["succeeded", 204]);
  });

  it("with allVersions refuses a held object (403) and keeps it", async () => {
    await f.drop("src", "held-all.txt", "h");
    await f.storage.putEventBasedHold("src", "held-all.txt", true);
    const op = { kind: "DeleteObject", allVersions: true } as const;
    const result = await deleteObject({ bucket: "src", key: "held-all.txt" }, op, contextOf(f));
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 403, "AccessDenied"]);
    assert.equal(existsSync(f.file("src", "held-all.txt")), true);
  });
});
