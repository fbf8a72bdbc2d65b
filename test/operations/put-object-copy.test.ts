/**
 * PutObjectCopy: target keys (COS PrefixReplace, AWS TargetKeyPrefix), directives and their AWS defaults,
 * storage class, constraints, versions, and errors as report rows.
 */
import assert from "node:assert/strict";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { PutObjectCopyOperation } from "../../src/domain/job.js";
import { copyOptions, copyTargetKey, putObjectCopy } from "../../src/operations/put-object-copy.js";
import { openSqliteDatabase } from "../../src/sqlite/database.js";
import { withTargetSettings } from "../../src/storage/target-settings.js";
import { contextOf, type Fixture, text, withFixture } from "./helpers.js";

const target = { arn: "qcs::cos:ap-chengdu:uid/1250000000:dst", bucket: "dst" };
const op = (extra: Partial<PutObjectCopyOperation> = {}): PutObjectCopyOperation => ({
  kind: "PutObjectCopy",
  targetResource: target,
  ...extra,
});

describe("copyTargetKey", () => {
  it("COS PrefixReplace replaces the prefix literally at the start of the key", () => {
    const replace = (resourcesPrefix: string, targetKeyPrefix: string, key: string) =>
      copyTargetKey(key, op({ prefixReplace: true, resourcesPrefix, targetKeyPrefix }));
    assert.equal(replace("pic", "abc", "picture.jpg"), "abcture.jpg");
    assert.equal(replace("pic", "abc", "photo/picture.jpg"), "photo/picture.jpg", "not at the start: unchanged");
    assert.equal(replace("", "backup/", "a/b.txt"), "backup/a/b.txt", "empty ResourcesPrefix adds a prefix");
    assert.equal(replace("old/", "", "old/a.txt"), "a.txt", "empty TargetKeyPrefix strips the prefix");
    assert.equal(replace("old/", "new/", "old/x/y.txt"), "new/x/y.txt");
    assert.equal(
      copyTargetKey("pic.jpg", op({ prefixReplace: true, resourcesPrefix: "pic" })),
      ".jpg",
      "a missing TargetKeyPrefix counts as empty",
    );
  });

  it("AWS TargetKeyPrefix is a folder the key goes into", () => {
    assert.equal(copyTargetKey("a.txt", op({ targetKeyPrefix: "Folder1" })), "Folder1/a.txt");
    assert.equal(copyTargetKey("a.txt", op({ targetKeyPrefix: "Folder1/" })), "Folder1/a.txt");
    assert.equal(copyTargetKey("x/a.txt", op({ targetKeyPrefix: "f/g" })), "f/g/x/a.txt");
    assert.equal(copyTargetKey("a.txt", op()), "a.txt");
    assert.equal(copyTargetKey("a.txt", op({ targetKeyPrefix: "" })), "a.txt");
    assert.equal(
      copyTargetKey("pic.jpg", op({ prefixReplace: false, resourcesPrefix: "pic", targetKeyPrefix: "abc" })),
      "abc/pic.jpg",
      "ResourcesPrefix means nothing without PrefixReplace",
    );
  });
});

describe("putObjectCopy", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
    await f.storage.put("src", "picture.jpg", "jpeg", {
      metadata: { contentType: "image/jpeg", cacheControl: "no-store", userMetadata: { origin: "camera" } },
      tags: [{ key: "album", value: "2024" }],
      acl: { canned: "public-read" },
    });
  });
  after(() => f.cleanup());

  it("copies to the target bucket under the replaced prefix (COS example)", async () => {
    const result = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ prefixReplace: true, resourcesPrefix: "pic", targetKeyPrefix: "abc" }),
      contextOf(f),
    );
    assert.deepEqual(result, { status: "succeeded", httpStatus: 200, errorCode: "", message: "Successful" });
    assert.equal(await text(f.storage.get("dst", "abcture.jpg")), "jpeg");
  });

  it("without directives copies metadata and tags but gives the copy the default (private) ACL", async () => {
    await putObjectCopy({ bucket: "src", key: "picture.jpg" }, op({ targetKeyPrefix: "plain" }), contextOf(f));
    const info = await f.storage.head("dst", "plain/picture.jpg");
    assert.deepEqual(info.metadata, {
      contentType: "image/jpeg",
      cacheControl: "no-store",
      userMetadata: { origin: "camera" },
    });
    assert.deepEqual(await f.storage.getTagging("dst", "plain/picture.jpg"), [{ key: "album", value: "2024" }]);
    assert.deepEqual(await f.storage.getAcl("dst", "plain/picture.jpg"), { canned: "private" });
  });

  it("NewObjectMetadata and NewObjectTagging replace the source's when no directive is given (AWS)", async () => {
    await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({
        targetKeyPrefix: "replaced",
        newObjectMetadata: { contentType: "image/png", userMetadata: [{ key: "Reviewed", value: "yes" }] },
        newObjectTagging: [{ key: "state", value: "new" }],
      }),
      contextOf(f),
    );
    assert.deepEqual((await f.storage.head("dst", "replaced/picture.jpg")).metadata, {
      contentType: "image/png",
      userMetadata: { reviewed: "yes" },
    });
    assert.deepEqual(await f.storage.getTagging("dst", "replaced/picture.jpg"), [{ key: "state", value: "new" }]);
  });

  it("honours Add directives and the ACL directives, grants and canned ACL", async () => {
    const grant = { granteeType: "id", identifier: "qcs::cam::uin/100:uin/100", permission: "READ" } as const;
    await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({
        targetKeyPrefix: "added",
        metadataDirective: "Add",
        newObjectMetadata: { contentDisposition: "attachment", httpExpiresDate: "Thu, 01 Jan 2026 00:00:00 GMT" },
        taggingDirective: "Add",
        newObjectTagging: [{ key: "extra", value: "1" }],
        accessControlDirective: "Add",
        accessControlGrants: [grant],
      }),
      contextOf(f),
    );
    assert.deepEqual((await f.storage.head("dst", "added/picture.jpg")).metadata, {
      contentType: "image/jpeg",
      cacheControl: "no-store",
      contentDisposition: "attachment",
      expires: "Thu, 01 Jan 2026 00:00:00 GMT",
      userMetadata: { origin: "camera" },
    });
    assert.deepEqual(await f.storage.getTagging("dst", "added/picture.jpg"), [
      { key: "album", value: "2024" },
      { key: "extra", value: "1" },
    ]);
    assert.deepEqual(await f.storage.getAcl("dst", "added/picture.jpg"), { canned: "public-read", grants: [grant] });

    await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ targetKeyPrefix: "acl-copy", accessControlDirective: "Copy" }),
      contextOf(f),
    );
    assert.deepEqual(await f.storage.getAcl("dst", "acl-copy/picture.jpg"), { canned: "public-read" });

    await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ targetKeyPrefix: "canned", cannedAccessControlList: "public-read-write" }),
      contextOf(f),
    );
    assert.deepEqual(await f.storage.getAcl("dst", "canned/picture.jpg"), { canned: "public-read-write" });
  });

  it("copies hand-dropped objects without any metadata write (the benchmark's case)", async () => {
    const rows = () => {
      const db = openSqliteDatabase(join(f.dataDir, "meta", "objects.sqlite"));
      try {
        return db
          .prepare("SELECT bucket, key FROM objects ORDER BY bucket, key")
          .all()
          .map((r) => ({ ...(r as object) }));
      } finally {
        db.close();
      }
    };
    await f.drop("src", "bulk/d0001/obj-1.bin", "1");
    await f.drop("src", "bulk/d0001/obj-2.bin", "2");
    const before = rows();
    for (const key of ["bulk/d0001/obj-1.bin", "bulk/d0001/obj-2.bin"]) {
      const result = await putObjectCopy({ bucket: "src", key }, op(), contextOf(f));
      assert.equal(result.status, "succeeded");
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(rows(), before);
    assert.equal(await text(f.storage.get("dst", "bulk/d0001/obj-2.bin")), "2");
    assert.deepEqual(await f.storage.getAcl("dst", "bulk/d0001/obj-2.bin"), { canned: "private" });
  });

  it("sets the storage class", async () => {
    await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ targetKeyPrefix: "ia", storageClass: "STANDARD_IA" }),
      contextOf(f),
    );
    assert.equal((await f.storage.head("dst", "ia/picture.jpg")).storageClass, "STANDARD_IA");
  });

  it("fails with 412 when a modified/unmodified-since constraint does not hold", async () => {
    await f.drop("src", "old.txt", "old");
    const when = new Date("2024-01-01T00:00:00Z");
    utimesSync(f.file("src", "old.txt"), when, when);
    const task = { bucket: "src", key: "old.txt" };
    const notModified = await putObjectCopy(
      task,
      op({ modifiedSinceConstraint: "2024-06-01T00:00:00Z" }),
      contextOf(f),
    );
    assert.equal(notModified.status, "failed");
    assert.equal(notModified.httpStatus, 412);
    assert.equal(notModified.errorCode, "PreconditionFailed");
    const modified = await putObjectCopy(task, op({ unModifiedSinceConstraint: "2023-06-01T00:00:00Z" }), contextOf(f));
    assert.equal(modified.httpStatus, 412);
    const ok = await putObjectCopy(
      task,
      op({ modifiedSinceConstraint: "1672531200", unModifiedSinceConstraint: "2024-01-01T00:00:00Z" }),
      contextOf(f),
    );
    assert.equal(ok.status, "succeeded", "Unix seconds are accepted too");
    const bad = await putObjectCopy(
      task,
      op({ targetKeyPrefix: "x", modifiedSinceConstraint: "yesterday" }),
      contextOf(f),
    );
    assert.equal(bad.httpStatus, 400);
    assert.equal(bad.errorCode, "InvalidArgument");
    assert.match(bad.message, /ModifiedSinceConstraint/);
  });

  it("honours the task's version id", async () => {
    const ok = await putObjectCopy(
      { bucket: "src", key: "picture.jpg", versionId: "null" },
      op({ targetKeyPrefix: "v" }),
      contextOf(f),
    );
    assert.equal(ok.status, "succeeded");
    const missing = await putObjectCopy(
      { bucket: "src", key: "picture.jpg", versionId: "a1b2c3" },
      op({ targetKeyPrefix: "v2" }),
      contextOf(f),
    );
    assert.deepEqual([missing.status, missing.httpStatus, missing.errorCode], ["failed", 404, "NoSuchVersion"]);
  });

  it("reports storage errors as failed rows: missing source, archived source, hostile target", async () => {
    const missing = await putObjectCopy({ bucket: "src", key: "absent.txt" }, op(), contextOf(f));
    assert.deepEqual([missing.status, missing.httpStatus, missing.errorCode], ["failed", 404, "NoSuchKey"]);
    assert.match(missing.message, /absent\.txt/);
    await f.storage.put("src", "frozen.txt", "x", { storageClass: "GLACIER" });
    const frozen = await putObjectCopy({ bucket: "src", key: "frozen.txt" }, op(), contextOf(f));
    assert.deepEqual([frozen.httpStatus, frozen.errorCode], [403, "InvalidObjectState"]);
    const outside = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ prefixReplace: true, resourcesPrefix: "", targetKeyPrefix: "../../" }),
      contextOf(f),
    );
    assert.deepEqual([outside.httpStatus, outside.errorCode], [403, "AccessDenied"]);
  });

  it("fails an empty target key and a copy onto itself without changes", async () => {
    const empty = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ prefixReplace: true, resourcesPrefix: "picture.jpg", targetKeyPrefix: "" }),
      contextOf(f),
    );
    assert.deepEqual([empty.httpStatus, empty.errorCode], [400, "InvalidArgument"]);
    const self = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      { kind: "PutObjectCopy", targetResource: { arn: "src", bucket: "src" } },
      contextOf(f),
    );
    assert.deepEqual([self.httpStatus, self.errorCode], [400, "InvalidRequest"]);
    const selfChanged = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      { kind: "PutObjectCopy", targetResource: { arn: "src", bucket: "src" }, storageClass: "STANDARD_IA" },
      contextOf(f),
    );
    assert.equal(selfChanged.status, "succeeded");
  });

  it("applies AWS's Object Lock settings to the copy, refuses SSE-KMS, and checks the lock fields", async () => {
    // As openStorage opens the local backend: with TargetSettings handled (storage/target-settings.ts).
    const context = { ...contextOf(f), storage: withTargetSettings(f.storage) };
    const until = new Date(Date.now() + 86_400_000);
    const locked = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({
        targetKeyPrefix: "locked",
        objectLockLegalHoldStatus: "ON",
        objectLockMode: "GOVERNANCE",
        objectLockRetainUntilDate: until.toISOString(),
        redirectLocation: "/elsewhere",
        checksumAlgorithm: "CRC32",
      }),
      context,
    );
    assert.equal(locked.status, "succeeded", JSON.stringify(locked));
    const lock = (await f.storage.head("dst", "locked/picture.jpg")).objectLock;
    assert.equal(lock?.legalHold, "ON");
    assert.equal(lock?.mode, "GOVERNANCE");
    assert.equal(lock?.retainUntilDate?.getTime(), until.getTime());

    const kms = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ targetKeyPrefix: "kms", sseAwsKmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k" }),
      context,
    );
    assert.deepEqual([kms.httpStatus, kms.errorCode], [501, "NotImplemented"]);
    await assert.rejects(f.storage.head("dst", "kms/picture.jpg"), { code: "NoSuchKey" });

    const half = await putObjectCopy(
      { bucket: "src", key: "picture.jpg" },
      op({ targetKeyPrefix: "half", objectLockMode: "COMPLIANCE" }),
      context,
    );
    assert.deepEqual([half.httpStatus, half.errorCode], [400, "InvalidArgument"]);
    assert.match(half.message, /ObjectLockMode and ObjectLockRetainUntilDate/);
  });

  it("maps AWS's target settings into the copy options", () => {
    const options = copyOptions(
      op({
        newObjectMetadata: { sseAlgorithm: "KMS" },
        sseAwsKmsKeyId: "key-1",
        bucketKeyEnabled: true,
        checksumAlgorithm: "SHA256",
        objectLockMode: "COMPLIANCE",
        objectLockRetainUntilDate: "2030-01-02T03:04:05Z",
        objectLockLegalHoldStatus: "OFF",
        redirectLocation: "/r",
        requesterPays: true,
      }),
    );
    assert.ok(typeof options !== "string");
    assert.equal(options.sseAlgorithm, "aws:kms");
    assert.equal(options.sseKmsKeyId, "key-1");
    assert.equal(options.bucketKeyEnabled, true);
    assert.equal(options.checksumAlgorithm, "SHA256");
    assert.equal(options.objectLockMode, "COMPLIANCE");
    assert.equal(options.objectLockRetainUntilDate?.toISOString(), "2030-01-02T03:04:05.000Z");
    assert.equal(options.objectLockLegalHold, "OFF");
    assert.equal(options.websiteRedirectLocation, "/r");
    assert.equal(options.requesterPays, true);
    const aes = copyOptions(op({ newObjectMetadata: { sseAlgorithm: "AES256" } }));
    assert.ok(typeof aes !== "string");
    assert.equal(aes.sseAlgorithm, "AES256");
    assert.match(String(copyOptions(op({ newObjectMetadata: { sseAlgorithm: "ROT13" } }))), /SSEAlgorithm must be/);
  });
});
