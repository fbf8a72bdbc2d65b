/**
 * Manifests other than a plain CSV, on Ceph's RADOS Gateway: an S3JobManifestGenerator (objbatch lists the
 * source bucket on the gateway, filters, and writes the manifest it generated to the gateway), and an S3
 * inventory report (manifest.json and gzip CSV data files on the gateway) listing versions of a versioned bucket.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  bucketNamer,
  type CephApp,
  cephGateway,
  createBuckets,
  getText,
  putObjects,
  readReport,
  removeBuckets,
  reportConfig,
  startCephApp,
} from "./helpers.js";

const name = bucketNamer("manifests");
const SRC = name("src");
const VERS = name("versioned");
const OUT = name("out");
const REPORTS = name("reports");

describe("manifest generators and inventories on radosgw", () => {
  let s3: S3Client;
  let ceph: CephApp;
  before(async () => {
    s3 = await cephGateway();
    await createBuckets(s3, [SRC, OUT, REPORTS]);
    await createBuckets(s3, [VERS], { versioned: true });
    // Chunks of 3 tasks, so the generated and inventory tasks span several chunks.
    ceph = await startCephApp({ app: { engine: { chunkSize: 3 } } });
  });
  after(async () => {
    await ceph?.dispose();
    await removeBuckets(s3, [SRC, VERS, OUT, REPORTS]);
    s3?.destroy();
  });

  const tagsOf = async (Key: string, Bucket = SRC, VersionId?: string) =>
    ((await s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId }))).TagSet ?? []).map(
      (t) => `${t.Key}=${t.Value}`,
    );

  it("S3JobManifestGenerator: lists the gateway's bucket through its filter and writes the generated manifest there", async () => {
    // 1,100 objects: the listing takes two pages of radosgw's 1,000.
    const logs = Array.from({ length: 1100 }, (_, i) => `logs/${String(i).padStart(4, "0")}.log`);
    await putObjects(s3, SRC, logs, (k) => (k.endsWith("7.log") ? "a longer body" : "tiny"));
    await putObjects(s3, SRC, ["keep/readme.txt", "logs-not/x.log"], () => "another longer body");
    const expected = logs.filter((k) => k.endsWith("7.log"));

    const jobId = await ceph.createJob({
      ManifestGenerator: {
        S3JobManifestGenerator: {
          SourceBucket: `arn:aws:s3:::${SRC}`,
          EnableManifestOutput: true,
          ManifestOutputLocation: {
            Bucket: `arn:aws:s3:::${OUT}`,
            ManifestPrefix: "generated",
            ManifestFormat: "S3InventoryReport_CSV_20211130",
          },
          Filter: { KeyNameConstraint: { MatchAnyPrefix: ["logs/"] }, ObjectSizeGreaterThanBytes: 4 },
        },
      },
      Operation: { S3PutObjectTagging: { TagSet: [{ Key: "swept", Value: "yes" }] } },
      Report: reportConfig(REPORTS, "generated"),
    });
    const job = await ceph.waitForJob(jobId, 120_000);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.deepEqual(
      [
        job.ProgressSummary?.TotalNumberOfTasks,
        job.ProgressSummary?.NumberOfTasksSucceeded,
        job.ProgressSummary?.NumberOfTasksFailed,
      ],
      [expected.length, expected.length, 0],
    );
    for (const k of [expected[0]!, expected.at(-1)!]) assert.deepEqual(await tagsOf(k), ["swept=yes"]);
    assert.deepEqual(await tagsOf("logs/0000.log"), []);
    assert.deepEqual(await tagsOf("keep/readme.txt"), []);
    assert.deepEqual(await tagsOf("logs-not/x.log"), []);

    const report = await readReport(s3, REPORTS, "generated", jobId);
    assert.deepEqual(report.rows.map((r) => r.key).sort(), expected);
    assert.ok(report.rows.every((r) => r.status === "succeeded" && r.bucket === SRC));

    const generated = job.GeneratedManifestDescriptor;
    assert.equal(generated?.Format, "S3InventoryReport_CSV_20211130");
    const key = `generated/job-${jobId}/manifest.json`;
    assert.equal(generated?.Location?.ObjectArn, `arn:aws:s3:::${OUT}/${key}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: OUT, Key: key }));
    assert.equal(generated?.Location?.ETag?.replace(/"/g, ""), head.ETag?.replace(/"/g, ""));
    const manifest = JSON.parse(await getText(s3, OUT, key)) as { files: { key: string }[] };
    assert.ok(manifest.files.length >= 1);
  });

  it("S3 inventory report with versions: tags exactly the listed versions, skips delete markers", async () => {
    const old = await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "doc.txt", Body: "old" }));
    const cur = await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "doc.txt", Body: "current" }));
    const other = await s3.send(new PutObjectCommand({ Bucket: VERS, Key: "dir/other file.txt", Body: "o" }));
    const rows = [
      [VERS, "doc.txt", old.VersionId!, "false", "false", "3"],
      [VERS, "dir/other%20file.txt", other.VersionId!, "true", "false", "1"],
      [VERS, "gone.txt", "marker-version", "true", "true", ""],
    ];
    const data = gzipSync(`${rows.map((r) => r.map((c) => `"${c}"`).join(",")).join("\n")}\n`);
    const base = `inventory/${VERS}/daily/2025-01-01T00-00Z`;
    const dataKey = `inventory/${VERS}/daily/data/part-0.csv.gz`;
    await s3.send(new PutObjectCommand({ Bucket: OUT, Key: dataKey, Body: data }));
    const manifestBody = JSON.stringify({
      sourceBucket: VERS,
      destinationBucket: `arn:aws:s3:::${OUT}`,
      version: "2016-11-30",
      creationTimestamp: "1735689600000",
      fileFormat: "CSV",
      fileSchema: "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size",
      files: [{ key: dataKey, size: data.length, MD5checksum: createHash("md5").update(data).digest("hex") }],
    });
    const put = await s3.send(new PutObjectCommand({ Bucket: OUT, Key: `${base}/manifest.json`, Body: manifestBody }));

    const jobId = await ceph.createJob({
      Manifest: {
        Spec: { Format: "S3InventoryReport_CSV_20161130" },
        Location: { ObjectArn: `arn:aws:s3:::${OUT}/${base}/manifest.json`, ETag: put.ETag! },
      },
      Operation: { S3PutObjectTagging: { TagSet: [{ Key: "inventoried", Value: "1" }] } },
      Report: reportConfig(REPORTS, "inventory"),
    });
    const job = await ceph.waitForJob(jobId);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(job.ProgressSummary?.TotalNumberOfTasks, 2, "the delete marker is no task");
    assert.equal(job.ProgressSummary?.NumberOfTasksSucceeded, 2);
    assert.deepEqual(await tagsOf("doc.txt", VERS, old.VersionId), ["inventoried=1"]);
    assert.deepEqual(await tagsOf("doc.txt", VERS, cur.VersionId), [], "the current version was not listed");
    assert.deepEqual(await tagsOf("dir/other file.txt", VERS), ["inventoried=1"]);
    const report = await readReport(s3, REPORTS, "inventory", jobId);
    assert.deepEqual(report.rows.map((r) => [r.key, r.versionId, r.status]).sort(), [
      ["dir/other file.txt", other.VersionId, "succeeded"],
      ["doc.txt", old.VersionId, "succeeded"],
    ]);
  });
});
