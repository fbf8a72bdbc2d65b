/**
 * engine/prepare/generator.ts: preparing jobs with manifest generators on real SQLite and PostgreSQL stores
 * and the real local backend: every filter criterion, OSS's prefix generator, the written manifest output and
 * its descriptor, and the generator failures (nothing matches, ExpectedBucketOwner mismatch).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import type { ManifestGeneratorFilter } from "../../../src/domain/job.js";
import { TEST_STORES } from "../../helpers/stores.js";
import {
  ACCOUNT,
  bucketRef,
  chunkTasks,
  createAndPrepare,
  dropObjects,
  generatorSpec,
  keysOf,
  makeBucket,
  type PrepareEnv,
  prepareEnv,
} from "../helpers.js";

const T1 = 1_700_000_000; // seconds
const T2 = T1 + 3600;
const T3 = T1 + 7200;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

for (const open of TEST_STORES) {
  describe(`preparing manifest generators (${open.name})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open);
      await makeBucket(env, "src");
      await makeBucket(env, "out");
      await dropObjects(env, "src", { "a/old.txt": "1" }, T1);
      await dropObjects(env, "src", { "a/b/mid.log": "22", "c/mid.txt": "333" }, T2);
      await dropObjects(env, "src", { "c/new file.txt": "4444", "d/new.log": "55555" }, T3);
      await env.storage.put("src", "e/cold.bin", "666666", { storageClass: "STANDARD_IA" });
    });
    after(() => env.dispose());

    const ALL = ["a/b/mid.log", "a/old.txt", "c/mid.txt", "c/new file.txt", "d/new.log", "e/cold.bin"];

    async function selected(filter: ManifestGeneratorFilter | undefined) {
      const { job, jobId } = await createAndPrepare(env, generatorSpec({ sourceBucket: bucketRef("src"), filter }));
      assert.equal(job.status, "Ready", JSON.stringify(job.failureReasons));
      const { rows } = await chunkTasks(env, jobId);
      assert.equal(job.progress.total, rows.length);
      return keysOf(rows);
    }

    it("lists the whole bucket without a filter, in chunks of chunkSize, every task in the source bucket", async () => {
      const { job, jobId } = await createAndPrepare(env, generatorSpec({ sourceBucket: bucketRef("src") }));
      assert.equal(job.status, "Ready");
      assert.equal(job.progress.total, 6);
      assert.equal(job.generatedManifest, undefined, "no output was asked for");
      const { rows, chunks } = await chunkTasks(env, jobId);
      assert.deepEqual(chunks, [3, 3]);
      assert.deepEqual(keysOf(rows), ALL);
      assert.ok(rows.every((r) => r.task.bucket === "src" && r.task.versionId === undefined && !r.invalid));
    });

    it("CreatedAfter and CreatedBefore are strict", async () => {
      assert.deepEqual(
        await selected({ createdAfter: iso(T1) }),
        ALL.filter((k) => k !== "a/old.txt"),
      );
      assert.deepEqual(await selected({ createdAfter: iso(T1), createdBefore: iso(T3) }), ["a/b/mid.log", "c/mid.txt"]);
      assert.deepEqual(await selected({ createdBefore: iso(T2) }), ["a/old.txt"]);
    });

    it("KeyNameConstraint: any prefix (overlapping ones listed once), any suffix, any substring, ANDed", async () => {
      assert.deepEqual(await selected({ keyNameConstraint: { matchAnyPrefix: ["c/", "a/", "a/b/"] } }), [
        "a/b/mid.log",
        "a/old.txt",
        "c/mid.txt",
        "c/new file.txt",
      ]);
      assert.deepEqual(await selected({ keyNameConstraint: { matchAnySuffix: [".log", ".bin"] } }), [
        "a/b/mid.log",
        "d/new.log",
        "e/cold.bin",
      ]);
      assert.deepEqual(await selected({ keyNameConstraint: { matchAnySubstring: ["new"] } }), [
        "c/new file.txt",
        "d/new.log",
      ]);
      assert.deepEqual(
        await selected({ keyNameConstraint: { matchAnyPrefix: ["a/", "d/"], matchAnySuffix: [".log"] } }),
        ["a/b/mid.log", "d/new.log"],
      );
    });

    it("object sizes compare strictly", async () => {
      assert.deepEqual(await selected({ objectSizeGreaterThanBytes: 1, objectSizeLessThanBytes: 4 }), [
        "a/b/mid.log",
        "c/mid.txt",
      ]);
      assert.deepEqual(await selected({ objectSizeGreaterThanBytes: 5 }), ["e/cold.bin"]);
    });

    it("MatchAnyStorageClass compares case-insensitively", async () => {
      assert.deepEqual(await selected({ matchAnyStorageClass: ["standard_ia", "GLACIER"] }), ["e/cold.bin"]);
      assert.equal((await selected({ matchAnyStorageClass: ["STANDARD"] })).length, 5);
    });

    it("encryption and replication: a listing without them means NOT-SSE and NONE", async () => {
      assert.deepEqual(await selected({ matchAnyObjectEncryption: ["NOT-SSE"] }), ALL);
      assert.deepEqual(await selected({ objectReplicationStatuses: ["NONE", "FAILED"] }), ALL);
      assert.deepEqual(await selected({ eligibleForReplication: true }), ALL);
      assert.deepEqual(
        await selected({
          createdAfter: iso(T1),
          matchAnyObjectEncryption: ["NOT-SSE"],
          objectReplicationStatuses: ["NONE"],
          keyNameConstraint: { matchAnySuffix: [".txt"] },
        }),
        ["c/mid.txt", "c/new file.txt"],
      );
    });

    it("a generator that matches nothing fails the job with a FailureReasons entry", async () => {
      for (const filter of [
        { matchAnyObjectEncryption: ["SSE-KMS"] },
        { objectReplicationStatuses: ["REPLICA"] },
        { keyNameConstraint: { matchAnyPrefix: ["zzz/"] } },
      ] satisfies ManifestGeneratorFilter[]) {
        const { job } = await createAndPrepare(env, generatorSpec({ sourceBucket: bucketRef("src"), filter }));
        assert.equal(job.status, "Failing");
        assert.equal(job.failureReasons.length, 1);
        assert.equal(job.failureReasons[0].code, "NoMatchingKeys");
        assert.match(job.failureReasons[0].reason, /No keys found in bucket src matching the filter criteria/);
        assert.equal(job.progress.total, -1);
      }
    });

    it("OSS KeyPrefixManifestGenerator lists its prefix; an empty prefix fails like AWS", async () => {
      const spec = generatorSpec({ sourceBucket: bucketRef("src"), kind: "KeyPrefixManifestGenerator", prefix: "c/" });
      const { job, jobId } = await createAndPrepare(env, { ...spec, dialect: "oss" });
      assert.equal(job.status, "Ready");
      assert.deepEqual(keysOf((await chunkTasks(env, jobId)).rows), ["c/mid.txt", "c/new file.txt"]);

      const none = generatorSpec({ sourceBucket: bucketRef("src"), kind: "KeyPrefixManifestGenerator", prefix: "x/" });
      const failed = await createAndPrepare(env, none);
      assert.equal(failed.job.status, "Failing");
      assert.equal(failed.job.failureReasons[0].code, "NoMatchingKeys");
      assert.match(failed.job.failureReasons[0].reason, /prefix "x\/"/);
    });

    it("ExpectedBucketOwner other than the job's account fails the job; the right one passes", async () => {
      const wrong = await createAndPrepare(
        env,
        generatorSpec({ sourceBucket: bucketRef("src"), expectedBucketOwner: "999999999999" }),
      );
      assert.equal(wrong.job.status, "Failing");
      assert.equal(wrong.job.failureReasons[0].code, "AccessDenied");
      assert.match(wrong.job.failureReasons[0].reason, /expected bucket owner 999999999999/);

      const right = await createAndPrepare(
        env,
        generatorSpec({ sourceBucket: bucketRef("src"), expectedBucketOwner: ACCOUNT }),
      );
      assert.equal(right.job.status, "Ready");
    });

    it("a missing source bucket fails the job with NoSuchBucket", async () => {
      const { job } = await createAndPrepare(env, generatorSpec({ sourceBucket: bucketRef("nosuch") }));
      assert.equal(job.status, "Failing");
      assert.equal(job.failureReasons[0].code, "NoSuchBucket");
    });

    it("EnableManifestOutput writes manifest.json and gzip CSV data, and sets the GeneratedManifestDescriptor", async () => {
      const { job, jobId } = await createAndPrepare(
        env,
        generatorSpec({
          sourceBucket: bucketRef("src"),
          enableManifestOutput: true,
          manifestOutputLocation: {
            bucket: bucketRef("out"),
            manifestPrefix: "generated/",
            manifestFormat: "S3InventoryReport_CSV_20211130",
          },
          filter: { keyNameConstraint: { matchAnyPrefix: ["c/"] } },
        }),
      );
      assert.equal(job.status, "Ready");
      const key = `generated/job-${jobId}/manifest.json`;
      const stored = await env.storage.head("out", key);
      assert.deepEqual(job.generatedManifest, {
        format: "S3InventoryReport_CSV_20211130",
        location: { objectArn: `arn:aws:s3:::out/${key}`, bucket: bucketRef("out"), key, etag: stored.etag },
      });

      const manifest = JSON.parse(await readFile(join(env.dataDir, "buckets", "out", key), "utf8"));
      assert.equal(manifest.sourceBucket, "src");
      assert.equal(manifest.destinationBucket, "arn:aws:s3:::out");
      assert.equal(manifest.fileFormat, "CSV");
      assert.equal(manifest.fileSchema, "Bucket, Key, VersionId, Size, LastModifiedDate, ETag, StorageClass");
      assert.equal(manifest.files.length, 1);
      const file = manifest.files[0];
      assert.equal(file.key, `generated/job-${jobId}/data/${jobId}.csv.gz`);
      const gz = await readFile(join(env.dataDir, "buckets", "out", file.key));
      assert.equal(file.size, gz.length);
      assert.equal(file.MD5checksum, createHash("md5").update(gz).digest("hex"));
      const rows = parse(gunzipSync(gz)) as string[][];
      assert.deepEqual(
        rows.map((r) => [r[0], r[1], r[2], r[3], r[6]]),
        [
          ["src", "c/mid.txt", "", "3", "STANDARD"],
          ["src", "c/new%20file.txt", "", "4", "STANDARD"],
        ],
      );
      assert.equal(rows[0][4], iso(T2));
      assert.match(rows[0][5], /^[0-9a-f]{32}$/);
    });

    it("no manifest output is left behind when the generator matches nothing", async () => {
      const { job, jobId } = await createAndPrepare(
        env,
        generatorSpec({
          sourceBucket: bucketRef("src"),
          enableManifestOutput: true,
          manifestOutputLocation: { bucket: bucketRef("out"), manifestFormat: "S3InventoryReport_CSV_20211130" },
          filter: { objectSizeGreaterThanBytes: 1_000_000 },
        }),
      );
      assert.equal(job.status, "Failing");
      assert.equal(job.generatedManifest, undefined);
      await assert.rejects(env.storage.head("out", `job-${jobId}/manifest.json`), { code: "NoSuchKey" });
      await assert.rejects(env.storage.head("out", `job-${jobId}/data/${jobId}.csv.gz`), { code: "NoSuchKey" });
    });

    it("an unknown output format or a missing output location fails the job", async () => {
      const badFormat = await createAndPrepare(
        env,
        generatorSpec({
          sourceBucket: bucketRef("src"),
          enableManifestOutput: true,
          manifestOutputLocation: { bucket: bucketRef("out"), manifestFormat: "Something_CSV" },
        }),
      );
      assert.equal(badFormat.job.failureReasons[0].code, "InvalidManifestGenerator");
      const noLocation = await createAndPrepare(
        env,
        generatorSpec({ sourceBucket: bucketRef("src"), enableManifestOutput: true }),
      );
      assert.equal(noLocation.job.failureReasons[0].code, "InvalidManifestGenerator");
    });
  });
}
