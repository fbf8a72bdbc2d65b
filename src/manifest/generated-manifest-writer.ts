/**
 * Writes a manifest generator's output (EnableManifestOutput) in the S3InventoryReport_CSV_20211130 form,
 * which is an S3 Inventory report (S3 Inventory's manifest.json and gzip CSV) so the same job, or any tool that reads inventories, can
 * use it again:
 *
 *   <ManifestPrefix>/job-<jobId>/manifest.json              sourceBucket, destinationBucket, version,
 *                                                           creationTimestamp, fileFormat, fileSchema, files[]
 *   <ManifestPrefix>/job-<jobId>/data/<jobId>.csv.gz        gzip CSV, every value quoted, keys URL-encoded
 *
 * fileSchema is `Bucket, Key, VersionId, Size, LastModifiedDate, ETag, StorageClass`; VersionId is empty for
 * objects listed without one (the current version). files[] carries each data file's key, size and MD5 of
 * its (compressed) bytes, as S3 Inventory does. The keys depend only on the prefix and the job id, so
 * preparing again after a crash overwrites the same objects.
 *
 * The data file is streamed to storage.put while the listing runs (gzip with back-pressure), never held in
 * memory. manifest.json is written last, so a manifest.json always lists complete data files.
 * ManifestEncryption is not applied: the ObjectStorage interface has no per-object encryption setting yet,
 * and the local backend does not encrypt.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { PassThrough, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, type Gzip } from "node:zlib";
import type { BucketRef, GeneratedManifestDescriptor } from "../domain/job.js";
import { normalizeEtag } from "../storage/etag.js";
import type { ListedObject, ObjectStorage } from "../storage/types.js";

export const GENERATED_MANIFEST_FORMAT = "S3InventoryReport_CSV_20211130";
export const GENERATED_FILE_SCHEMA = "Bucket, Key, VersionId, Size, LastModifiedDate, ETag, StorageClass";

/** `<prefix>/job-<jobId>` with trailing slashes of the prefix dropped; no prefix, no leading slash. */
export function generatedManifestBase(jobId: string, prefix?: string): string {
  const trimmed = (prefix ?? "").replace(/\/+$/, "");
  return trimmed === "" ? `job-${jobId}` : `${trimmed}/job-${jobId}`;
}

/** A key as S3 inventories write it: URL-encoded, with `/` kept. */
export function encodeInventoryKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/");
}

function quote(value: string): string {
  return value.indexOf('"') === -1 ? `"${value}"` : `"${value.replaceAll('"', '""')}"`;
}

export interface GeneratedManifestTarget {
  readonly jobId: string;
  readonly sourceBucket: string;
  /** The output bucket as the job named it (its ARN is echoed in ObjectArn and destinationBucket). */
  readonly bucket: BucketRef;
  readonly prefix?: string;
  readonly now: () => number;
}

const BATCH_BYTES = 64 * 1024;

export class GeneratedManifestWriter {
  private readonly gzip: Gzip;
  private readonly md5 = createHash("md5");
  private size = 0;
  private batch = "";
  private readonly uploaded: Promise<unknown>;
  /** Rejects as soon as the upload fails, so a writer waiting for `drain` does not wait forever. */
  private readonly failure: Promise<never>;
  private readonly dataKey: string;
  private readonly base: string;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly target: GeneratedManifestTarget,
  ) {
    this.base = generatedManifestBase(target.jobId, target.prefix);
    this.dataKey = `${this.base}/data/${target.jobId}.csv.gz`;
    this.gzip = createGzip();
    const body = new PassThrough();
    const tap = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.md5.update(chunk);
        this.size += chunk.length;
        callback(null, chunk);
      },
    });
    const piped = pipeline(this.gzip, tap, body);
    const put = storage.put(target.bucket.bucket, this.dataKey, body, {
      metadata: { contentType: "application/gzip" },
    });
    this.uploaded = Promise.all([piped, put]);
    this.failure = this.uploaded.then(
      () => new Promise<never>(() => {}),
      (e) => {
        throw e;
      },
    );
    this.failure.catch(() => {});
  }

  /** Adds one object's row; resolves when the row may be followed by more (back-pressure). */
  async add(object: ListedObject): Promise<void> {
    this.batch +=
      `${quote(this.target.sourceBucket)},${quote(encodeInventoryKey(object.key))},${quote(object.versionId ?? "")},` +
      `"${object.size}","${object.lastModified.toISOString()}",${quote(normalizeEtag(object.etag))},` +
      `${quote(object.storageClass)}\n`;
    if (this.batch.length >= BATCH_BYTES) await this.writeBatch();
  }

  /** Ends the data file, writes manifest.json and returns the descriptor DescribeJob shows. */
  async finish(): Promise<GeneratedManifestDescriptor> {
    await this.writeBatch();
    this.gzip.end();
    await Promise.race([this.uploaded, this.failure]);
    const manifest = {
      sourceBucket: this.target.sourceBucket,
      destinationBucket: this.target.bucket.arn,
      version: "2021-11-30",
      creationTimestamp: String(this.target.now()),
      fileFormat: "CSV",
      fileSchema: GENERATED_FILE_SCHEMA,
      files: [{ key: this.dataKey, size: this.size, MD5checksum: this.md5.digest("hex") }],
    };
    const manifestKey = `${this.base}/manifest.json`;
    const written = await this.storage.put(this.target.bucket.bucket, manifestKey, JSON.stringify(manifest), {
      metadata: { contentType: "application/json" },
    });
    return {
      format: GENERATED_MANIFEST_FORMAT,
      location: {
        objectArn: `${this.target.bucket.arn}/${manifestKey}`,
        bucket: this.target.bucket,
        key: manifestKey,
        etag: written.etag,
        ...(written.versionId && written.versionId !== "null" ? { versionId: written.versionId } : {}),
      },
    };
  }

  /** Gives up: the upload fails, so no data file is left behind (nor a manifest.json). */
  async abort(): Promise<void> {
    this.gzip.destroy(new Error("manifest generation abandoned"));
    await this.uploaded.catch(() => {});
  }

  private async writeBatch(): Promise<void> {
    if (this.batch === "") return;
    const text = this.batch;
    this.batch = "";
    if (!this.gzip.write(text)) await Promise.race([once(this.gzip, "drain"), this.failure]);
  }
}
