import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { deleteObject } from "../../src/operations/delete-object.js";
import { putObjectCopy } from "../../src/operations/put-object-copy.js";
import { putObjectLegalHold } from "../../src/operations/put-object-legal-hold.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("putObjectLegalHold", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("puts a hold ON (200), which makes delete and overwrite rows 403 AccessDenied, and takes it OFF again", async () => {
    await f.drop("src", "evidence/a.pdf", "pdf");
    const task = { bucket: "src", key: "evidence/a.pdf" };
    const on = await putObjectLegalHold(task, { kind: "PutObjectLegalHold", status: "ON" }, contextOf(f));
    assert.deepEqual(on, { status: "succeeded", httpStatus: 200, errorCode: "", message: "Successful" });
    assert.equal(
      (await putObjectLegalHold(task, { kind: "PutObjectLegalHold", status: "ON" }, contextOf(f))).status,
      "succeeded",
      "safe to repeat",
    );

    const deleted = await deleteObject(task, { kind: "DeleteObject" }, contextOf(f));
    assert.deepEqual([deleted.status, deleted.httpStatus, deleted.errorCode], ["failed", 403, "AccessDenied"]);
    assert.match(deleted.message, /legal hold/);
    await f.drop("dst", "evidence/a.pdf", "other");
    const overwrite = await putObjectCopy(
      { bucket: "dst", key: "evidence/a.pdf" },
      { kind: "PutObjectCopy", targetResource: { arn: "arn:aws:s3:::src", bucket: "src" } },
      contextOf(f),
    );
    assert.deepEqual([overwrite.httpStatus, overwrite.errorCode], [403, "AccessDenied"]);

    const off = await putObjectLegalHold(task, { kind: "PutObjectLegalHold", status: "OFF" }, contextOf(f));
    assert.equal(off.status, "succeeded");
    assert.equal((await deleteObject(task, { kind: "DeleteObject" }, contextOf(f))).status, "succeeded");
  });

  it("fails with S3's rows for a missing object or version and a bad status", async () => {
    const op = { kind: "PutObjectLegalHold", status: "ON" } as const;
    const missing = await putObjectLegalHold({ bucket: "src", key: "nope" }, op, contextOf(f));
    assert.deepEqual([missing.status, missing.httpStatus, missing.errorCode], ["failed", 404, "NoSuchKey"]);
    await f.drop("src", "v.txt", "v");
    const version = await putObjectLegalHold({ bucket: "src", key: "v.txt", versionId: "3" }, op, contextOf(f));
    assert.deepEqual([version.httpStatus, version.errorCode], [404, "NoSuchVersion"]);
    const bad = await putObjectLegalHold(
      { bucket: "src", key: "v.txt" },
      { kind: "PutObjectLegalHold", status: "on" as never },
      contextOf(f),
    );
    assert.deepEqual([bad.httpStatus, bad.errorCode], [400, "InvalidArgument"]);
    assert.equal((await f.storage.head("src", "v.txt")).objectLock, undefined, "nothing changed");
  });
});
