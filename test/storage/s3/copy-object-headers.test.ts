/**
 * copy-object-headers.ts: a CopyObject's fields as the headers S3 reads, in the SDK's formats (HTTP dates,
 * ISO 8601 for the Object Lock date, true/false, x-amz-meta-* for user metadata); a field the table does not
 * know sends the whole copy to the SDK (undefined), so nothing is silently dropped. That the SDK sends the same
 * headers for every field objbatch uses is checked on the wire in signed-requests.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { copyObjectHeaders } from "../../../src/storage/s3/copy-object-headers.js";

describe("copyObjectHeaders", () => {
  it("formats each kind of field as the SDK does and leaves out Bucket, Key and unset fields", () => {
    const when = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    assert.deepEqual(
      copyObjectHeaders({
        Bucket: "b",
        Key: "k",
        CopySource: "src/a%20b",
        MetadataDirective: "REPLACE",
        ContentType: undefined,
        CopySourceIfUnmodifiedSince: when,
        ObjectLockRetainUntilDate: when,
        BucketKeyEnabled: false,
        Metadata: { team: "a b", "x-y": "1" },
      }),
      {
        "x-amz-copy-source": "src/a%20b",
        "x-amz-metadata-directive": "REPLACE",
        "x-amz-copy-source-if-unmodified-since": "Wed, 02 Jan 2030 03:04:05 GMT",
        "x-amz-object-lock-retain-until-date": "2030-01-02T03:04:05Z",
        "x-amz-server-side-encryption-bucket-key-enabled": "false",
        "x-amz-meta-team": "a b",
        "x-amz-meta-x-y": "1",
      },
    );
  });

  it("answers undefined for a field only the SDK knows how to send", () => {
    assert.equal(copyObjectHeaders({ Bucket: "b", Key: "k", CopySource: "s/k", SSECustomerKey: "k" }), undefined);
    assert.equal(
      copyObjectHeaders({ Bucket: "b", Key: "k", CopySource: "s/k", ChecksumType: "x" } as never),
      undefined,
    );
  });
});
