/**
 * S3 Control manifest generators (manifest-generator.ts): a ManifestGenerator with every filter is read and
 * rendered back.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseS3ControlCreateJobRequest } from "../../../../src/api/dialects/s3control/create-job-request.js";
import { renderManifestGenerator } from "../../../../src/api/dialects/s3control/manifest-generator.js";
import { toXml } from "../../../../src/api/xml/build.js";
import { ACCOUNT, body, GENERATOR, OPERATIONS } from "../../fixtures/s3control-requests.js";

describe("S3 Control manifest generator", () => {
  it("reads a ManifestGenerator with every filter and renders it back", () => {
    const spec = parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: GENERATOR }), ACCOUNT);
    assert.equal(spec.manifest, undefined);
    assert.deepEqual(spec.manifestGenerator, {
      kind: "S3JobManifestGenerator",
      expectedBucketOwner: "123456789012",
      sourceBucket: { arn: "arn:aws:s3:::source", bucket: "source" },
      enableManifestOutput: true,
      manifestOutputLocation: {
        expectedManifestBucketOwner: "123456789012",
        bucket: { arn: "arn:aws:s3:::manifests", bucket: "manifests" },
        manifestPrefix: "generated",
        manifestEncryption: "SSE-KMS",
        manifestEncryptionKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/m",
        manifestFormat: "S3InventoryReport_CSV_20211130",
      },
      filter: {
        eligibleForReplication: true,
        createdAfter: "2024-01-01T00:00:00Z",
        createdBefore: "2024-06-01T00:00:00.500Z",
        objectReplicationStatuses: ["NONE", "FAILED"],
        keyNameConstraint: { matchAnyPrefix: ["logs/"], matchAnySuffix: [".gz", ".zip"], matchAnySubstring: ["2024"] },
        objectSizeGreaterThanBytes: 10,
        objectSizeLessThanBytes: 1048576,
        matchAnyStorageClass: ["STANDARD", "GLACIER_IR"],
        matchAnyObjectEncryption: ["SSE-KMS"],
        objectEncryptionFilters: [
          { type: "SSE-KMS", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc-123", bucketKeyEnabled: false },
        ],
      },
    });
    const rendered = toXml(renderManifestGenerator(spec.manifestGenerator!), { declaration: false });
    assert.match(rendered, /<MatchAnyObjectEncryption><ObjectEncryption><SSE-KMS>/);
    const again = parseS3ControlCreateJobRequest(body(OPERATIONS.delete!, { manifest: rendered }), ACCOUNT);
    assert.deepEqual(again.manifestGenerator, spec.manifestGenerator);
  });
});
