/**
 * What the S3 backend's modules share (backend.ts): a write's answer as a WriteResult, the kind of write a put
 * was, and an empty ETag (Ceph RGW 16 completing a multipart upload) read back with a HEAD.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { completedWrite, type S3Backend, writeResult } from "../../../src/storage/s3/backend.js";
import { putKind } from "../../../src/storage/s3/write-checks.js";
import { type Fixture, fixture } from "../local/helpers.js";

describe("the S3 backend's shared pieces", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["b"]);
  });
  after(() => f.cleanup());

  it("turns a write's answer into a WriteResult", () => {
    assert.deepEqual(writeResult('"abc"', "v1"), { etag: '"abc"', versionId: "v1" });
    assert.deepEqual(writeResult(undefined, undefined), { etag: '""' });
  });

  it("tells a multipart upload's ETag from a single put's", () => {
    assert.equal(putKind('"0123456789abcdef0123456789abcdef-3"'), "multipart");
    assert.equal(putKind("0123456789abcdef-12"), "multipart");
    assert.equal(putKind('"0123456789abcdef0123456789abcdef"'), "put");
  });

  it("reads an ETag the completion left out back from the object", async () => {
    const written = await f.storage.put("b", "k", "body");
    // Only `storage` is used: the store that answers the HEAD (here a local directory, a real one).
    const backend = { storage: f.storage } as unknown as S3Backend;
    assert.deepEqual(await completedWrite(backend, "b", "k", undefined, undefined), { etag: written.etag });
    assert.deepEqual(await completedWrite(backend, "b", "k", '"given"', "v2"), { etag: '"given"', versionId: "v2" });
  });
});
