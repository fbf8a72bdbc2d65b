/**
 * Google's operations (D45) on Ceph's RADOS Gateway, for what s3rver cannot show: versions, Object Lock and an
 * in-place copy on a versioned bucket. The operations run on objbatch's S3 backend against the gateway (the gcs
 * dialect's jobs reach them the same way); what they did is read back with a plain AWS SDK client.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { runOperation } from "../src/operations/index.js";
import type { OperationContext } from "../src/operations/types.js";
import { S3Storage } from "../src/storage/s3/index.js";
import { bucketNamer, CEPH, cephGateway, createBuckets, getText, removeBuckets } from "./helpers.js";

const name = bucketNamer("gcs");
const VERS = name("versioned");
const LOCK = name("locked");

describe("Google's operations on radosgw", () => {
  let s3: S3Client;
  let storage: S3Storage;
  let context: OperationContext;
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [VERS], { versioned: true });
    await createBuckets(s3, [LOCK], { objectLock: true });
    storage = new S3Storage({
      kind: "s3",
      endpoint: CEPH.endpoint,
      region: CEPH.region,
      accessKeyId: CEPH.accessKeyId,
      secretAccessKey: CEPH.secretAccessKey,
      forcePathStyle: true,
    });
    context = { storage, jobId: "job-gcs", accountId: "acct" };
  });
  after(async () => {
    await storage?.close();
    if (s3) {
      for (const Key of ["held.txt", "meta-held.txt"]) {
        const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: LOCK, Prefix: Key }));
        for (const v of versions.Versions ?? []) {
          await s3
            .send(
              new PutObjectLegalHoldCommand({
                Bucket: LOCK,
                Key,
                VersionId: v.VersionId,
                LegalHold: { Status: "OFF" },
              }),
            )
            .catch(() => {});
        }
      }
      await removeBuckets(s3, [VERS, LOCK]);
      s3.destroy();
    }
  });

  const versionsOf = async (Bucket: string, Prefix: string) => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix }));
    return {
      versions: (page.Versions ?? []).map((v) => `${v.Key}`),
      markers: (page.DeleteMarkers ?? []).map((m) => `${m.Key}`),
    };
  };

  it("DeleteObject with allVersions deletes every version and delete marker of exactly the key", async () => {
    for (const body of ["v1", "v2", "v3"])
      await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "d.txt", Body: body }));
    await s3.send(new DeleteObjectCommand({ Bucket: VERS, Key: "d.txt" }));
    await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "d.txt", Body: "v4" }));
    await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "d.txt.other", Body: "o" }));
    await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "d.txt/under", Body: "u" }));
    const listed = [];
    for await (const v of storage.listKeyVersions(VERS, "d.txt")) listed.push(v);
    assert.equal(listed.length, 5);
    assert.equal(listed.filter((v) => v.deleteMarker).length, 1);

    const result = await runOperation(
      { bucket: VERS, key: "d.txt" },
      { kind: "DeleteObject", allVersions: true },
      context,
    );
    assert.equal(result.status, "succeeded", result.message);
    assert.equal(result.message, "Successful: 5 versions deleted");
    assert.deepEqual(await versionsOf(VERS, "d.txt"), { versions: ["d.txt.other", "d.txt/under"], markers: [] });
    const again = await runOperation(
      { bucket: VERS, key: "d.txt" },
      { kind: "DeleteObject", allVersions: true },
      context,
    );
    assert.equal(again.status, "succeeded", "safe to repeat");
  });

  it("UpdateObjectMetadata writes a new version with the metadata, keeping tags; an old version is refused", async () => {
    const first = await s3.send(
      new PutObjectCommand({
        Bucket: VERS,
        Key: "m.txt",
        Body: "body",
        ContentType: "text/plain",
        Metadata: { keep: "1" },
        Tagging: "t=1",
      }),
    );
    const result = await runOperation(
      { bucket: VERS, key: "m.txt" },
      { kind: "UpdateObjectMetadata", cacheControl: "no-store", userMetadata: [{ key: "new", value: "2" }] },
      context,
    );
    assert.equal(result.status, "succeeded", result.message);
    const head = await s3.send(new HeadObjectCommand({ Bucket: VERS, Key: "m.txt" }));
    assert.equal(head.CacheControl, "no-store");
    assert.equal(head.ContentType, "text/plain");
    assert.deepEqual(head.Metadata, { keep: "1", new: "2" });
    assert.notEqual(head.VersionId, first.VersionId);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: VERS, Key: "m.txt" }));
    assert.deepEqual(tags.TagSet, [{ Key: "t", Value: "1" }]);
    assert.equal(await getText(s3, VERS, "m.txt"), "body");

    const old = await runOperation(
      { bucket: VERS, key: "m.txt", versionId: first.VersionId! },
      { kind: "UpdateObjectMetadata", cacheControl: "private" },
      context,
    );
    assert.deepEqual([old.status, old.httpStatus, old.errorCode], ["failed", 400, "InvalidRequest"]);
  });

  it("PutObjectHold's temporary hold is the legal hold; an event-based hold is refused", async () => {
    await s3.send(new PutObjectCommand({ Bucket: LOCK, Key: "held.txt", Body: "h" }));
    const set = await runOperation(
      { bucket: LOCK, key: "held.txt" },
      { kind: "PutObjectHold", temporaryHold: true },
      context,
    );
    assert.equal(set.status, "succeeded", set.message);
    const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCK, Key: "held.txt" }));
    assert.equal(hold.LegalHold?.Status, "ON");
    const event = await runOperation(
      { bucket: LOCK, key: "held.txt" },
      { kind: "PutObjectHold", eventBasedHold: true },
      context,
    );
    assert.deepEqual([event.status, event.httpStatus, event.errorCode], ["failed", 501, "NotImplemented"]);
    const released = await runOperation(
      { bucket: LOCK, key: "held.txt" },
      { kind: "PutObjectHold", temporaryHold: false },
      context,
    );
    assert.equal(released.status, "succeeded", released.message);
    const after = await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCK, Key: "held.txt" }));
    assert.equal(after.LegalHold?.Status, "OFF");
  });

  it("UpdateObjectMetadata on a held object keeps the hold on the new version", async () => {
    await s3.send(new PutObjectCommand({ Bucket: LOCK, Key: "meta-held.txt", Body: "m" }));
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: LOCK, Key: "meta-held.txt", LegalHold: { Status: "ON" } }));
    const result = await runOperation(
      { bucket: LOCK, key: "meta-held.txt" },
      { kind: "UpdateObjectMetadata", contentLanguage: "fr" },
      context,
    );
    assert.equal(result.status, "succeeded", result.message);
    const head = await s3.send(new HeadObjectCommand({ Bucket: LOCK, Key: "meta-held.txt" }));
    assert.equal(head.ContentLanguage, "fr");
    assert.equal(head.ObjectLockLegalHoldStatus, "ON");
  });

  it("UpdateObjectCustomContext keeps contexts as tags and refuses an eleventh", async () => {
    await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "c.txt", Body: "c", Tagging: "a=1&b=2" }));
    const result = await runOperation(
      { bucket: VERS, key: "c.txt" },
      { kind: "UpdateObjectCustomContext", remove: ["a"], set: [{ key: "z", value: "9" }] },
      context,
    );
    assert.equal(result.status, "succeeded", result.message);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: VERS, Key: "c.txt" }));
    assert.deepEqual((tags.TagSet ?? []).map((t) => `${t.Key}=${t.Value}`).sort(), ["b=2", "z=9"]);
    const many = await runOperation(
      { bucket: VERS, key: "c.txt" },
      { kind: "UpdateObjectCustomContext", set: Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, value: "v" })) },
      context,
    );
    assert.deepEqual([many.status, many.httpStatus, many.errorCode], ["failed", 400, "BadRequest"]);
  });

  it("RewriteObject passes the gateway's answer through and never leaves the object changed when it fails", async () => {
    await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "r.txt", Body: "r", Tagging: "t=1" }));
    const result = await runOperation(
      { bucket: VERS, key: "r.txt" },
      { kind: "RewriteObject", kmsKey: "objbatch-test-key" },
      context,
    );
    // This gateway has no KMS configured: the copy is refused, or done with the key; either way the bytes and tags stay.
    if (result.status === "failed") assert.ok(result.httpStatus >= 400, JSON.stringify(result));
    assert.equal(await getText(s3, VERS, "r.txt"), "r");
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: VERS, Key: "r.txt" }));
    assert.deepEqual(tags.TagSet, [{ Key: "t", Value: "1" }]);
  });
});
