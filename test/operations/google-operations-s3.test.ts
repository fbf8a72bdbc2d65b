/**
 * Google's operations (D45) on the S3 backend against a real s3rver: what s3rver can do is checked here
 * (metadata replaced in place with the bytes and tags kept, custom contexts as tags, the refusal of an
 * event-based hold, a delete of all versions on a server without versions). s3rver has no KMS and no versions;
 * RewriteObject's and ListObjectVersions' real behaviour is checked against Ceph RGW (test-ceph/google.test.ts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runOperation } from "../../src/operations/index.js";
import type { OperationContext } from "../../src/operations/types.js";
import type { S3Storage } from "../../src/storage/s3/index.js";
import { withS3Storage } from "../storage/helpers.js";
import { text } from "./helpers.js";

describe("Google's operations on s3rver", () => {
  let storage: S3Storage;
  let context: OperationContext;
  withS3Storage(["gcs-ops"], (server) => {
    storage = server.storage;
    context = { storage, jobId: "job-1", accountId: "acct-1" };
  });

  it("UpdateObjectMetadata replaces the metadata in place, keeping the bytes, the tags and the rest", async () => {
    await storage.put("gcs-ops", "m.txt", "body", {
      metadata: { contentType: "text/plain", cacheControl: "max-age=1", userMetadata: { keep: "1", drop: "x" } },
      tags: [{ key: "t", value: "1" }],
    });
    const result = await runOperation(
      { bucket: "gcs-ops", key: "m.txt" },
      {
        kind: "UpdateObjectMetadata",
        cacheControl: "no-store",
        userMetadata: [
          { key: "drop", value: "" },
          { key: "new", value: "2" },
        ],
      },
      context,
    );
    assert.equal(result.status, "succeeded", result.message);
    const info = await storage.head("gcs-ops", "m.txt");
    assert.equal(info.metadata.contentType, "text/plain");
    assert.equal(info.metadata.cacheControl, "no-store");
    assert.deepEqual(info.metadata.userMetadata, { keep: "1", new: "2" });
    assert.equal(await text(storage.get("gcs-ops", "m.txt")), "body");
    assert.deepEqual(await storage.getTagging("gcs-ops", "m.txt"), [{ key: "t", value: "1" }]);
  });

  it("replaceMetadata refuses (412) when the object changed since its ETag was read", async () => {
    await storage.put("gcs-ops", "race.txt", "first");
    const read = await storage.head("gcs-ops", "race.txt");
    await storage.put("gcs-ops", "race.txt", "second");
    await assert.rejects(
      storage.replaceMetadata("gcs-ops", "race.txt", { cacheControl: "x" }, { ifMatch: read.etag }),
      {
        code: "PreconditionFailed",
      },
    );
    assert.equal(await text(storage.get("gcs-ops", "race.txt")), "second");
  });

  it("UpdateObjectCustomContext keeps contexts as tags", async () => {
    await storage.put("gcs-ops", "c.txt", "c", { tags: [{ key: "a", value: "1" }] });
    const result = await runOperation(
      { bucket: "gcs-ops", key: "c.txt" },
      { kind: "UpdateObjectCustomContext", set: [{ key: "b", value: "2" }], remove: ["a"] },
      context,
    );
    assert.equal(result.status, "succeeded", result.message);
    assert.deepEqual(await storage.getTagging("gcs-ops", "c.txt"), [{ key: "b", value: "2" }]);
  });

  it("PutObjectHold refuses an event-based hold with 501 NotImplemented and changes nothing", async () => {
    await storage.put("gcs-ops", "h.txt", "h");
    const result = await runOperation(
      { bucket: "gcs-ops", key: "h.txt" },
      { kind: "PutObjectHold", eventBasedHold: true, temporaryHold: true },
      context,
    );
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 501, "NotImplemented"]);
    assert.match(result.message, /Event-based holds are not supported/);
    assert.equal((await storage.head("gcs-ops", "h.txt")).objectLock, undefined);
  });

  it("RewriteObject passes the server's refusal through as the task's row and leaves the object", async () => {
    await storage.put("gcs-ops", "r.txt", "r", { metadata: { cacheControl: "keep" } });
    const result = await runOperation(
      { bucket: "gcs-ops", key: "r.txt" },
      { kind: "RewriteObject", kmsKey: "arn:aws:kms:us-east-1:111122223333:key/k1" },
      context,
    );
    // s3rver ignores SSE, so it sees an in-place copy that changes nothing and refuses it.
    assert.deepEqual([result.status, result.httpStatus, result.errorCode], ["failed", 400, "InvalidRequest"]);
    assert.equal(await text(storage.get("gcs-ops", "r.txt")), "r");
    assert.equal((await storage.head("gcs-ops", "r.txt")).metadata.cacheControl, "keep");
  });

  it("DeleteObject with allVersions deletes the key on a server without versions, not the keys under it", async () => {
    await storage.put("gcs-ops", "d.txt", "d");
    await storage.put("gcs-ops", "d.txt/under", "u");
    const versions = [];
    for await (const v of storage.listKeyVersions("gcs-ops", "d.txt")) versions.push(v);
    assert.deepEqual(versions, [{ deleteMarker: false }], "s3rver refuses ListObjectVersions: the object itself");
    const result = await runOperation(
      { bucket: "gcs-ops", key: "d.txt" },
      { kind: "DeleteObject", allVersions: true },
      context,
    );
    assert.deepEqual([result.status, result.httpStatus], ["succeeded", 204]);
    await assert.rejects(storage.head("gcs-ops", "d.txt"), { code: "NoSuchKey" });
    assert.equal(await text(storage.get("gcs-ops", "d.txt/under")), "u");
    const none = [];
    for await (const v of storage.listKeyVersions("gcs-ops", "d.txt")) none.push(v);
    assert.deepEqual(none, []);
  });
});
