import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BucketAccess, restrictStorage } from "../../src/engine/bucket-access.js";
import { fixture } from "../storage/local/helpers.js";

const account = {
  id: "1",
  keys: [],
  buckets: ["team-*", "shared"],
  roles: { "role/a": ["team-a", "shared"], "role/wild": ["*"] },
};

describe("BucketAccess", () => {
  it("allows what both the account and the job's role allow", () => {
    const a = new BucketAccess(account, "role/a");
    assert.ok(a.allows("team-a"));
    assert.ok(a.allows("shared"));
    assert.ok(!a.allows("team-b"), "the role does not list it");
    const wild = new BucketAccess(account, "role/wild");
    assert.ok(wild.allows("team-b"));
    assert.ok(!wild.allows("other"), "the account does not list it");
  });

  it("denies everything to an unknown role or account, with AccessDenied", () => {
    const unknown = new BucketAccess(account, "role/none");
    assert.ok(!unknown.allows("shared"));
    assert.throws(
      () => unknown.check("shared"),
      (e: { code?: string; httpStatus?: number }) => e.code === "AccessDenied" && e.httpStatus === 403,
    );
    assert.ok(!new BucketAccess(undefined, "role/a").allows("shared"));
    const noRoles = new BucketAccess({ id: "2", keys: [], buckets: ["*"] }, "anything");
    assert.ok(noRoles.allows("whatever"), "roles apply only where the account configures them");
  });
});

describe("restrictStorage", () => {
  it("lets multipart uploads (report files) touch only allowed buckets", async () => {
    const f = await fixture(["team-a", "team-b"]);
    try {
      const storage = restrictStorage(f.storage, new BucketAccess(account, "role/a"));
      const uploadId = await storage.createMultipartUpload("team-a", "r.csv");
      const part = await storage.uploadPart("team-a", "r.csv", uploadId, 1, Buffer.from("rows\n"));
      await storage.completeMultipartUpload("team-a", "r.csv", uploadId, [part]);
      assert.equal((await f.storage.head("team-a", "r.csv")).size, 5);

      const denied = (e: { code?: string }) => e.code === "AccessDenied";
      const other = await f.storage.createMultipartUpload("team-b", "r.csv");
      await assert.rejects(storage.createMultipartUpload("team-b", "r.csv"), denied);
      await assert.rejects(storage.uploadPart("team-b", "r.csv", other, 1, Buffer.from("x")), denied);
      await assert.rejects(storage.completeMultipartUpload("team-b", "r.csv", other, [part]), denied);
      await assert.rejects(storage.abortMultipartUpload("team-b", "r.csv", other), denied);
      assert.throws(() => storage.listMultipartUploads("team-b", ""), denied);
      const pending = [];
      for await (const u of f.storage.listMultipartUploads("team-b", "")) pending.push(u.uploadId);
      assert.deepEqual(pending, [other], "the refused calls changed nothing");
    } finally {
      await f.cleanup();
    }
  });
});
