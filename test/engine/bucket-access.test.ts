import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BucketAccess, globToRegExp } from "../../src/engine/bucket-access.js";

const account = {
  id: "1",
  keys: [],
  buckets: ["team-*", "shared"],
  roles: { "role/a": ["team-a", "shared"], "role/wild": ["*"] },
};

describe("BucketAccess", () => {
  it("matches glob patterns whole, with regex characters taken literally", () => {
    assert.ok(globToRegExp("team-*").test("team-x"));
    assert.ok(!globToRegExp("team-*").test("xteam-x"));
    assert.ok(globToRegExp("a.b").test("a.b"));
    assert.ok(!globToRegExp("a.b").test("axb"));
  });

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
