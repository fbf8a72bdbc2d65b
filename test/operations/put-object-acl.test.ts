import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { putObjectAcl } from "../../src/operations/put-object-acl.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("putObjectAcl", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("sets a canned ACL or grants, replacing the previous ACL", async () => {
    await f.drop("src", "x.txt", "x");
    const task = { bucket: "src", key: "x.txt" };
    const canned = await putObjectAcl(task, { kind: "PutObjectAcl", acl: { canned: "public-read" } }, contextOf(f));
    assert.deepEqual(canned, { status: "succeeded", httpStatus: 200, errorCode: "", message: "Successful" });
    assert.deepEqual(await f.storage.getAcl("src", "x.txt"), { canned: "public-read" });
    const acl = {
      owner: { id: "owner-1", displayName: "Owner" },
      grants: [{ granteeType: "emailAddress", identifier: "a@example.com", permission: "FULL_CONTROL" }],
    } as const;
    await putObjectAcl(task, { kind: "PutObjectAcl", acl }, contextOf(f));
    assert.deepEqual(await f.storage.getAcl("src", "x.txt"), acl);
  });

  it("fails with 400 for an unknown canned ACL and 404 for a missing object", async () => {
    const bad = await putObjectAcl(
      { bucket: "src", key: "x.txt" },
      { kind: "PutObjectAcl", acl: { canned: "open-to-all" } },
      contextOf(f),
    );
    assert.deepEqual([bad.status, bad.httpStatus, bad.errorCode], ["failed", 400, "InvalidArgument"]);
    const missing = await putObjectAcl(
      { bucket: "src", key: "nope" },
      { kind: "PutObjectAcl", acl: { canned: "private" } },
      contextOf(f),
    );
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
  });
});
