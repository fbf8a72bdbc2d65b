/**
 * manifest/generated-manifest-writer.ts on a real local data dir: a manifest generator's output is an S3
 * Inventory report, `<prefix>/job-<jobId>/data/<jobId>.csv.gz` (every value quoted, keys URL-encoded with `/`
 * kept, ETags bare and lower-case, VersionId empty for the current version) and then `manifest.json` listing
 * that file with its size and the MD5 of its compressed bytes. The keys depend only on the prefix and the job,
 * a large listing streams through, an abandoned one leaves nothing behind, and an upload that fails fails the
 * writer instead of leaving it waiting.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import {
  encodeInventoryKey,
  GENERATED_FILE_SCHEMA,
  GENERATED_MANIFEST_FORMAT,
  GeneratedManifestWriter,
  generatedManifestBase,
} from "../../src/manifest/generated-manifest-writer.js";
import type { ListedObject } from "../../src/storage/types.js";
import { type Fixture, fixture } from "../storage/local/helpers.js";

const JOB = "0b7e1f4a-8c2d-4e3f-9a5b-6c7d8e9f0a1b";
const NOW = Date.UTC(2025, 4, 6, 7, 8, 9);
const OUT = { arn: "arn:aws:s3:::out", bucket: "out" };

function listed(key: string, overrides: Partial<ListedObject> = {}): ListedObject {
  return {
    key,
    size: 3,
    etag: '"9B2CF535F27731C974343645A3985328"',
    lastModified: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    storageClass: "STANDARD",
    ...overrides,
  };
}

describe("generatedManifestBase", () => {
  it("puts the job's folder under the prefix, without a trailing or a leading slash", () => {
    assert.equal(generatedManifestBase(JOB), `job-${JOB}`);
    assert.equal(generatedManifestBase(JOB, ""), `job-${JOB}`);
    assert.equal(generatedManifestBase(JOB, "/"), `job-${JOB}`);
    assert.equal(generatedManifestBase(JOB, "generated"), `generated/job-${JOB}`);
    assert.equal(generatedManifestBase(JOB, "generated///"), `generated/job-${JOB}`);
    assert.equal(generatedManifestBase(JOB, "a/b/"), `a/b/job-${JOB}`);
  });
});

describe("encodeInventoryKey", () => {
  it("URL-encodes a key as S3 inventories write it, keeping `/`", () => {
    assert.equal(encodeInventoryKey("photos/2024/a b+c.jpg"), "photos/2024/a%20b%2Bc.jpg");
    assert.equal(encodeInventoryKey('100%,"quoted"\n'), "100%25%2C%22quoted%22%0A");
    assert.equal(encodeInventoryKey("取消/ü"), "%E5%8F%96%E6%B6%88/%C3%BC");
    assert.equal(encodeInventoryKey("//x//"), "//x//");
    assert.equal(decodeURIComponent(encodeInventoryKey("a ~!*'()b")), "a ~!*'()b");
  });
});

describe("GeneratedManifestWriter", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture(["out", "src"]);
  });
  after(() => f.cleanup());

  const writer = (prefix?: string, bucket = OUT, jobId = JOB) =>
    new GeneratedManifestWriter(f.storage, { jobId, sourceBucket: "src", bucket, prefix, now: () => NOW });
  const object = async (bucket: string, key: string) => buffer(await f.storage.get(bucket, key));
  const rowsOf = (gz: Buffer) => parse(gunzipSync(gz), { relax_quotes: false }) as string[][];

  it("writes the gzip CSV, then manifest.json listing it, and describes manifest.json", async () => {
    const w = writer("generated/");
    await w.add(listed("photos/a b.jpg"));
    await w.add(listed('odd "quoted", key', { size: 0, versionId: "v-1", storageClass: "GLACIER", etag: "abc-2" }));
    const descriptor = await w.finish();

    const base = `generated/job-${JOB}`;
    const manifestKey = `${base}/manifest.json`;
    const dataKey = `${base}/data/${JOB}.csv.gz`;
    const stored = await f.storage.head("out", manifestKey);
    assert.deepEqual(descriptor, {
      format: GENERATED_MANIFEST_FORMAT,
      location: { objectArn: `arn:aws:s3:::out/${manifestKey}`, bucket: OUT, key: manifestKey, etag: stored.etag },
    });
    assert.equal(stored.metadata?.contentType, "application/json");
    assert.equal((await f.storage.head("out", dataKey)).metadata?.contentType, "application/gzip");

    const gz = await object("out", dataKey);
    assert.deepEqual(JSON.parse((await object("out", manifestKey)).toString("utf8")), {
      sourceBucket: "src",
      destinationBucket: "arn:aws:s3:::out",
      version: "2021-11-30",
      creationTimestamp: String(NOW),
      fileFormat: "CSV",
      fileSchema: GENERATED_FILE_SCHEMA,
      files: [{ key: dataKey, size: gz.length, MD5checksum: createHash("md5").update(gz).digest("hex") }],
    });
    assert.equal(
      gunzipSync(gz).toString("utf8"),
      '"src","photos/a%20b.jpg","","3","2024-01-02T03:04:05.678Z","9b2cf535f27731c974343645a3985328","STANDARD"\n' +
        '"src","odd%20%22quoted%22%2C%20key","v-1","0","2024-01-02T03:04:05.678Z","abc-2","GLACIER"\n',
      "every value quoted, keys encoded, ETags bare and lower-case",
    );
  });

  it("names its objects by the prefix and the job alone, so preparing again overwrites them", async () => {
    const first = writer();
    await first.add(listed("one"));
    await first.finish();
    const second = writer();
    await second.add(listed("two"));
    const descriptor = await second.finish();
    assert.equal(descriptor.location.key, `job-${JOB}/manifest.json`);
    const rows = rowsOf(await object("out", `job-${JOB}/data/${JOB}.csv.gz`));
    assert.deepEqual(
      rows.map((r) => r[1]),
      ["two"],
    );
  });

  it("echoes the output bucket as the job named it", async () => {
    const cos = { arn: "qcs::cos:ap-guangzhou:uid/1250000000:out", bucket: "out" };
    const descriptor = await writer("cos", cos, "cos-job").finish();
    assert.deepEqual(descriptor.location.bucket, cos);
    assert.equal(
      descriptor.location.objectArn,
      "qcs::cos:ap-guangzhou:uid/1250000000:out/cos/job-cos-job/manifest.json",
    );
    const manifest = JSON.parse((await object("out", "cos/job-cos-job/manifest.json")).toString("utf8"));
    assert.equal(manifest.destinationBucket, cos.arn);
  });

  it("writes an empty data file for an empty listing, still listed in manifest.json", async () => {
    await writer("empty", OUT, "empty-job").finish();
    const gz = await object("out", "empty/job-empty-job/data/empty-job.csv.gz");
    assert.equal(gunzipSync(gz).length, 0);
    const manifest = JSON.parse((await object("out", "empty/job-empty-job/manifest.json")).toString("utf8"));
    assert.deepEqual(manifest.files, [
      {
        key: "empty/job-empty-job/data/empty-job.csv.gz",
        size: gz.length,
        MD5checksum: createHash("md5").update(gz).digest("hex"),
      },
    ]);
  });

  it("streams a listing far larger than its batches, every row once and in order", async () => {
    const w = writer("big", OUT, "big-job");
    const n = 30_000;
    const key = (i: number) => `deep/folder/with/a/long/name/object-${String(i).padStart(6, "0")}-${"k".repeat(40)}`;
    for (let i = 0; i < n; i++) await w.add(listed(key(i), { size: i }));
    await w.finish();
    const rows = rowsOf(await object("out", "big/job-big-job/data/big-job.csv.gz"));
    assert.equal(rows.length, n);
    rows.forEach((r, i) => {
      if (r[1] !== key(i) || r[3] !== String(i)) assert.fail(`row ${i}: ${r.join(",")}`);
    });
  });

  it("leaves nothing behind when abandoned", async () => {
    const w = writer("abandoned", OUT, "gone-job");
    for (let i = 0; i < 5_000; i++) await w.add(listed(`k${i}`));
    await w.abort();
    await assert.rejects(f.storage.head("out", "abandoned/job-gone-job/data/gone-job.csv.gz"), { code: "NoSuchKey" });
    await assert.rejects(f.storage.head("out", "abandoned/job-gone-job/manifest.json"), { code: "NoSuchKey" });
  });

  it("fails with the storage's error when the upload fails, rather than waiting for it", async () => {
    const w = writer("x", { arn: "arn:aws:s3:::missing", bucket: "missing" }, "failing-job");
    let failedAt: unknown;
    try {
      for (let i = 0; i < 50_000; i++) await w.add(listed(`row-${i}-${"z".repeat(60)}`));
      await w.finish();
    } catch (e) {
      failedAt = e;
    }
    assert.equal((failedAt as { code?: string } | undefined)?.code, "NoSuchBucket", String(failedAt));
  });
});
