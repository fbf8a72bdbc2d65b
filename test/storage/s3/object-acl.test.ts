/**
 * S3Storage's ACLs against a real s3rver (object-acl.ts): GetObjectAcl read into the owner and grants, and
 * s3rver's 501 for PutObjectAcl passed through as a permanent error (radosgw.ceph.ts and test-ceph check that
 * ACLs are put and copied).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { S3Storage } from "../../../src/storage/s3/index.js";
import { rejectsWithS3 as rejectsWith } from "../../helpers/storage-errors.js";
import { withS3Storage } from "../helpers.js";

describe("S3Storage ACLs on s3rver", () => {
  let storage: S3Storage;
  withS3Storage(["acl"], async (server) => {
    ({ storage } = server);
    await storage.put("acl", "obj.txt", "o");
  });

  it("reads the owner and the grants", async () => {
    const acl = await storage.getAcl("acl", "obj.txt");
    assert.ok(acl.owner?.id, "s3rver names an owner");
    assert.ok(Array.isArray(acl.grants));
    assert.equal(acl.canned, undefined, "S3 never says which canned ACL produced the grants");
  });

  it("passes the server's answer to PutObjectAcl through, for a canned ACL and for grants", async () => {
    await rejectsWith(storage.putAcl("acl", "obj.txt", { canned: "public-read" }), "NotImplemented", 501);
    const grants = [{ granteeType: "id", identifier: "reader", permission: "READ" }] as const;
    await rejectsWith(storage.putAcl("acl", "obj.txt", { grants: [...grants] }), "NotImplemented", 501);
  });
});
