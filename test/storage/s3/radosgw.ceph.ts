/**
 * S3Storage against Ceph's RADOS Gateway: the features s3rver lacks or gets wrong (clients-and-servers.md).
 * Tags on PutObject and on copies (all three directives), DeleteObjectTagging, ACLs, multipart copies
 * (UploadPartCopy, with a tiny threshold), multipart ETags, If-Match and copy preconditions (412), 416 ranges,
 * versions, Object Lock (legal hold, retention, lock settings on copy), and RestoreObject's answer.
 *
 * Needs a running gateway: `scripts/ceph/start.sh` (OBJBATCH_CEPH_ENDPOINT / _ACCESS_KEY / _SECRET_KEY, with the
 * script's defaults). Run: node --import tsx --test test/storage/s3/radosgw.ceph.ts
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
} from "@aws-sdk/client-s3";
import { S3Storage } from "../../../src/storage/s3/index.js";
import { isStorageError, type StorageError } from "../../../src/storage/types.js";
import { startFaultProxy } from "../../helpers/fault-proxy.js";

const endpoint = process.env.OBJBATCH_CEPH_ENDPOINT ?? "http://127.0.0.1:7480";
const credentials = {
  accessKeyId: process.env.OBJBATCH_CEPH_ACCESS_KEY ?? "objbatch-dev-access",
  secretAccessKey: process.env.OBJBATCH_CEPH_SECRET_KEY ?? "objbatch-dev-secret-key-0123456789",
};
const MIB = 1024 * 1024;

async function rejectsWith(p: Promise<unknown>, code: string, httpStatus: number) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStorageError(e), `expected a StorageError, got ${String(e)}`);
    const err = e as StorageError;
    assert.equal(err.code, code, err.message);
    assert.equal(err.httpStatus, httpStatus, err.message);
    assert.equal(err.retryable, false, err.message);
    return true;
  });
}

const sortedTags = (tags: { key: string; value: string }[]) => tags.map((t) => `${t.key}=${t.value}`).sort();

describe(`S3Storage on radosgw (${endpoint})`, () => {
  const run = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const src = `objb-src-${run}`;
  const dst = `objb-dst-${run}`;
  const versioned = `objb-ver-${run}`;
  const locked = `objb-lock-${run}`;
  let storage: S3Storage;
  /** Multipart copies above 1 byte, in 5 MiB parts. */
  let parts: S3Storage;

  before(async () => {
    const config = { kind: "s3" as const, endpoint, region: "us-east-1", forcePathStyle: true, ...credentials };
    storage = new S3Storage(config);
    parts = new S3Storage({ ...config, multipartCopyThresholdBytes: 1, partSizeBytes: 5 * MIB });
    try {
      await storage.createBucket(src);
    } catch (e) {
      throw new Error(`no radosgw at ${endpoint} (start one with scripts/ceph/start.sh): ${(e as Error).message}`);
    }
    await storage.createBucket(dst);
    await storage.createBucket(versioned);
    await storage.client.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await storage.client.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
  });

  after(async () => {
    // Best effort: empty and remove the buckets (Object Lock objects are GOVERNANCE, removed with the bypass).
    for (const bucket of [src, dst, versioned, locked]) {
      try {
        const versions = await storage.client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
          await storage.putLegalHold(bucket, v.Key!, "OFF", v.VersionId).catch(() => {});
          await storage.client
            .send(
              new DeleteObjectCommand({
                Bucket: bucket,
                Key: v.Key,
                VersionId: v.VersionId,
                BypassGovernanceRetention: true,
              }),
            )
            .catch(() => {});
        }
        await storage.client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } catch {
        // leave it: the gateway's memstore goes away with the cluster
      }
    }
    await storage?.close();
    await parts?.close();
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

  it("copies tags with TaggingDirective Copy, replaces them with Replaced, merges them with Add", async () => {
    await storage.put(src, "t/obj.txt", "x", {
      tags: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
    });
    const source = { bucket: src, key: "t/obj.txt" };
    await storage.copy(source, { bucket: dst, key: "t/copy.txt" }, { aclDirective: "Replaced" });
    assert.deepEqual(sortedTags(await storage.getTagging(dst, "t/copy.txt")), ["a=1", "b=2"]);
    await storage.copy(
      source,
      { bucket: dst, key: "t/replaced.txt" },
      {
        taggingDirective: "Replaced",
        tags: [{ key: "c", value: "3" }],
        aclDirective: "Replaced",
      },
    );
    assert.deepEqual(sortedTags(await storage.getTagging(dst, "t/replaced.txt")), ["c=3"]);
    await storage.copy(
      source,
      { bucket: dst, key: "t/none.txt" },
      { taggingDirective: "Replaced", tags: [], aclDirective: "Replaced" },
    );
    assert.deepEqual(await storage.getTagging(dst, "t/none.txt"), []);
    await storage.copy(
      source,
      { bucket: dst, key: "t/added.txt" },
      {
        taggingDirective: "Add",
        tags: [
          { key: "b", value: "two" },
          { key: "d", value: "4" },
        ],
        aclDirective: "Replaced",
      },
    );
    assert.deepEqual(sortedTags(await storage.getTagging(dst, "t/added.txt")), ["a=1", "b=two", "d=4"]);
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

  it("copies in parts with UploadPartCopy above the threshold, keeping metadata and tags", async () => {
    const body = randomBytes(12 * MIB + 123);
    await storage.put(src, "big.bin", body, {
      metadata: { contentType: "application/x-big", userMetadata: { origin: "test" } },
      tags: [{ key: "size", value: "big" }],
    });
    const result = await parts.copy(
      { bucket: src, key: "big.bin" },
      { bucket: dst, key: "big-copy.bin" },
      { aclDirective: "Replaced" },
    );
    assert.match(result.etag, /^"[0-9a-f]{32}-3"$/, "12 MiB in 5 MiB parts: 3 parts");
    const info = await storage.head(dst, "big-copy.bin");
    assert.equal(info.size, body.length);
    assert.equal(info.metadata.contentType, "application/x-big");
    assert.deepEqual(info.metadata.userMetadata, { origin: "test" });
    assert.deepEqual(await storage.getTagging(dst, "big-copy.bin"), [{ key: "size", value: "big" }]);
    assert.ok((await buffer(await storage.get(dst, "big-copy.bin"))).equals(body));

    await parts.copy(
      { bucket: src, key: "big.bin" },
      { bucket: dst, key: "big-replaced.bin" },
      {
        metadataDirective: "Replaced",
        metadata: { contentType: "text/x-replaced" },
        taggingDirective: "Replaced",
        tags: [],
        aclDirective: "Replaced",
      },
    );
    const replaced = await storage.head(dst, "big-replaced.bin");
    assert.equal(replaced.metadata.contentType, "text/x-replaced");
    assert.equal(replaced.metadata.userMetadata, undefined);
    assert.deepEqual(await storage.getTagging(dst, "big-replaced.bin"), []);
  });

  it("aborts a multipart copy whose precondition fails, leaving no object and no upload", async () => {
    await storage.put(src, "mp-pre.bin", randomBytes(6 * MIB));
    await rejectsWith(
      parts.copy(
        { bucket: src, key: "mp-pre.bin" },
        { bucket: dst, key: "mp-pre.bin" },
        { ifMatch: '"0123456789abcdef0123456789abcdef"', aclDirective: "Replaced" },
      ),
      "PreconditionFailed",
      412,
    );
    await rejectsWith(storage.head(dst, "mp-pre.bin"), "NoSuchKey", 404);
    const uploads = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: dst }));
    assert.equal((uploads.Uploads ?? []).filter((u) => u.Key === "mp-pre.bin").length, 0);
  });

  it("aborts a multipart copy when a part fails, leaving no object and no upload behind", async () => {
    await storage.put(src, "mp-fail.bin", randomBytes(11 * MIB));
    // A real gateway behind a proxy that fails every UploadPartCopy of part 2 with 500 InternalError.
    const proxy = await startFaultProxy({
      target: endpoint,
      seed: 1,
      internalError: 1,
      eligible: (req) => /[?&]partNumber=2(&|$)/.test(req.url ?? ""),
    });
    const through = new S3Storage({
      kind: "s3",
      endpoint: proxy.url,
      region: "us-east-1",
      forcePathStyle: true,
      ...credentials,
      multipartCopyThresholdBytes: 1,
      partSizeBytes: 5 * MIB,
    });
    try {
      await assert.rejects(
        through.copy(
          { bucket: src, key: "mp-fail.bin" },
          { bucket: dst, key: "mp-fail.bin" },
          { aclDirective: "Replaced" },
        ),
        (e: unknown) => isStorageError(e) && e.code === "InternalError" && e.retryable,
      );
      assert.equal(proxy.stats().internalError, 1);
    } finally {
      await through.close();
      await proxy.close();
    }
    await rejectsWith(storage.head(dst, "mp-fail.bin"), "NoSuchKey", 404);
    const uploads = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: dst }));
    assert.deepEqual(
      (uploads.Uploads ?? []).filter((u) => u.Key === "mp-fail.bin"),
      [],
      "the upload was aborted",
    );
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

  it("fails copies whose source preconditions do not hold with 412", async () => {
    await storage.put(src, "cond.txt", "c");
    const info = await storage.head(src, "cond.txt");
    const later = new Date(info.lastModified.getTime() + 3_600_000);
    const earlier = new Date(info.lastModified.getTime() - 3_600_000);
    const copy = (options: object) =>
      storage.copy(
        { bucket: src, key: "cond.txt" },
        { bucket: dst, key: "cond.txt" },
        { aclDirective: "Replaced", ...options },
      );
    await rejectsWith(copy({ ifModifiedSince: later }), "PreconditionFailed", 412);
    await rejectsWith(copy({ ifUnmodifiedSince: earlier }), "PreconditionFailed", 412);
    await rejectsWith(copy({ ifMatch: "0123456789abcdef0123456789abcdef" }), "PreconditionFailed", 412);
    await copy({ ifModifiedSince: earlier, ifUnmodifiedSince: later, ifMatch: info.etag });
    assert.equal((await storage.head(dst, "cond.txt")).etag, info.etag);
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
