import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PutObjectRetentionOperation } from "../../src/domain/job.js";
import { deleteObject } from "../../src/operations/delete-object.js";
import { putObjectRetention, retentionSetting } from "../../src/operations/put-object-retention.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("putObjectRetention", () => {
  let f: Fixture;
  const op = (fields: Omit<PutObjectRetentionOperation, "kind">): PutObjectRetentionOperation => ({
    kind: "PutObjectRetention",
    ...fields,
  });
  before(async () => {
    f = await withFixture(); // the fixture's clock reads 2025-01-01
  });
  after(() => f.cleanup());

  it("sets COMPLIANCE retention; shortening or removing it fails 403 AccessDenied, extending succeeds", async () => {
    await f.drop("src", "ledger.csv", "rows");
    const task = { bucket: "src", key: "ledger.csv" };
    const set = await putObjectRetention(
      task,
      op({ mode: "COMPLIANCE", retainUntilDate: "2026-06-01T00:00:00Z" }),
      contextOf(f),
    );
    assert.deepEqual(set, { status: "succeeded", httpStatus: 200, errorCode: "", message: "Successful" });
    const info = await f.storage.head("src", "ledger.csv");
    assert.deepEqual(info.objectLock, {
      legalHold: "OFF",
      mode: "COMPLIANCE",
      retainUntilDate: new Date("2026-06-01T00:00:00Z"),
    });

    const shorter = await putObjectRetention(
      task,
      op({ mode: "COMPLIANCE", retainUntilDate: "2025-06-01T00:00:00Z", bypassGovernanceRetention: true }),
      contextOf(f),
    );
    assert.deepEqual([shorter.status, shorter.httpStatus, shorter.errorCode], ["failed", 403, "AccessDenied"]);
    const removed = await putObjectRetention(task, op({ bypassGovernanceRetention: true }), contextOf(f));
    assert.deepEqual([removed.httpStatus, removed.errorCode], [403, "AccessDenied"]);
    const deleted = await deleteObject(task, { kind: "DeleteObject" }, contextOf(f));
    assert.deepEqual([deleted.httpStatus, deleted.errorCode], [403, "AccessDenied"]);
    assert.match(deleted.message, /COMPLIANCE Object Lock retention until 2026-06-01T00:00:00.000Z/);

    const extended = await putObjectRetention(
      task,
      op({ mode: "COMPLIANCE", retainUntilDate: "2027-01-01T00:00:00Z" }),
      contextOf(f),
    );
    assert.equal(extended.status, "succeeded");
  });

  it("GOVERNANCE: removal needs BypassGovernanceRetention, then delete works", async () => {
    await f.drop("src", "draft.txt", "d");
    const task = { bucket: "src", key: "draft.txt" };
    assert.equal(
      (
        await putObjectRetention(
          task,
          op({ mode: "GOVERNANCE", retainUntilDate: "2025-03-01T00:00:00Z" }),
          contextOf(f),
        )
      ).status,
      "succeeded",
    );
    const refused = await putObjectRetention(task, op({}), contextOf(f));
    assert.deepEqual([refused.httpStatus, refused.errorCode], [403, "AccessDenied"]);
    assert.equal(
      (await putObjectRetention(task, op({ bypassGovernanceRetention: true }), contextOf(f))).status,
      "succeeded",
    );
    assert.equal((await deleteObject(task, { kind: "DeleteObject" }, contextOf(f))).status, "succeeded");
  });

  it("fails with 400 InvalidArgument for a past date, a bad date, half a retention or a bad mode", async () => {
    await f.drop("src", "x.txt", "x");
    const task = { bucket: "src", key: "x.txt" };
    const past = await putObjectRetention(
      task,
      op({ mode: "GOVERNANCE", retainUntilDate: "2024-01-01T00:00:00Z" }),
      contextOf(f),
    );
    assert.deepEqual(
      [past.httpStatus, past.errorCode, past.message],
      [400, "InvalidArgument", "The retain until date must be in the future!"],
    );
    for (const fields of [
      { mode: "GOVERNANCE" as const, retainUntilDate: "next tuesday" },
      { mode: "GOVERNANCE" as const },
      { retainUntilDate: "2026-01-01T00:00:00Z" },
      { mode: "FOREVER" as never, retainUntilDate: "2026-01-01T00:00:00Z" },
    ]) {
      const r = await putObjectRetention(task, op(fields), contextOf(f));
      assert.deepEqual(
        [r.status, r.httpStatus, r.errorCode],
        ["failed", 400, "InvalidArgument"],
        JSON.stringify(fields),
      );
    }
    assert.equal((await f.storage.head("src", "x.txt")).objectLock, undefined, "nothing changed");
    const missing = await putObjectRetention(
      { bucket: "src", key: "gone" },
      op({ mode: "GOVERNANCE", retainUntilDate: "2026-01-01T00:00:00Z" }),
      contextOf(f),
    );
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
  });

  it("maps the operation to the storage's retention setting", () => {
    assert.deepEqual(retentionSetting(op({ mode: "COMPLIANCE", retainUntilDate: "2026-01-01T00:00:00Z" })), {
      mode: "COMPLIANCE",
      retainUntilDate: new Date("2026-01-01T00:00:00Z"),
    });
    assert.deepEqual(retentionSetting(op({ bypassGovernanceRetention: true })), { bypassGovernanceRetention: true });
    assert.deepEqual(retentionSetting(op({ bypassGovernanceRetention: false })), {});
  });
});
