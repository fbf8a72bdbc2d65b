/**
 * S3Storage against Ceph's RADOS Gateway: the features s3rver lacks or gets wrong (docs/clients-and-servers.md).
 * Tags on PutObject, DeleteObjectTagging, ACLs (and copying them), multipart uploads and their ETags, If-Match
 * (412) and unsatisfiable ranges (416), versions, Object Lock (legal hold, retention, lock settings on copy), and
 * RestoreObject's answer. Copies (tags, multipart copies, preconditions): radosgw-copy.ceph.ts.
 *
 * Needs a running gateway: `scripts/ceph/start.sh` (OBJBATCH_CEPH_ENDPOINT / _ACCESS_KEY / _SECRET_KEY, with the
 * script's defaults). Run: node --import tsx --test test/storage/s3/radosgw.ceph.ts
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { isStorageError } from "../../../src/storage/errors.js";
import type { S3Storage } from "../../../src/storage/s3/index.js";
import { endpoint, MIB, radosgwBuckets, rejectsWith, sortedTags, withRadosgw } from "./radosgw-helpers.js";

describe(`S3Storage on radosgw (${endpoint})`, () => {
  const { src, dst, versioned, locked } = radosgwBuckets();
  let storage: S3Storage;
  withRadosgw({ src, dst, versioned, locked }, (gw) => {
    ({ storage } = gw);
  });

  it("keeps tags sent with PutObject and deletes them with DeleteObjectTagging", async () => {
    await storage.put(src, "tagged.txt", "t", {
      tags: [
        { key: "team", value: "blue" },
        { key: "sp ace", value: "a&b" },
      ],
    });
    assert.deepEqual(sortedTags(await storage.getTagging(src, "tagged.txt")), ["sp ace=a&b", "team=blue"]);
    await storage.deleteTagging(src, "tagged.txt");
    assert.deepEqual(await storage.getTagging(src, "tagged.txt"), []);
  });

  it("puts canned ACLs and grants, and copies ACLs with the Copy and Add directives", async () => {
    await storage.put(src, "acl.txt", "a");
    await storage.putAcl(src, "acl.txt", { canned: "public-read" });
    const publicRead = await storage.getAcl(src, "acl.txt");
    assert.ok(publicRead.owner?.id);
    assert.ok(
      publicRead.grants?.some(
        (g) => g.granteeType === "uri" && /AllUsers$/.test(g.identifier) && g.permission === "READ",
      ),
      JSON.stringify(publicRead),
    );
    const owner = publicRead.owner!.id;
    await storage.putAcl(src, "acl.txt", {
      grants: [
        { granteeType: "id", identifier: owner, permission: "FULL_CONTROL" },
        {
          granteeType: "uri",
          identifier: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
          permission: "READ_ACP",
        },
      ],
    });
    const granted = await storage.getAcl(src, "acl.txt");
    assert.ok(granted.grants?.some((g) => /AuthenticatedUsers$/.test(g.identifier) && g.permission === "READ_ACP"));
    assert.ok(!granted.grants?.some((g) => /AllUsers$/.test(g.identifier)), "the grants replaced the canned ACL");

    await storage.copy(
      { bucket: src, key: "acl.txt" },
      { bucket: dst, key: "acl-copied.txt" },
      { aclDirective: "Copy" },
    );
    const copied = await storage.getAcl(dst, "acl-copied.txt");
    assert.ok(copied.grants?.some((g) => /AuthenticatedUsers$/.test(g.identifier) && g.permission === "READ_ACP"));

    await storage.copy(
      { bucket: src, key: "acl.txt" },
      { bucket: dst, key: "acl-added.txt" },
      {
        aclDirective: "Add",
        acl: {
          grants: [
            { granteeType: "uri", identifier: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" },
          ],
        },
      },
    );
    const added = await storage.getAcl(dst, "acl-added.txt");
    assert.ok(added.grants?.some((g) => /AuthenticatedUsers$/.test(g.identifier)));
    assert.ok(added.grants?.some((g) => /AllUsers$/.test(g.identifier) && g.permission === "READ"));

    await storage.copy(
      { bucket: src, key: "acl.txt" },
      { bucket: dst, key: "acl-private.txt" },
      { aclDirective: "Replaced" },
    );
    const fresh = await storage.getAcl(dst, "acl-private.txt");
    assert.deepEqual(
      fresh.grants?.map((g) => g.permission),
      ["FULL_CONTROL"],
      "no ACL asked for: private",
    );

    await storage.copy(
      { bucket: src, key: "acl.txt" },
      { bucket: dst, key: "acl-canned.txt" },
      {
        aclDirective: "Replaced",
        acl: { canned: "public-read" },
      },
    );
    assert.ok((await storage.getAcl(dst, "acl-canned.txt")).grants?.some((g) => /AllUsers$/.test(g.identifier)));
  });

  it("streams a large Readable in as a multipart upload", async () => {
    const chunks = Array.from({ length: 9 }, () => randomBytes(MIB));
    const put = await storage.put(dst, "streamed.bin", Readable.from(chunks), { tags: [{ key: "k", value: "v" }] });
    assert.match(put.etag, /^"[0-9a-f]{32}-2"$/);
    assert.ok((await buffer(await storage.get(dst, "streamed.bin"))).equals(Buffer.concat(chunks)));
    assert.deepEqual(await storage.getTagging(dst, "streamed.bin"), [{ key: "k", value: "v" }]);
  });

  it("answers If-Match mismatches with 412 and unsatisfiable ranges with 416", async () => {
    await storage.put(src, "pre.txt", "0123456789");
    await rejectsWith(
      storage.get(src, "pre.txt", { ifMatch: "0123456789abcdef0123456789abcdef" }),
      "PreconditionFailed",
      412,
    );
    await rejectsWith(storage.get(src, "pre.txt", { range: { start: 50, end: 60 } }), "InvalidRange", 416);
  });

  it("reads, copies and deletes particular versions", async () => {
    const v1 = await storage.put(versioned, "doc.txt", "version one");
    const v2 = await storage.put(versioned, "doc.txt", "version two");
    assert.ok(v1.versionId && v2.versionId && v1.versionId !== v2.versionId);
    assert.equal((await storage.head(versioned, "doc.txt", v1.versionId)).size, 11);
    assert.equal((await storage.head(versioned, "doc.txt")).versionId, v2.versionId);
    assert.equal(
      (await buffer(await storage.get(versioned, "doc.txt", { versionId: v1.versionId }))).toString(),
      "version one",
    );
    await storage.copy(
      { bucket: versioned, key: "doc.txt" },
      { bucket: dst, key: "doc-v1.txt" },
      { sourceVersionId: v1.versionId, aclDirective: "Replaced" },
    );
    assert.equal((await buffer(await storage.get(dst, "doc-v1.txt"))).toString(), "version one");
    await storage.delete(versioned, "doc.txt", v1.versionId);
    await rejectsWith(storage.head(versioned, "doc.txt", v1.versionId), "NoSuchVersion", 404);
    assert.equal((await storage.head(versioned, "doc.txt")).versionId, v2.versionId);
  });

  it("sets and lifts legal holds and retention, and locks copies as asked", async () => {
    const put = await storage.put(locked, "held.txt", "h");
    await storage.putLegalHold(locked, "held.txt", "ON", put.versionId);
    assert.equal((await storage.head(locked, "held.txt")).objectLock?.legalHold, "ON");
    await storage.putLegalHold(locked, "held.txt", "OFF", put.versionId);
    assert.equal((await storage.head(locked, "held.txt")).objectLock?.legalHold, "OFF");

    const until = new Date(Math.ceil(Date.now() / 1000) * 1000 + 86_400_000);
    await storage.putRetention(locked, "held.txt", { mode: "GOVERNANCE", retainUntilDate: until }, put.versionId);
    let lock = (await storage.head(locked, "held.txt")).objectLock;
    assert.equal(lock?.mode, "GOVERNANCE");
    assert.equal(lock?.retainUntilDate?.getTime(), until.getTime());
    const sooner = new Date(until.getTime() - 3_600_000);
    await assert.rejects(
      storage.putRetention(locked, "held.txt", { mode: "GOVERNANCE", retainUntilDate: sooner }, put.versionId),
      (e: unknown) => isStorageError(e) && !e.retryable && e.httpStatus >= 400 && e.httpStatus < 500,
    );
    await storage.putRetention(
      locked,
      "held.txt",
      { mode: "GOVERNANCE", retainUntilDate: sooner, bypassGovernanceRetention: true },
      put.versionId,
    );
    lock = (await storage.head(locked, "held.txt")).objectLock;
    assert.equal(lock?.retainUntilDate?.getTime(), sooner.getTime());

    await storage.copy(
      { bucket: locked, key: "held.txt" },
      { bucket: locked, key: "copy-locked.txt" },
      {
        aclDirective: "Replaced",
        objectLockLegalHold: "ON",
        objectLockMode: "GOVERNANCE",
        objectLockRetainUntilDate: until,
      },
    );
    lock = (await storage.head(locked, "copy-locked.txt")).objectLock;
    assert.equal(lock?.legalHold, "ON");
    assert.equal(lock?.mode, "GOVERNANCE");
    assert.equal(lock?.retainUntilDate?.getTime(), until.getTime());
  });

  it("passes the server's answer to RestoreObject through as a permanent error (radosgw has none)", async () => {
    await storage.put(src, "cold.txt", "c");
    await rejectsWith(storage.restore(src, "cold.txt", { days: 2, tier: "Bulk" }), "NotImplemented", 501);
  });
});
