/**
 * Attributes as S3 carries them (attributes.ts): the x-amz-restore header, when an object counts as archived,
 * ACLs as request headers, and a new object's settings as request fields.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  aclRequestFields,
  isArchived,
  parseRestoreHeader,
  targetSettingsToS3,
} from "../../../src/storage/s3/attributes.js";

describe("restore state", () => {
  const now = new Date("2026-01-10T00:00:00Z");

  it("parses x-amz-restore", () => {
    assert.deepEqual(parseRestoreHeader('ongoing-request="true"'), { ongoing: true });
    assert.deepEqual(parseRestoreHeader('ongoing-request="false", expiry-date="Fri, 23 Jan 2026 00:00:00 GMT"'), {
      ongoing: false,
      expiryDate: new Date("2026-01-23T00:00:00Z"),
    });
    assert.equal(parseRestoreHeader(undefined), undefined);
  });

  it("counts archive-class objects as archived unless a finished restore has not expired", () => {
    assert.equal(isArchived("STANDARD", undefined, undefined, now), false);
    assert.equal(isArchived("GLACIER_IR", undefined, undefined, now), false);
    assert.equal(isArchived("GLACIER", undefined, undefined, now), true);
    assert.equal(isArchived("DEEP_ARCHIVE", undefined, { ongoing: true }, now), true);
    assert.equal(
      isArchived("GLACIER", undefined, { ongoing: false, expiryDate: new Date("2026-01-11T00:00:00Z") }, now),
      false,
    );
    assert.equal(
      isArchived("GLACIER", undefined, { ongoing: false, expiryDate: new Date("2026-01-09T00:00:00Z") }, now),
      true,
    );
    assert.equal(isArchived("INTELLIGENT_TIERING", "ARCHIVE_ACCESS", undefined, now), true);
  });
});

describe("aclRequestFields", () => {
  it("sends a canned ACL or grant headers, and leaves the rest to PutObjectAcl", () => {
    assert.deepEqual(aclRequestFields({ canned: "public-read" }), { ACL: "public-read" });
    assert.deepEqual(
      aclRequestFields({
        grants: [
          { granteeType: "id", identifier: "abc", permission: "READ" },
          { granteeType: "uri", identifier: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" },
          { granteeType: "emailAddress", identifier: "a@b.c", permission: "FULL_CONTROL" },
        ],
      }),
      {
        GrantRead: 'id="abc", uri="http://acs.amazonaws.com/groups/global/AllUsers"',
        GrantFullControl: 'emailAddress="a@b.c"',
      },
    );
    assert.equal(
      aclRequestFields({ grants: [{ granteeType: "id", identifier: "abc", permission: "WRITE" }] }),
      undefined,
    );
    assert.equal(
      aclRequestFields({
        canned: "public-read",
        grants: [{ granteeType: "id", identifier: "abc", permission: "READ" }],
      }),
      undefined,
    );
    assert.equal(aclRequestFields({ owner: { id: "o" } }), undefined);
  });
});

describe("targetSettingsToS3", () => {
  it("sends every setting of the new object as the SDK's field, and nothing unasked", () => {
    const until = new Date("2030-01-01T00:00:00Z");
    assert.deepEqual(targetSettingsToS3({}), {});
    assert.deepEqual(
      targetSettingsToS3({
        sseAlgorithm: "AES256",
        bucketKeyEnabled: true,
        checksumAlgorithm: "CRC32C",
        objectLockMode: "GOVERNANCE",
        objectLockRetainUntilDate: until,
        objectLockLegalHold: "ON",
        websiteRedirectLocation: "/elsewhere",
        requesterPays: true,
      }),
      {
        ServerSideEncryption: "AES256",
        BucketKeyEnabled: true,
        ChecksumAlgorithm: "CRC32C",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: until,
        ObjectLockLegalHoldStatus: "ON",
        WebsiteRedirectLocation: "/elsewhere",
        RequestPayer: "requester",
      },
    );
    assert.deepEqual(targetSettingsToS3({ sseKmsKeyId: "arn:aws:kms:r:1:key/k" }), {
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "arn:aws:kms:r:1:key/k",
    });
    assert.deepEqual(targetSettingsToS3({ requesterPays: false }), {});
  });
});
