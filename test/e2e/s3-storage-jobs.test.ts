/**
 * End to end on S3 storage: a COS copy job through the real server, with the config file routing the job's
 * buckets to a real s3rver (chunks run on worker threads, each opening the S3 backend from the plain config),
 * the manifest read from S3, objects copied server-side, the report written to S3; and a copy job from S3 into
 * a local bucket of the same objbatch.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type S3rverHandle, startS3rver } from "../helpers/s3rver.js";
import { createJob, encodeKey, makeBuckets, parseRow, waitForStatus } from "./helpers.js";

const SRC = "s3src-1250000000";
const DST = "s3dst-1250000000";
const REPORTS = "s3reports-1250000000";
const LOCAL = "localdst-1250000000";

describe("COS copy jobs on S3 storage (s3rver)", () => {
  let s3: S3rverHandle;
  let app: TestApp;
  const keys = Array.from({ length: 23 }, (_, i) => `photos/p${String(i).padStart(2, "0")}.jpg`);

  const text = async (bucket: string, key: string) =>
    (await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

  before(async () => {
    s3 = await startS3rver({ buckets: [SRC, DST, REPORTS] });
    app = await startTestApp({
      // Report parts of 200 bytes: every chunk's rows make a part, so the report goes up by multipart upload.
      engine: { chunkSize: 7, pollMs: 20, runnerThreads: 2, reportPartBytes: 200, reportFlushIntervalMs: 20 },
      configFile: { storage: [{ buckets: ["s3*"], ...s3.storageConfig() }] },
    });
    await makeBuckets(app, LOCAL);
    for (const Key of keys) {
      await s3.client.send(
        new PutObjectCommand({
          Bucket: SRC,
          Key,
          Body: `bytes of ${Key}`,
          ContentType: "image/jpeg",
          Metadata: { origin: "camera" },
        }),
      );
    }
    const manifest = [...keys, "photos/missing.jpg"].map((k) => `${SRC},${encodeKey(k)}`).join("\n");
    await s3.client.send(new PutObjectCommand({ Bucket: SRC, Key: "manifests/copy.csv", Body: `${manifest}\n` }));
  });
  after(async () => {
    await app?.dispose();
    await s3?.stop();
  });

  it("copies every object server-side on S3, ends Complete and writes the report to S3", async () => {
    const operation = `<COSPutObjectCopy>
      <TargetResource>qcs::cos:ap-chengdu:uid/1250000000:${DST}</TargetResource>
      <PrefixReplace>true</PrefixReplace><ResourcesPrefix>photos/</ResourcesPrefix><TargetKeyPrefix>copied/</TargetKeyPrefix>
      <MetadataDirective>Replaced</MetadataDirective>
      <NewObjectMetadata><CacheControl>max-age=60</CacheControl><ContentType>image/png</ContentType>
        <UserMetadata><member><Key>team</Key><Value>photos</Value></member></UserMetadata></NewObjectMetadata>
      <TaggingDirective>Replaced</TaggingDirective>
      <NewObjectTagging><COSTag><Key>project</Key><Value>x</Value></COSTag></NewObjectTagging>
    </COSPutObjectCopy>`;
    const jobId = await createJob(app, {
      manifest: `qcs::cos:ap-chengdu::${SRC}/manifests/copy.csv`,
      operation,
      report: { bucket: `qcs::cos:ap-chengdu::${REPORTS}`, prefix: "copy-report" },
    });
    const job = await waitForStatus(app, jobId, undefined, 60_000);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(job.ProgressSummary.TotalNumberOfTasks, "24");
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, "23");
    assert.equal(job.ProgressSummary.NumberOfTasksFailed, "1");

    for (const key of keys) {
      const target = key.replace("photos/", "copied/");
      assert.equal(await text(DST, target), `bytes of ${key}`);
    }
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: DST, Key: "copied/p00.jpg" }));
    assert.equal(head.ContentType, "image/png");
    assert.equal(head.CacheControl, "max-age=60");
    assert.deepEqual(head.Metadata, { team: "photos" });
    const tags = await s3.client.send(new GetObjectTaggingCommand({ Bucket: DST, Key: "copied/p22.jpg" }));
    assert.deepEqual(tags.TagSet, [{ Key: "project", Value: "x" }]);

    // The report lives in the S3 report bucket: manifest.json and result files, read with a plain SDK client.
    const manifest = JSON.parse(await text(REPORTS, `copy-report/job-${jobId}/manifest.json`));
    assert.equal(manifest.Format, "Report_CSV_V1");
    assert.equal(manifest.Results.length, 2);
    const rows = [];
    for (const result of manifest.Results) {
      assert.equal(result.Bucket, REPORTS);
      const body = await text(REPORTS, result.Key);
      assert.equal(result.MD5Checksum, createHash("md5").update(body).digest("hex"));
      for (const line of body.split("\n").filter(Boolean)) rows.push(parseRow(line));
    }
    const [succeededFile] = await app.store.reportFiles(jobId, "succeeded");
    assert.ok(succeededFile.uploadId, "the succeeded file went up by multipart upload");
    assert.ok(succeededFile.parts.length >= 3, `in ${succeededFile.parts.length} parts`);
    assert.equal(rows.length, 24);
    const missing = rows.find((r) => r.key === "photos/missing.jpg");
    assert.deepEqual([missing?.status, missing?.httpStatus, missing?.errorCode], ["failed", "404", "NoSuchKey"]);
    assert.equal(rows.filter((r) => r.status === "succeeded").length, 23);
    const listed = await s3.client.send(
      new ListObjectsV2Command({ Bucket: REPORTS, Prefix: `copy-report/job-${jobId}/` }),
    );
    assert.equal(listed.KeyCount, 3, "manifest.json and two result files");
  });

  it("copies from an S3 bucket into a local bucket of the same objbatch", async () => {
    const operation = `<COSPutObjectCopy>
      <TargetResource>qcs::cos:ap-chengdu:uid/1250000000:${LOCAL}</TargetResource>
    </COSPutObjectCopy>`;
    const jobId = await createJob(app, {
      manifest: `qcs::cos:ap-chengdu::${SRC}/manifests/copy.csv`,
      operation,
      report: { bucket: `qcs::cos:ap-chengdu::${REPORTS}`, prefix: "to-local", scope: "FailedTasksOnly" },
    });
    const job = await waitForStatus(app, jobId, undefined, 60_000);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(job.ProgressSummary.NumberOfTasksSucceeded, "23");
    const info = await app.storage.head(LOCAL, "photos/p07.jpg");
    assert.equal(info.metadata.contentType, "image/jpeg");
    assert.deepEqual(info.metadata.userMetadata, { origin: "camera" });
    const { buffer } = await import("node:stream/consumers");
    assert.equal((await buffer(await app.storage.get(LOCAL, "photos/p07.jpg"))).toString(), "bytes of photos/p07.jpg");
    const manifest = JSON.parse(await text(REPORTS, `to-local/job-${jobId}/manifest.json`));
    assert.deepEqual(
      manifest.Results.map((r: { TaskExecutionStatus: string }) => r.TaskExecutionStatus),
      ["failed"],
    );
  });
});
