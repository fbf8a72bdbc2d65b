/**
 * Bucket and object references (src/api/bucket-arn.ts): every form a dialect may send (AWS, AWS directory
 * buckets, COS long and short, OSS, a plain name), kept as sent with the plain bucket name beside it; bucket names
 * that could be path components refused; object keys read after the first `/` past the form's prefix; the limits
 * (2048 bytes a reference, 1024 a key) and the InvalidArgument messages naming the field.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidBucketName, parseBucketRef, parseObjectArn } from "../../src/api/bucket-arn.js";
import { assertDomainError } from "../helpers/assert-domain-error.js";

describe("isValidBucketName", () => {
  it("accepts 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit", () => {
    for (const name of ["abc", "a-b", "a.b", "0bucket9", "photos-1250000000", "a".repeat(63), "my--usw2-az1--x-s3"]) {
      assert.equal(isValidBucketName(name), true, name);
    }
  });

  it("refuses what could be a path component or is not a bucket name", () => {
    for (const name of [
      "",
      ".",
      "..",
      "ab",
      "a".repeat(64),
      "-ab",
      "ab-",
      ".ab",
      "ab.",
      "a..b",
      "Abc",
      "a_b",
      "a b",
      "a/b",
      "../etc",
      "a\\b",
      "bucket\n",
      "ａｂｃ",
    ]) {
      assert.equal(isValidBucketName(name), false, JSON.stringify(name));
    }
  });
});

describe("parseBucketRef", () => {
  it("reads every accepted form, keeping the reference as sent", () => {
    const cases: [string, string][] = [
      ["arn:aws:s3:::photos", "photos"],
      ["arn:aws-cn:s3:::photos", "photos"],
      ["arn:aws-us-gov:s3:::photos", "photos"],
      ["arn:aws:s3express:us-west-2:123456789012:bucket/my--usw2-az1--x-s3", "my--usw2-az1--x-s3"],
      ["arn:aws:s3express:::bucket/my--usw2-az1--x-s3", "my--usw2-az1--x-s3"],
      ["qcs::cos:ap-chengdu:uid/1250000000:photos-1250000000", "photos-1250000000"],
      ["qcs::cos:ap-chengdu::photos-1250000000", "photos-1250000000"],
      ["qcs::cos:::photos-1250000000", "photos-1250000000"],
      ["acs:oss:cn-hangzhou:1234567890:photos", "photos"],
      ["acs:oss:*:*:photos", "photos"],
      ["acs:oss:::photos", "photos"],
      ["photos", "photos"],
    ];
    for (const [arn, bucket] of cases) assert.deepEqual(parseBucketRef(arn), { arn, bucket }, arn);
  });

  it("refuses an empty or too long reference, naming the field", () => {
    assertDomainError(() => parseBucketRef(""), "InvalidArgument", "The bucket must not be empty.");
    assertDomainError(
      () => parseBucketRef("", "TargetResource"),
      "InvalidArgument",
      "The TargetResource must not be empty.",
    );
    assertDomainError(() => parseBucketRef("a".repeat(2049)), "InvalidArgument", "The bucket is too long.");
    // The limit is in bytes: 683 three-byte characters are 2049 bytes.
    assertDomainError(() => parseBucketRef("€".repeat(683)), "InvalidArgument", "The bucket is too long.");
    assertDomainError(() => parseBucketRef(`arn:aws:s3:::${"a".repeat(2048)}`), "InvalidArgument", /too long/);
  });

  it("refuses a reference with an unknown prefix", () => {
    for (const value of [
      "ARN:AWS:S3:::photos",
      "arn:aws:iam:::photos",
      "arn:gcp:s3:::photos",
      "arn:aws:s3::123456789012:photos",
      "qcs::cos:ap-chengdu:uid/abc:photos",
      "acs:ram::123:photos",
      "s3://photos",
      "http://evil.example/photos",
      "C:photos",
    ]) {
      assertDomainError(
        () => parseBucketRef(value, "Bucket"),
        "InvalidArgument",
        `The Bucket "${value}" is not a recognised bucket ARN or bucket name.`,
      );
    }
  });

  it("refuses a reference whose bucket is not a valid name, so it can never be a path outside the buckets", () => {
    for (const value of [
      "..",
      "../../etc/passwd",
      "arn:aws:s3:::..",
      "arn:aws:s3:::../../etc/passwd",
      "arn:aws:s3:::photos/key",
      "arn:aws:s3:::",
      "qcs::cos:ap-chengdu::",
      "acs:oss:*:*:Photos",
      "photos/",
    ]) {
      assertDomainError(
        () => parseBucketRef(value),
        "InvalidArgument",
        `The bucket "${value}" does not name a valid bucket.`,
      );
    }
  });

  it("clips a long value to 80 characters in the message", () => {
    const value = `arn:aws:s3:::${"-".repeat(200)}`;
    assertDomainError(
      () => parseBucketRef(value),
      "InvalidArgument",
      `The bucket "${value.slice(0, 80)}..." does not name a valid bucket.`,
    );
  });
});

describe("parseObjectArn", () => {
  it("splits a reference at the first / after the form's prefix, keeping the rest as the key", () => {
    assert.deepEqual(parseObjectArn("arn:aws:s3:::photos/2024/a b.jpg"), {
      bucket: { arn: "arn:aws:s3:::photos", bucket: "photos" },
      key: "2024/a b.jpg",
      objectArn: "arn:aws:s3:::photos/2024/a b.jpg",
    });
    // The `/` inside COS's uid/<appid> is part of the prefix, not the start of the key.
    assert.deepEqual(parseObjectArn("qcs::cos:ap-chengdu:uid/1250000000:src-1250000000/manifest.csv"), {
      bucket: { arn: "qcs::cos:ap-chengdu:uid/1250000000:src-1250000000", bucket: "src-1250000000" },
      key: "manifest.csv",
      objectArn: "qcs::cos:ap-chengdu:uid/1250000000:src-1250000000/manifest.csv",
    });
    assert.equal(parseObjectArn("qcs::cos:ap-chengdu::src-1250000000/m.csv").key, "m.csv");
    assert.equal(parseObjectArn("acs:oss:*:*:src/dir/m.csv").key, "dir/m.csv");
    assert.equal(parseObjectArn("arn:aws:s3express:us-west-2:123456789012:bucket/b--usw2-az1--x-s3/k").key, "k");
    assert.deepEqual(parseObjectArn("src/m.csv").bucket, { arn: "src", bucket: "src" });
  });

  it("keeps a key exactly as sent: dots, slashes and escapes are the storage's to confine, not this parser's", () => {
    for (const key of ["../../etc/passwd", "a//b", "%2e%2e/x", "/leading", "trailing/", "é 🙂"]) {
      assert.equal(parseObjectArn(`arn:aws:s3:::photos/${key}`).key, key);
    }
  });

  it("takes the bucket from before the first /, so a path cannot pose as a bucket", () => {
    assertDomainError(
      () => parseObjectArn("../../etc/passwd"),
      "InvalidArgument",
      'The object ARN ".." does not name a valid bucket.',
    );
    assertDomainError(
      () => parseObjectArn("arn:aws:s3:::../etc/passwd", "Manifest/Location/ObjectArn"),
      "InvalidArgument",
      'The Manifest/Location/ObjectArn "arn:aws:s3:::.." does not name a valid bucket.',
    );
  });

  it("refuses an empty, too long, unprefixed-with-colon, keyless or empty-key reference", () => {
    assertDomainError(() => parseObjectArn(""), "InvalidArgument", "The object ARN must not be empty.");
    assertDomainError(() => parseObjectArn(`b/${"k".repeat(2047)}`), "InvalidArgument", "The object ARN is too long.");
    assertDomainError(
      () => parseObjectArn("s3://photos/key"),
      "InvalidArgument",
      'The object ARN "s3://photos/key" is not a recognised object ARN.',
    );
    assertDomainError(
      () => parseObjectArn("arn:aws:s3:::photos"),
      "InvalidArgument",
      'The object ARN "arn:aws:s3:::photos" has no object key.',
    );
    assertDomainError(
      () => parseObjectArn("arn:aws:s3:::photos/"),
      "InvalidArgument",
      'The object ARN "arn:aws:s3:::photos/" has an empty object key.',
    );
  });

  it("accepts a key of 1024 bytes and refuses one of 1025", () => {
    assert.equal(parseObjectArn(`photos/${"é".repeat(512)}`).key.length, 512);
    assertDomainError(
      () => parseObjectArn(`photos/${"é".repeat(512)}k`, "ObjectArn"),
      "InvalidArgument",
      "The object key in the ObjectArn is too long.",
    );
  });
});
