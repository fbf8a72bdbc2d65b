/**
 * engine/prepare/inventory.ts: preparing jobs whose manifest is an inventory report, on real SQLite and
 * PostgreSQL stores and the real local backend: the S3, COS and OSS layouts (manifest.json + gzip CSV data
 * files built here), the manifest ETag (D10) and data-file MD5 checks, unusable manifests, and a generator's
 * output used as an inventory.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { ManifestFormat } from "../../../src/domain/job.js";
import { TEST_STORES } from "../../helpers/stores.js";
import {
  baseSpec,
  bucketRef,
  chunkTasks,
  createAndPrepare,
  dropObjects,
  generatorSpec,
  makeBucket,
  type PrepareEnv,
  prepareEnv,
} from "../helpers.js";

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const csv = (rows: readonly (readonly string[])[]) =>
  `${rows.map((r) => r.map((c) => `"${c}"`).join(",")).join("\n")}\n`;

interface DataFile {
  readonly key: string;
  readonly rows: readonly (readonly string[])[];
}

/** Writes gzip data files and a manifest.json listing them; returns the manifest's ETag. */
async function writeInventory(
  env: PrepareEnv,
  bucket: string,
  manifestKey: string,
  manifest: Record<string, unknown>,
  files: readonly DataFile[],
  md5Field = "MD5checksum",
  md5Case: (hex: string) => string = (h) => h,
) {
  const listed = [];
  for (const file of files) {
    const gz = gzipSync(csv(file.rows));
    await dropObjects(env, bucket, { [file.key]: gz });
    listed.push({ key: file.key, size: gz.length, [md5Field]: md5Case(md5(gz)) });
  }
  const written = await env.storage.put(bucket, manifestKey, JSON.stringify({ ...manifest, files: listed }));
  return written.etag;
}

function inventorySpec(format: ManifestFormat, bucket: string, key: string, etag?: string) {
  return baseSpec({
    manifest: {
      format,
      fields: [],
      location: { objectArn: `arn:aws:s3:::${bucket}/${key}`, bucket: bucketRef(bucket), key, etag },
    },
  });
}

for (const open of TEST_STORES) {
  describe(`preparing inventory manifests (${open.name})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open);
      await makeBucket(env, "inv");
    });
    after(() => env.dispose());

    const S3_BASE = "s3inv/src/config1";
    const S3_KEY = `${S3_BASE}/2024-01-01T00-00Z/manifest.json`;
    const S3_MANIFEST = {
      sourceBucket: "src",
      destinationBucket: "arn:aws:s3:::inv",
      version: "2016-11-30",
      creationTimestamp: "1704067200000",
      fileFormat: "CSV",
      fileSchema: "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag",
    };
    const S3_FILES: DataFile[] = [
      {
        key: `${S3_BASE}/data/0b5a3c6e-1.csv.gz`,
        rows: [
          ["src", "photos/a%20b.jpg", "v1", "true", "false", "3", "2024-01-01T00:00:00.000Z", "e1"],
          ["src", "photos/c+d.jpg", "v2", "false", "false", "4", "2024-01-01T00:00:00.000Z", "e2"],
          ["src", "gone.txt", "v3", "true", "true", "", "2024-01-01T00:00:00.000Z", ""],
        ],
      },
      {
        key: `${S3_BASE}/data/0b5a3c6e-2.csv.gz`,
        rows: [
          ["src", "%E2%9C%93.txt", "", "false", "false", "1", "2024-01-01T00:00:00.000Z", "e4"],
          ["src", "plain.txt", "", "true", "false", "1", "2024-01-01T00:00:00.000Z", "e5"],
          ["src", "bad%ZZ", "v6", "true", "false", "1", "2024-01-01T00:00:00.000Z", "e6"],
          ["src", "x/y,z.txt", "v7", "true", "false", "1", "2024-01-01T00:00:00.000Z", "e7"],
        ],
      },
    ];

    it("S3InventoryReport_CSV_20161130: every data file in order, keys decoded, versions, delete markers skipped", async () => {
      const etag = await writeInventory(env, "inv", S3_KEY, S3_MANIFEST, S3_FILES);
      const { job, jobId } = await createAndPrepare(
        env,
        inventorySpec("S3InventoryReport_CSV_20161130", "inv", S3_KEY, etag),
      );
      assert.equal(job.status, "Ready", JSON.stringify(job.failureReasons));
      assert.equal(job.progress.total, 6);
      assert.equal((await env.t.store.getJob(jobId))?.manifestEtag, etag);
      const { rows, chunks } = await chunkTasks(env, jobId);
      assert.deepEqual(chunks, [3, 3]);
      assert.deepEqual(
        rows.map((r) => [r.task.bucket, r.task.key, r.task.versionId]),
        [
          ["src", "photos/a b.jpg", "v1"],
          ["src", "photos/c d.jpg", "v2"],
          ["src", "✓.txt", "null"], // empty VersionId of a non-latest version: the null version
          ["src", "plain.txt", undefined], // empty VersionId of the latest: the current version
          ["src", "bad%ZZ", undefined],
          ["src", "x/y,z.txt", "v7"],
        ],
      );
      assert.deepEqual(
        rows.map((r) => r.invalid?.errorCode ?? ""),
        ["", "", "", "", "InvalidManifestRecord", ""],
      );
      assert.match(rows[4].invalid!.message, /not valid URL encoding/);
    });

    it("a manifest ETag that does not match fails the job (D10)", async () => {
      await writeInventory(env, "inv", S3_KEY, S3_MANIFEST, S3_FILES);
      const { job } = await createAndPrepare(
        env,
        inventorySpec("S3InventoryReport_CSV_20161130", "inv", S3_KEY, '"0123456789abcdef0123456789abcdef"'),
      );
      assert.equal(job.status, "Failing");
      assert.equal(job.failureReasons[0].code, "ManifestETagMismatch");
    });

    it("a data file whose MD5 differs from manifest.json's fails the job", async () => {
      const key = "s3inv-bad/manifest.json";
      const gz = gzipSync(csv([["src", "a.txt"]]));
      await dropObjects(env, "inv", { "s3inv-bad/data/1.csv.gz": gz });
      await env.storage.put(
        "inv",
        key,
        JSON.stringify({
          ...S3_MANIFEST,
          fileSchema: "Bucket, Key",
          files: [{ key: "s3inv-bad/data/1.csv.gz", size: gz.length, MD5checksum: md5(Buffer.from("other")) }],
        }),
      );
      const { job } = await createAndPrepare(env, inventorySpec("S3InventoryReport_CSV_20161130", "inv", key));
      assert.equal(job.status, "Failing");
      assert.equal(job.failureReasons[0].code, "InventoryChecksumMismatch");
      assert.match(job.failureReasons[0].reason, /s3inv-bad\/data\/1\.csv\.gz has MD5 [0-9a-f]{32}/);
    });

    it("COSInventoryReport_CSV_V1: COS layout, extra columns, md5Checksum field", async () => {
      const base = "cos_bucket_inventory/1250000000/examplebucket/disposable";
      const key = `${base}/20221120/manifest.json`;
      const etag = await writeInventory(
        env,
        "inv",
        key,
        {
          sourceBucket: "examplebucket-1250000000",
          destinationBucket: "qcs::cos:ap-guangzhou::inv",
          fileFormat: "CSV",
          fileSchema: "AppId, Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded",
          listObjectCount: 2,
        },
        [
          {
            key: `${base}/20221120/data/e3b0c442.csv.gz`,
            rows: [
              [
                "1250000000",
                "examplebucket-1250000000",
                "dir/%E6%96%87%E4%BB%B6.txt",
                "5",
                "",
                "",
                "STANDARD",
                "false",
              ],
              ["1250000000", "examplebucket-1250000000", "dir/two.txt", "5", "", "", "STANDARD", "false"],
            ],
          },
        ],
        "md5Checksum",
      );
      const { job, jobId } = await createAndPrepare(env, inventorySpec("COSInventoryReport_CSV_V1", "inv", key, etag));
      assert.equal(job.status, "Ready", JSON.stringify(job.failureReasons));
      const { rows } = await chunkTasks(env, jobId);
      assert.deepEqual(
        rows.map((r) => [r.task.bucket, r.task.key, r.task.versionId]),
        [
          ["examplebucket-1250000000", "dir/文件.txt", undefined],
          ["examplebucket-1250000000", "dir/two.txt", undefined],
        ],
      );
    });

    it("OSS_InventoryReport_CSV_20250611: OSS layout, split data files, upper-case MD5", async () => {
      const base = "dest/prefix/srcbucket/inventory0";
      const key = `${base}/2025-06-11T00-00Z/manifest.json`;
      const etag = await writeInventory(
        env,
        "inv",
        key,
        {
          creationTimestamp: "1749600000",
          destinationBucket: "inv",
          fileFormat: "CSV",
          fileSchema: "Bucket, Key, Size, StorageClass, LastModifiedDate, ETag, IsMultipartUploaded, EncryptionStatus",
          sourceBucket: "srcbucket",
          version: "2019-09-01",
        },
        [
          {
            key: `${base}/data/d92ec87d.csv.gz`,
            rows: [["srcbucket", "a.txt", "1", "Standard", "", "", "false", "false"]],
          },
          {
            key: `${base}/data/d92ec87d-1.csv.gz`,
            rows: [["srcbucket", "b%2Fc.txt", "1", "IA", "", "", "false", "false"]],
          },
        ],
        "MD5checksum",
        (h) => h.toUpperCase(),
      );
      const { job, jobId } = await createAndPrepare(
        env,
        inventorySpec("OSS_InventoryReport_CSV_20250611", "inv", key, etag),
      );
      assert.equal(job.status, "Ready", JSON.stringify(job.failureReasons));
      assert.deepEqual(
        (await chunkTasks(env, jobId)).rows.map((r) => r.task.key),
        ["a.txt", "b/c.txt"],
      );
    });

    it("a schema without a Bucket column takes the manifest's sourceBucket", async () => {
      const key = "nobucket/manifest.json";
      await writeInventory(env, "inv", key, { sourceBucket: "arn:aws:s3:::the-source", fileSchema: "Key, Size" }, [
        { key: "nobucket/data/1.csv.gz", rows: [["k1", "1"]] },
      ]);
      const { job, jobId } = await createAndPrepare(env, inventorySpec("S3InventoryReport_CSV_20161130", "inv", key));
      assert.equal(job.status, "Ready");
      assert.deepEqual((await chunkTasks(env, jobId)).rows[0].task, { bucket: "the-source", key: "k1" });
    });

    it("an unusable manifest.json or data file fails the job with InvalidInventoryManifest", async () => {
      const cases: [string, string | Record<string, unknown>, RegExp][] = [
        ["notjson", "{ nope", /not valid JSON/],
        ["nokey", { sourceBucket: "s", fileSchema: "Bucket, Size", files: [] }, /no Key column/],
        ["orc", { sourceBucket: "s", fileFormat: "ORC", fileSchema: "Bucket, Key", files: [] }, /only CSV/],
        ["nofiles", { sourceBucket: "s", fileSchema: "Bucket, Key" }, /no files list/],
        [
          "notgzip",
          { sourceBucket: "s", fileSchema: "Bucket, Key", files: [{ key: "notgzip/data/1.csv.gz" }] },
          /cannot be read as gzip/,
        ],
      ];
      await dropObjects(env, "inv", { "notgzip/data/1.csv.gz": "s,k\n" });
      for (const [name, body, reason] of cases) {
        const key = `${name}/manifest.json`;
        await env.storage.put("inv", key, typeof body === "string" ? body : JSON.stringify(body));
        const { job } = await createAndPrepare(env, inventorySpec("S3InventoryReport_CSV_20161130", "inv", key));
        assert.equal(job.status, "Failing", name);
        assert.equal(job.failureReasons[0].code, "InvalidInventoryManifest", name);
        assert.match(job.failureReasons[0].reason, reason, name);
      }
    });

    it("a missing data file fails the job with the storage's error", async () => {
      const key = "missing/manifest.json";
      await env.storage.put(
        "inv",
        key,
        JSON.stringify({ sourceBucket: "s", fileSchema: "Bucket, Key", files: [{ key: "missing/data/x.csv.gz" }] }),
      );
      const { job } = await createAndPrepare(env, inventorySpec("S3InventoryReport_CSV_20161130", "inv", key));
      assert.equal(job.status, "Failing");
      assert.equal(job.failureReasons[0].code, "NoSuchKey");
    });

    it("a generator's output is itself an inventory a later job can use", async () => {
      await makeBucket(env, "gsrc");
      await dropObjects(env, "gsrc", { "one.txt": "1", "two words.txt": "2", "three.txt": "3" });
      const first = await createAndPrepare(
        env,
        generatorSpec({
          sourceBucket: bucketRef("gsrc"),
          enableManifestOutput: true,
          manifestOutputLocation: { bucket: bucketRef("inv"), manifestFormat: "S3InventoryReport_CSV_20211130" },
        }),
      );
      const location = first.job.generatedManifest!.location;
      const second = await createAndPrepare(
        env,
        inventorySpec("S3InventoryReport_CSV_20161130", "inv", location.key, location.etag),
      );
      assert.equal(second.job.status, "Ready", JSON.stringify(second.job.failureReasons));
      assert.deepEqual(
        (await chunkTasks(env, second.jobId)).rows.map((r) => r.task),
        [
          { bucket: "gsrc", key: "one.txt" },
          { bucket: "gsrc", key: "three.txt" },
          { bucket: "gsrc", key: "two words.txt" },
        ],
      );
    });
  });
}
