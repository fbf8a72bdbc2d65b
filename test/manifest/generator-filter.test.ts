/**
 * The generator filter's criteria that the local backend's listing cannot exercise: encryption and
 * replication status as S3-backed listings report them, name normalisation, and the listing prefixes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ManifestGenerator } from "../../src/domain/job.js";
import {
  compileFilter,
  listingPrefixes,
  normalizeEncryption,
  normalizeReplicationStatus,
} from "../../src/manifest/generator-filter.js";
import type { ListedObject } from "../../src/storage/types.js";

const object = (extra: Partial<ListedObject> = {}): ListedObject => ({
  key: "k",
  size: 10,
  etag: '"e"',
  lastModified: new Date("2024-06-01T00:00:00Z"),
  storageClass: "STANDARD",
  ...extra,
});

describe("generator filter", () => {
  it("normalises encryption names, S3's raw header values and union spellings", () => {
    assert.equal(normalizeEncryption(undefined), "NOT-SSE");
    assert.equal(normalizeEncryption("AES256"), "SSE-S3");
    assert.equal(normalizeEncryption("aws:kms"), "SSE-KMS");
    assert.equal(normalizeEncryption("aws:kms:dsse"), "DSSE-KMS");
    assert.equal(normalizeEncryption("SSE-KMS:arn:aws:kms:us-east-1:1:key/x"), "SSE-KMS");
    assert.equal(normalizeEncryption("sse_c"), "SSE-C");
    assert.equal(normalizeEncryption("NOT-SSE"), "NOT-SSE");
    assert.equal(normalizeReplicationStatus(undefined), "NONE");
    assert.equal(normalizeReplicationStatus("complete"), "COMPLETED");
  });

  it("MatchAnyObjectEncryption matches what a listing reports; absent is NOT-SSE", () => {
    const kms = compileFilter({ matchAnyObjectEncryption: ["SSE-KMS", "DSSE-KMS"] });
    assert.equal(kms(object({ encryption: "aws:kms" })), true);
    assert.equal(kms(object({ encryption: "aws:kms:dsse" })), true);
    assert.equal(kms(object({ encryption: "AES256" })), false);
    assert.equal(kms(object()), false);
    assert.equal(compileFilter({ matchAnyObjectEncryption: ["NOT-SSE"] })(object()), true);
  });

  it("ObjectReplicationStatuses and EligibleForReplication", () => {
    const failedOrNone = compileFilter({ objectReplicationStatuses: ["FAILED", "NONE"] });
    assert.equal(failedOrNone(object({ replicationStatus: "FAILED" })), true);
    assert.equal(failedOrNone(object()), true);
    assert.equal(failedOrNone(object({ replicationStatus: "COMPLETED" })), false);
    const eligible = compileFilter({ eligibleForReplication: true });
    assert.equal(eligible(object({ replicationStatus: "REPLICA" })), false);
    assert.equal(eligible(object({ replicationStatus: "FAILED" })), true);
    assert.equal(compileFilter({ eligibleForReplication: false })(object({ replicationStatus: "REPLICA" })), true);
  });

  it("every criterion is ANDed; size and dates are strict", () => {
    const f = compileFilter({
      createdAfter: "2024-05-31T00:00:00Z",
      createdBefore: "2024-06-02T00:00:00Z",
      objectSizeGreaterThanBytes: 9,
      objectSizeLessThanBytes: 11,
      matchAnyStorageClass: ["standard"],
      keyNameConstraint: { matchAnyPrefix: ["k"], matchAnySuffix: ["k"], matchAnySubstring: ["k"] },
    });
    assert.equal(f(object()), true);
    assert.equal(f(object({ size: 11 })), false);
    assert.equal(f(object({ size: 9 })), false);
    assert.equal(f(object({ lastModified: new Date("2024-06-02T00:00:00Z") })), false);
    assert.equal(f(object({ storageClass: "GLACIER" })), false);
    assert.equal(f(object({ key: "kx" })), false, "suffix fails");
  });

  it("an unreadable date is a ManifestError", () => {
    assert.throws(() => compileFilter({ createdAfter: "yesterday" }), { code: "InvalidManifestGenerator" });
  });

  it("lists each needed prefix once: extensions of another prefix are dropped", () => {
    const gen = (extra: Partial<ManifestGenerator>): ManifestGenerator => ({
      kind: "S3JobManifestGenerator",
      sourceBucket: { arn: "b", bucket: "b" },
      enableManifestOutput: false,
      ...extra,
    });
    assert.deepEqual(listingPrefixes(gen({})), [""]);
    assert.deepEqual(
      listingPrefixes(gen({ filter: { keyNameConstraint: { matchAnyPrefix: ["b/c", "a/", "b/", "a/x", "ab"] } } })),
      ["a/", "ab", "b/"],
    );
    assert.deepEqual(listingPrefixes(gen({ filter: { keyNameConstraint: { matchAnyPrefix: ["", "a"] } } })), [""]);
    assert.deepEqual(listingPrefixes(gen({ kind: "KeyPrefixManifestGenerator", prefix: "p/" })), ["p/"]);
  });
});
