/**
 * Copy jobs on Ceph's RADOS Gateway through objbatch's S3 Control API: metadata and tagging directives,
 * canned ACLs, a target key prefix, multipart copy (UploadPartCopy) below a tiny threshold, versioned sources,
 * and the completion report written to a bucket on the gateway.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  bucketNamer,
  type CephApp,
  cephGateway,
  createBuckets,
  getText,
  putManifest,
  putObjects,
  readReport,
  removeBuckets,
  reportConfig,
  startCephApp,
} from "./helpers.js";

const name = bucketNamer("copy");
const SRC = name("src");
const DST = name("dst");
const VSRC = name("vsrc");
const REPORTS = name("reports");

describe("copy jobs on radosgw", () => {
  let s3: S3Client;
  let ceph: CephApp;
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [SRC, DST, REPORTS]);
    await createBuckets(s3, [VSRC], { versioned: true });
    ceph = await startCephApp({ s3: { multipartCopyThresholdBytes: 6 * 1024 * 1024, partSizeBytes: 5 * 1024 * 1024 } });
  });
  after(async () => {
    await ceph?.dispose();
    await removeBuckets(s3, [SRC, DST, VSRC, REPORTS]);
    s3?.destroy();
  });

  it("copies with REPLACE metadata and a canned ACL, and writes the report to the gateway", async () => {
    const keys = ["a.txt", "dir/b c.txt", "dir/ü+plus.txt", "deep/x/y/z.bin"];
    for (const Key of keys) {
      await s3.send(
        new PutObjectCommand({
          Bucket: SRC,
          Key,
          Body: `body of ${Key}`,
          ContentType: "text/plain",
          Metadata: { origin: "source" },
          Tagging: "stage=raw",
        }),
      );
    }
    const manifest = await putManifest(
      s3,
      SRC,
      "manifests/copy.csv",
      keys.map((key) => ({ bucket: SRC, key })),
    );
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: {
        S3PutObjectCopy: {
          TargetResource: `arn:aws:s3:::${DST}`,
          TargetKeyPrefix: "copied/",
          MetadataDirective: "REPLACE",
          NewObjectMetadata: { ContentType: "application/x-copied", UserMetadata: { origin: "objbatch" } },
          CannedAccessControlList: "public-read",
        },
      },
      Report: reportConfig(REPORTS, "copy-1"),
    });
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.deepEqual(
      job.ProgressSummary && {
        total: job.ProgressSummary.TotalNumberOfTasks,
        ok: job.ProgressSummary.NumberOfTasksSucceeded,
        failed: job.ProgressSummary.NumberOfTasksFailed,
      },
      { total: 4, ok: 4, failed: 0 },
    );

    for (const key of keys) {
      const target = `copied/${key}`;
      assert.equal(await getText(s3, DST, target), `body of ${key}`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: DST, Key: target }));
      assert.equal(head.ContentType, "application/x-copied");
      assert.deepEqual(head.Metadata, { origin: "objbatch" });
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: DST, Key: target }));
      assert.ok(
        acl.Grants?.some(
          (g) => g.Grantee?.URI === "http://acs.amazonaws.com/groups/global/AllUsers" && g.Permission === "READ",
        ),
        JSON.stringify(acl.Grants),
      );
    }
    const report = await readReport(s3, REPORTS, "copy-1", jobId);
    assert.deepEqual(
      report.rows.map((r) => [r.bucket, r.key, r.status, r.httpStatus]).sort(),
      keys.map((k) => [SRC, k, "succeeded", "200"]).sort(),
    );
  });

  it("copies with COPY metadata and keeps the source's tags", async () => {
    const manifest = await putManifest(s3, SRC, "manifests/copy-keep.csv", [{ bucket: SRC, key: "a.txt" }]);
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: {
        S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${DST}`, TargetKeyPrefix: "kept/", MetadataDirective: "COPY" },
      },
      Report: { Enabled: false },
    });
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    const head = await s3.send(new HeadObjectCommand({ Bucket: DST, Key: "kept/a.txt" }));
    assert.equal(head.ContentType, "text/plain");
    assert.deepEqual(head.Metadata, { origin: "source" });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: DST, Key: "kept/a.txt" }));
    assert.deepEqual(tags.TagSet, [{ Key: "stage", Value: "raw" }]);
  });

  // radosgw 16.2 ignores x-amz-tagging-directive: REPLACE keeps the source's tags, and MetadataDirective REPLACE
  // drops them all. A job that asks for tags must still get exactly those tags.
  it("gives copies exactly the tags the job asked for, with COPY and with REPLACE metadata", async () => {
    const manifest = await putManifest(s3, SRC, "manifests/copy-tags.csv", [{ bucket: SRC, key: "a.txt" }]);
    for (const directive of ["COPY", "REPLACE"] as const) {
      const jobId = await ceph.createJob({
        Manifest: manifest,
        Operation: {
          S3PutObjectCopy: {
            TargetResource: `arn:aws:s3:::${DST}`,
            TargetKeyPrefix: `tags-${directive}/`,
            MetadataDirective: directive,
            NewObjectTagging: [{ Key: "stage", Value: "copied" }],
          },
        },
        Report: { Enabled: false },
      });
      const job = await ceph.waitForJob(jobId);
      assert.equal(job.Status, "Complete", JSON.stringify(job));
      const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: DST, Key: `tags-${directive}/a.txt` }));
      assert.deepEqual(tags.TagSet, [{ Key: "stage", Value: "copied" }], `MetadataDirective ${directive}`);
    }
  });

  it("copies objects above the multipart threshold part by part (UploadPartCopy), byte for byte", async () => {
    const big = Buffer.alloc(7 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 10)) & 0xff;
    await s3.send(new PutObjectCommand({ Bucket: SRC, Key: "big.bin", Body: big, Metadata: { size: "big" } }));
    await putObjects(s3, SRC, ["small.bin"]);
    const manifest = await putManifest(s3, SRC, "manifests/big.csv", [
      { bucket: SRC, key: "big.bin" },
      { bucket: SRC, key: "small.bin" },
    ]);
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${DST}`, TargetKeyPrefix: "mp/" } },
      Report: reportConfig(REPORTS, "multipart"),
    });
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    const head = await s3.send(new HeadObjectCommand({ Bucket: DST, Key: "mp/big.bin" }));
    assert.equal(head.ContentLength, big.length);
    // A multipart object's ETag is "<md5 of part md5s>-<parts>": proof the copy went part by part.
    assert.match(head.ETag ?? "", /-2"$/);
    assert.deepEqual(head.Metadata, { size: "big" });
    const got = await s3.send(new GetObjectCommand({ Bucket: DST, Key: "mp/big.bin" }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(big));
    assert.match(
      (await s3.send(new HeadObjectCommand({ Bucket: DST, Key: "mp/small.bin" }))).ETag ?? "",
      /^"[0-9a-f]{32}"$/,
    );
  });

  it("copies the listed version of a versioned object, not the latest", async () => {
    const v1 = await s3.send(new PutObjectCommand({ Bucket: VSRC, Key: "doc.txt", Body: "version one" }));
    const v2 = await s3.send(new PutObjectCommand({ Bucket: VSRC, Key: "doc.txt", Body: "version two" }));
    assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
    const manifest = await putManifest(s3, SRC, "manifests/versions.csv", [
      { bucket: VSRC, key: "doc.txt", versionId: v1.VersionId },
    ]);
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${DST}`, TargetKeyPrefix: "v1/" } },
      Report: reportConfig(REPORTS, "versions"),
    });
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(await getText(s3, DST, "v1/doc.txt"), "version one");
    const report = await readReport(s3, REPORTS, "versions", jobId);
    assert.deepEqual(
      report.rows.map((r) => [r.key, r.versionId, r.status]),
      [["doc.txt", v1.VersionId, "succeeded"]],
    );
  });

  it("reports a missing source as a failed task with the gateway's 404, and still completes", async () => {
    const manifest = await putManifest(s3, SRC, "manifests/missing.csv", [
      { bucket: SRC, key: "a.txt" },
      { bucket: SRC, key: "no-such-key" },
    ]);
    const jobId = await ceph.createJob({
      Manifest: manifest,
      Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${DST}`, TargetKeyPrefix: "missing/" } },
      Report: reportConfig(REPORTS, "missing"),
    });
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(job.ProgressSummary?.NumberOfTasksFailed, 1);
    const report = await readReport(s3, REPORTS, "missing", jobId);
    const failed = report.rows.find((r) => r.key === "no-such-key");
    assert.equal(failed?.status, "failed");
    assert.equal(failed?.httpStatus, "404");
    assert.equal(failed?.errorCode, "NoSuchKey");
  });
});
