import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { initiateRestoreObject } from "../../src/operations/initiate-restore-object.js";
import { contextOf, type Fixture, fixture, text } from "./helpers.js";

describe("initiateRestoreObject", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["src"], { restoreDelayMs: { Bulk: 60_000 } });
    await f.storage.put("src", "cold.bin", "cold", { storageClass: "DEEP_ARCHIVE" });
  });
  after(() => f.cleanup());

  const op = { kind: "InitiateRestoreObject", expirationInDays: 3, tier: "Bulk" } as const;

  it("starts a restore (202), refuses a second one while it runs (409), extends a finished one (200)", async () => {
    const task = { bucket: "src", key: "cold.bin" };
    const started = await initiateRestoreObject(task, op, contextOf(f));
    assert.equal(started.status, "succeeded");
    assert.equal(started.httpStatus, 202);
    assert.match(started.message, /Restore initiated \(Bulk tier for 3 days\)/);
    assert.deepEqual((await f.storage.head("src", "cold.bin")).restore, { ongoing: true, tier: "Bulk" });

    const again = await initiateRestoreObject(task, op, contextOf(f));
    assert.deepEqual([again.status, again.httpStatus, again.errorCode], ["failed", 409, "RestoreAlreadyInProgress"]);

    f.clock.now = new Date(f.clock.now.getTime() + 60_000);
    assert.equal(await text(f.storage.get("src", "cold.bin")), "cold");
    const extended = await initiateRestoreObject(task, { ...op, expirationInDays: 10 }, contextOf(f));
    assert.deepEqual([extended.status, extended.httpStatus], ["succeeded", 200]);
    assert.match(extended.message, /expiry extended for 10 days/);
    assert.equal(
      (await f.storage.head("src", "cold.bin")).restore?.expiryDate?.getTime(),
      f.clock.now.getTime() + 10 * 86_400_000,
    );
  });

  it("fails for objects that are not archived (403) or missing (404)", async () => {
    await f.drop("src", "hot.txt", "hot");
    const hot = await initiateRestoreObject({ bucket: "src", key: "hot.txt" }, op, contextOf(f));
    assert.deepEqual([hot.status, hot.httpStatus, hot.errorCode], ["failed", 403, "InvalidObjectState"]);
    const missing = await initiateRestoreObject({ bucket: "src", key: "none" }, op, contextOf(f));
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
  });
});
