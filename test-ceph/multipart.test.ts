/**
 * S3Storage's multipart uploads on Ceph's RADOS Gateway, a server that keeps S3's rules: every part but the last
 * at least 5 MiB (else 400 EntityTooSmall on completion), part ETags checked (400 InvalidPart), pending uploads
 * listed by prefix, aborted uploads gone (404 NoSuchUpload), and the multipart "-N" ETag.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { S3Storage } from "../src/storage/s3/index.js";
import { collect, rejectsWithS3 as rejectsWith } from "../test/helpers/storage-errors.js";
import { bucketNamer, CEPH, cephGateway, createBuckets, removeBuckets } from "./helpers.js";

const MIB = 1024 * 1024;
const name = bucketNamer("multipart");
const BUCKET = name("reports");

/** S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then "-" and the number of parts. */
function multipartEtag(parts: readonly Buffer[]): string {
  const md5s = parts.map((p) => createHash("md5").update(p).digest());
  return `"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${parts.length}"`;
}

describe(`S3Storage multipart uploads on radosgw (${CEPH.endpoint})`, () => {
  let s3: S3Client;
  let storage: S3Storage;
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [BUCKET]);
    storage = new S3Storage({
      kind: "s3",
      endpoint: CEPH.endpoint,
      region: CEPH.region,
      accessKeyId: CEPH.accessKeyId,
      secretAccessKey: CEPH.secretAccessKey,
      forcePathStyle: true,
    });
  });
  after(async () => {
    await storage?.close();
    await removeBuckets(s3, [BUCKET]);
    s3?.destroy();
  });

  it("completes a first part of exactly 5 MiB and a small last part, replaced once", async () => {
    const key = "job-1/results/ok.csv";
    const first = Buffer.alloc(5 * MIB, "a");
    const last = Buffer.from("last rows\n");
    const id = await storage.createMultipartUpload(BUCKET, key, { metadata: { contentType: "text/csv" } });
    const p1 = await storage.uploadPart(BUCKET, key, id, 1, first);
    const stale = await storage.uploadPart(BUCKET, key, id, 2, Buffer.from("first try\n"));
    const p2 = await storage.uploadPart(BUCKET, key, id, 2, last);
    // The replaced part's ETag names nothing any more.
    await rejectsWith(storage.completeMultipartUpload(BUCKET, key, id, [p1, stale]), "InvalidPart", 400);

    const written = await storage.completeMultipartUpload(BUCKET, key, id, [p1, p2]);
    assert.equal(written.etag, multipartEtag([first, last]));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(got.ContentType, "text/csv");
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([first, last])));
    assert.equal((await storage.head(BUCKET, key)).etag, written.etag);

    // Gone once completed: no more parts. (A completion repeated after success answers 200 again, as on AWS.)
    await rejectsWith(storage.uploadPart(BUCKET, key, id, 3, last), "NoSuchUpload", 404);
    assert.equal((await storage.completeMultipartUpload(BUCKET, key, id, [p1, p2])).etag, written.etag);
  });

  it("answers 400 EntityTooSmall when a part before the last is under 5 MiB, and keeps the upload", async () => {
    const key = "job-2/results/small.csv";
    const id = await storage.createMultipartUpload(BUCKET, key);
    const p1 = await storage.uploadPart(BUCKET, key, id, 1, Buffer.alloc(5 * MIB - 1, "b"));
    const p2 = await storage.uploadPart(BUCKET, key, id, 2, Buffer.from("x"));
    await rejectsWith(storage.completeMultipartUpload(BUCKET, key, id, [p1, p2]), "EntityTooSmall", 400);
    await rejectsWith(storage.head(BUCKET, key), "NoSuchKey", 404);
    // RGW 16 wants every uploaded part listed, from part 1 on: leaving one out is 400 InvalidPart (AWS allows it).
    await rejectsWith(storage.completeMultipartUpload(BUCKET, key, id, [p2]), "InvalidPart", 400);
    // The upload is still pending: with part 1 uploaded again at 5 MiB it completes.
    const big = Buffer.alloc(5 * MIB, "c");
    const p1big = await storage.uploadPart(BUCKET, key, id, 1, big);
    const written = await storage.completeMultipartUpload(BUCKET, key, id, [p1big, p2]);
    assert.equal(written.etag, multipartEtag([big, Buffer.from("x")]));
  });

  it("lists pending uploads by prefix; abort removes one, after which it answers 404 NoSuchUpload", async () => {
    const a = await storage.createMultipartUpload(BUCKET, "pending/a.csv");
    const b = await storage.createMultipartUpload(BUCKET, "pending/b.csv");
    const other = await storage.createMultipartUpload(BUCKET, "elsewhere/c.csv");
    await storage.uploadPart(BUCKET, "pending/a.csv", a, 1, Buffer.from("part"));
    assert.deepEqual(await collect(storage.listMultipartUploads(BUCKET, "pending/")), [
      { key: "pending/a.csv", uploadId: a },
      { key: "pending/b.csv", uploadId: b },
    ]);

    await storage.abortMultipartUpload(BUCKET, "pending/a.csv", a);
    assert.deepEqual(await collect(storage.listMultipartUploads(BUCKET, "pending/")), [
      { key: "pending/b.csv", uploadId: b },
    ]);
    await rejectsWith(storage.abortMultipartUpload(BUCKET, "pending/a.csv", a), "NoSuchUpload", 404);
    await rejectsWith(storage.uploadPart(BUCKET, "pending/a.csv", a, 2, Buffer.from("late")), "NoSuchUpload", 404);
    // RGW 16 answers a completion of an aborted (or never created) upload with 500 InternalError "This
    // multipart completion is already in progress", not 404 NoSuchUpload: retryable, as any 500.
    await rejectsWith(
      storage.completeMultipartUpload(BUCKET, "pending/a.csv", a, [{ partNumber: 1, etag: '"x"' }]),
      "InternalError",
      500,
      true,
    );
    await rejectsWith(storage.head(BUCKET, "pending/a.csv"), "NoSuchKey", 404);

    await storage.abortMultipartUpload(BUCKET, "pending/b.csv", b);
    await storage.abortMultipartUpload(BUCKET, "elsewhere/c.csv", other);
    assert.deepEqual(await collect(storage.listMultipartUploads(BUCKET, "")), []);
  });

  it("answers 404 NoSuchUpload for an upload ID it never gave, and NoSuchBucket for a missing bucket", async () => {
    await rejectsWith(storage.uploadPart(BUCKET, "k", "2~not-an-upload", 1, Buffer.from("x")), "NoSuchUpload", 404);
    await rejectsWith(storage.abortMultipartUpload(BUCKET, "k", "2~not-an-upload"), "NoSuchUpload", 404);
    await rejectsWith(collect(storage.listMultipartUploads(name("missing"), "")), "NoSuchBucket", 404);
  });
});
