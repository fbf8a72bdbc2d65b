/**
 * S3Storage's multipart uploads against a real s3rver (3.7): the round trip, a part uploaded again replacing the
 * first, and what s3rver does where it departs from S3, asserted as it is (S3's own rules are checked on radosgw:
 * test-ceph/multipart.test.ts). Not exercised here: completing with a part that was never uploaded, which makes
 * s3rver crash (an unhandled stream error in its child process).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import type { S3Storage } from "../../../src/storage/s3/index.js";
import type { S3rverHandle } from "../../helpers/s3rver.js";
import { collect, rejectsWithS3 as rejectsWith } from "../../helpers/storage-errors.js";
import { withS3Storage } from "../helpers.js";

const md5 = (s: string | Buffer) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("S3Storage multipart uploads on s3rver", () => {
  let s3: S3rverHandle;
  let storage: S3Storage;
  withS3Storage(["reports"], (server) => {
    ({ s3, storage } = server);
  });

  it("creates, uploads parts (out of order) and completes: the object is their concatenation", async () => {
    const key = "job-1/results/a.csv";
    const id = await storage.createMultipartUpload("reports", key, {
      metadata: { contentType: "text/csv", userMetadata: { job: "1" } },
    });
    assert.ok(id.length > 0);
    const first = Buffer.alloc(64 * 1024, "a");
    const p2 = await storage.uploadPart("reports", key, id, 2, Buffer.from("tail\n"));
    const p1 = await storage.uploadPart("reports", key, id, 1, first);
    assert.deepEqual(p1, { partNumber: 1, etag: md5(first) });
    assert.deepEqual(p2, { partNumber: 2, etag: md5("tail\n") });

    const written = await storage.completeMultipartUpload("reports", key, id, [p1, p2]);
    const whole = Buffer.concat([first, Buffer.from("tail\n")]);
    // s3rver answers the plain MD5 of the whole object, not S3's "<md5 of part md5s>-2".
    assert.equal(written.etag, md5(whole));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: "reports", Key: key }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(whole));
    assert.equal(got.ContentType, "text/csv");
    assert.deepEqual(got.Metadata, { job: "1" });
    assert.ok((await buffer(await storage.get("reports", key))).equals(whole));
  });

  it("replaces a part uploaded again under its number", async () => {
    const key = "again.txt";
    const id = await storage.createMultipartUpload("reports", key);
    const old = await storage.uploadPart("reports", key, id, 1, Buffer.from("old part, "));
    const replaced = await storage.uploadPart("reports", key, id, 1, Buffer.from("new part, "));
    assert.notEqual(old.etag, replaced.etag);
    const p2 = await storage.uploadPart("reports", key, id, 2, Buffer.from("end"));
    await storage.completeMultipartUpload("reports", key, id, [replaced, p2]);
    assert.equal((await buffer(await storage.get("reports", key))).toString(), "new part, end");
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "reports", Key: key }));
    assert.equal(head.ContentLength, "new part, end".length);
  });

  it("uploads a part given as a stream of known length; one that ends short fails and is not kept", async () => {
    const key = "streamed.csv";
    const id = await storage.createMultipartUpload("reports", key);
    const rows = [Buffer.alloc(70 * 1024, "r"), Buffer.from("b,k2 ✓,,failed,404,NoSuchKey,gone\n")];
    const whole = Buffer.concat(rows);
    const sized = (length: number) => ({ length, stream: Readable.from(rows) });
    await rejectsWith(storage.uploadPart("reports", key, id, 1, sized(whole.length + 5)), "IncompleteBody", 400);
    const part = await storage.uploadPart("reports", key, id, 1, sized(whole.length));
    assert.deepEqual(part, { partNumber: 1, etag: md5(whole) });
    await storage.completeMultipartUpload("reports", key, id, [part]);
    assert.ok((await buffer(await storage.get("reports", key))).equals(whole));
  });

  it("checks part numbers and the part list's order itself (s3rver checks neither)", async () => {
    const id = await storage.createMultipartUpload("reports", "order.txt");
    for (const n of [0, 10_001, 2.5]) {
      await rejectsWith(storage.uploadPart("reports", "order.txt", id, n, Buffer.from("x")), "InvalidArgument", 400);
    }
    const p1 = await storage.uploadPart("reports", "order.txt", id, 1, Buffer.from("1"));
    const p2 = await storage.uploadPart("reports", "order.txt", id, 2, Buffer.from("2"));
    await rejectsWith(storage.completeMultipartUpload("reports", "order.txt", id, [p2, p1]), "InvalidPartOrder", 400);
    await rejectsWith(storage.completeMultipartUpload("reports", "order.txt", id, []), "MalformedXML", 400);
    await storage.completeMultipartUpload("reports", "order.txt", id, [p1, p2]);
    assert.equal((await buffer(await storage.get("reports", "order.txt"))).toString(), "12");
  });

  it("departs from S3: ETags unchecked, unknown uploads accepted or a 500, no ListMultipartUploads, no abort", async () => {
    const key = "lax.txt";
    const id = await storage.createMultipartUpload("reports", key);
    const old = await storage.uploadPart("reports", key, id, 1, Buffer.from("old"));
    await storage.uploadPart("reports", key, id, 1, Buffer.from("new"));

    // ListMultipartUploads: 501 NotImplemented (not retryable; callers treat listing as best effort).
    await rejectsWith(collect(storage.listMultipartUploads("reports", "")), "NotImplemented", 501);
    // AbortMultipartUpload: its router has no DELETE ?uploadId, so 405 MethodNotAllowed.
    await rejectsWith(storage.abortMultipartUpload("reports", key, id), "MethodNotAllowed", 405);

    // S3 would answer InvalidPart for the replaced part's ETag; s3rver completes with the part it has now.
    await storage.completeMultipartUpload("reports", key, id, [old]);
    assert.equal((await buffer(await storage.get("reports", key))).toString(), "new");

    // The upload is gone, but s3rver answers 500 InternalError (retryable), not 404 NoSuchUpload...
    await rejectsWith(storage.completeMultipartUpload("reports", key, id, [old]), "InternalError", 500, true);
    // ...and takes parts for uploads it does not know (S3: 404 NoSuchUpload).
    const stray = await storage.uploadPart("reports", key, id, 2, Buffer.from("stray"));
    assert.equal(stray.etag, md5("stray"));
    await storage.uploadPart("reports", key, "never-created", 1, Buffer.from("stray"));
  });

  it("answers 404 NoSuchBucket for a bucket that does not exist", async () => {
    await rejectsWith(storage.createMultipartUpload("no-such-bucket", "k"), "NoSuchBucket", 404);
  });
});
