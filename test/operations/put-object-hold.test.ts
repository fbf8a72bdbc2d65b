/**
 * PutObjectHold (Google putObjectHold, D45) on the local backend: the temporary hold is the legal hold, the
 * event-based hold is kept beside it and protects the object the same way (s3rver, which refuses the
 * event-based hold, in google-operations-s3.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { putObjectHold } from "../../src/operations/put-object-hold.js";
import { contextOf, type Fixture, text, withFixture } from "./helpers.js";

describe("putObjectHold", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("sets the temporary hold as the legal hold, and releases it", async () => {
    await f.drop("src", "t.txt", "t");
    const task = { bucket: "src", key: "t.txt" };
    const set = await putObjectHold(task, { kind: "PutObjectHold", temporaryHold: true }, contextOf(f));
    assert.equal(set.status, "succeeded");
    assert.deepEqual((await f.storage.head("src", "t.txt")).objectLock, { legalHold: "ON" });
    await assert.rejects(f.storage.delete("src", "t.txt"), { code: "AccessDenied" });
    await putObjectHold(task, { kind: "PutObjectHold", temporaryHold: false }, contextOf(f));
    await f.storage.delete("src", "t.txt");
  });

  it("an event-based hold blocks delete and overwrite exactly as the legal hold does, until released", async () => {
    await f.drop("src", "e.txt", "original");
    await f.drop("dst", "other.txt", "other");
    const task = { bucket: "src", key: "e.txt" };
    const set = await putObjectHold(task, { kind: "PutObjectHold", eventBasedHold: true }, contextOf(f));
    assert.equal(set.status, "succeeded");
    assert.equal(
      (await putObjectHold(task, { kind: "PutObjectHold", eventBasedHold: true }, contextOf(f))).status,
      "succeeded",
      "safe to repeat",
    );
    assert.deepEqual((await f.storage.head("src", "e.txt")).objectLock, { legalHold: "OFF", eventBasedHold: true });
    await assert.rejects(f.storage.delete("src", "e.txt"), { code: "AccessDenied", message: /event-based hold/ });
    await assert.rejects(f.storage.put("src", "e.txt", "overwritten"), { code: "AccessDenied" });
    await assert.rejects(f.storage.copy({ bucket: "dst", key: "other.txt" }, { bucket: "src", key: "e.txt" }), {
      code: "AccessDenied",
    });
    assert.equal(await text(f.storage.get("src", "e.txt")), "original");
    // Tags stay changeable, as under a legal hold.
    await f.storage.putTagging("src", "e.txt", [{ key: "k", value: "v" }]);

    const released = await putObjectHold(task, { kind: "PutObjectHold", eventBasedHold: false }, contextOf(f));
    assert.equal(released.status, "succeeded");
    assert.equal((await f.storage.head("src", "e.txt")).objectLock, undefined);
    await f.storage.delete("src", "e.txt");
  });

  it("keeps both holds independently: releasing one leaves the other", async () => {
    await f.drop("src", "both.txt", "b");
    const task = { bucket: "src", key: "both.txt" };
    await putObjectHold(task, { kind: "PutObjectHold", temporaryHold: true, eventBasedHold: true }, contextOf(f));
    await putObjectHold(task, { kind: "PutObjectHold", temporaryHold: false }, contextOf(f));
    assert.deepEqual((await f.storage.head("src", "both.txt")).objectLock, { legalHold: "OFF", eventBasedHold: true });
    await assert.rejects(f.storage.delete("src", "both.txt"), { code: "AccessDenied" });
  });

  it("fails without a hold (400), for a missing object (404) and another version (404)", async () => {
    await f.drop("src", "n.txt", "n");
    const none = await putObjectHold({ bucket: "src", key: "n.txt" }, { kind: "PutObjectHold" }, contextOf(f));
    assert.deepEqual([none.status, none.httpStatus, none.errorCode], ["failed", 400, "InvalidArgument"]);
    const op = { kind: "PutObjectHold", eventBasedHold: true } as const;
    const missing = await putObjectHold({ bucket: "src", key: "gone" }, op, contextOf(f));
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
    const version = await putObjectHold({ bucket: "src", key: "n.txt", versionId: "123" }, op, contextOf(f));
    assert.deepEqual([version.httpStatus, version.errorCode], [404, "NoSuchVersion"]);
  });
});
