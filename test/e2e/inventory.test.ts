/**
 * A job whose manifest is a COS inventory report, end to end: created over HTTP with the COS CreateJob API
 * (COSInventoryReport_CSV_V1), prepared from manifest.json and its gzip data files, run by the engine's
 * worker threads, and checked on the objects and in the completion report; on SQLite and PostgreSQL. A data
 * file whose MD5 is not the one manifest.json lists fails the job, as DescribeJob then says.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { TEST_STORES, type TestStore } from "../helpers/stores.js";
import { createJob, createJobXml, dropFiles, encodeKey, makeBuckets, readReport, waitForStatus } from "./helpers.js";

const SRC = "invsrc-1250000000";
const INV = "invdest-1250000000";
const REPORTS = "invreports-1250000000";
const arn = (bucket: string) => `qcs::cos:ap-guangzhou::${bucket}`;

/** A COS inventory: manifest.json and one gzip data file per entry of `files`; returns manifest.json's ETag. */
async function writeCosInventory(app: TestApp, base: string, files: string[][], corruptMd5 = false) {
  const listed = [];
  for (const [i, keys] of files.entries()) {
    const body = keys.map((k) => `"1250000000","${SRC}","${encodeKey(k)}","1","STANDARD"`).join("\n");
    const gz = gzipSync(`${body}\n`);
    const key = `${base}/data/part-${i}.csv.gz`;
    await app.storage.put(INV, key, gz);
    const md5 = createHash("md5")
      .update(corruptMd5 ? Buffer.from("x") : gz)
      .digest("hex");
    listed.push({ key, size: gz.length, md5Checksum: md5 });
  }
  const manifest = {
    sourceBucket: SRC,
    destinationBucket: arn(INV),
    fileFormat: "CSV",
    fileSchema: "AppId, Bucket, Key, Size, StorageClass",
    files: listed,
  };
  const written = await app.storage.put(INV, `${base}/manifest.json`, JSON.stringify(manifest));
  return written.etag;
}

function inventoryJobXml(manifestKey: string, etag: string) {
  return createJobXml({
    manifest: `${arn(INV)}/${manifestKey}`,
    etag,
    operation: `<COSPutObjectTagging><TaggingDirective>Replaced</TaggingDirective><TagSet><COSTag><Key>inventoried</Key><Value>1</Value></COSTag></TagSet></COSPutObjectTagging>`,
    report: { bucket: arn(REPORTS), prefix: "inv" },
  }).replace(
    "<Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec>",
    "<Spec><Format>COSInventoryReport_CSV_V1</Format></Spec>",
  );
}

for (const open of TEST_STORES) {
  describe(`jobs with an inventory manifest, end to end (${open.name})`, () => {
    let store: TestStore;
    let app: TestApp;
    before(async () => {
      store = await open(); // the app opens its own connection to the same database
      app = await startTestApp({ storeUrl: store.url, engine: { chunkSize: 3, pollMs: 20 } });
      await makeBuckets(app, SRC, INV, REPORTS);
    });
    after(async () => {
      await app.dispose();
      await store.dispose();
    });

    it("COSInventoryReport_CSV_V1 over the COS API: every listed object is tagged and reported once", async () => {
      const keys = ["a.txt", "dir/b c.txt", "dir/文件.txt", "d.txt", "e.txt", "f.txt", "g.txt"];
      const files: Record<string, string> = {};
      for (const k of keys) files[k] = k;
      await dropFiles(app, SRC, files);
      const base = `cos_bucket_inventory/1250000000/${SRC}/daily/20250101`;
      const etag = await writeCosInventory(app, base, [keys.slice(0, 4), [...keys.slice(4), "missing.txt"]]);
      const jobId = await createJob(app, inventoryJobXml(`${base}/manifest.json`, etag));
      const job = await waitForStatus(app, jobId);
      assert.equal(job.Status, "Complete", JSON.stringify(job));
      assert.deepEqual(job.ProgressSummary, {
        NumberOfTasksFailed: "1",
        NumberOfTasksSucceeded: "7",
        TotalNumberOfTasks: "8",
      });
      assert.equal(job.Manifest.Spec.Format, "COSInventoryReport_CSV_V1");
      for (const k of keys)
        assert.deepEqual(await app.storage.getTagging(SRC, k), [{ key: "inventoried", value: "1" }]);
      const report = await readReport(app, REPORTS, "inv", jobId);
      assert.deepEqual(
        report.rows.map((r) => [r.key, r.status, r.errorCode]).sort(),
        [...keys.map((k) => [k, "succeeded", ""]), ["missing.txt", "failed", "NoSuchKey"]].sort(),
      );
    });

    it("a data file whose MD5 differs from manifest.json's fails the job with a FailureReasons entry", async () => {
      await dropFiles(app, SRC, { "z.txt": "z" });
      const base = `cos_bucket_inventory/1250000000/${SRC}/daily/20250102`;
      const etag = await writeCosInventory(app, base, [["z.txt"]], true);
      const jobId = await createJob(app, inventoryJobXml(`${base}/manifest.json`, etag));
      const job = await waitForStatus(app, jobId);
      assert.equal(job.Status, "Failed");
      assert.equal(job.FailureReasons.JobFailure.FailureCode, "InventoryChecksumMismatch");
      assert.deepEqual(await app.storage.getTagging(SRC, "z.txt"), []);
    });
  });
}
