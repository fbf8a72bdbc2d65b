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
});
