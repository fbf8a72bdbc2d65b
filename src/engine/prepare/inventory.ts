/**
 * Preparing an inventory report (S3InventoryReport_CSV_20161130, COSInventoryReport_CSV_V1,
 * OSS_InventoryReport_CSV_20250611, and the S3InventoryReport_CSV_20211130 a generator writes, so a generated
 * manifest can feed a later job): its manifest.json (ETag checked, D10), then its gzip CSV data files (MD5
 * checked) streamed one record at a time (manifest/inventory-reader.ts) into inline chunks.
 */
import type { Readable } from "node:stream";
import { ManifestError } from "../../manifest/errors.js";
import { GENERATED_MANIFEST_FORMAT } from "../../manifest/generated-manifest-writer.js";
import { MAX_INVENTORY_MANIFEST_BYTES, parseInventoryManifest } from "../../manifest/inventory-manifest.js";
import { readInventoryTasks } from "../../manifest/inventory-reader.js";
import { readBounded } from "../../storage/read-bounded.js";
import type { ChunkPlanRow } from "../../store/chunks/insert-chunks.js";
import { failureWhile } from "../errors.js";
import { checkManifestEtag, checkReportBucket, manifestObject } from "./checks.js";
import { InlineChunkWriter } from "./inline-chunk-writer.js";
import { ABANDONED, type PrepareOutcome, type PrepareRun } from "./run.js";

export const INVENTORY_FORMATS: ReadonlySet<string> = new Set([
  "S3InventoryReport_CSV_20161130",
  "COSInventoryReport_CSV_V1",
  "OSS_InventoryReport_CSV_20250611",
  GENERATED_MANIFEST_FORMAT,
]);

export async function prepareInventory(run: PrepareRun): Promise<PrepareOutcome> {
  const { job, storage } = run.context;
  const { bucket, key, versionId, etag: expectedEtag } = manifestObject(job);
  const where = `the inventory manifest ${bucket}/${key}`;
  let text: string;
  let etag: string;
  try {
    const info = await storage.head(bucket, key, versionId);
    checkManifestEtag(expectedEtag, info.etag);
    if (info.size > MAX_INVENTORY_MANIFEST_BYTES) {
      throw new ManifestError(
        "InvalidInventoryManifest",
        `The inventory manifest ${bucket}/${key} is ${info.size} bytes; a manifest.json is at most ${MAX_INVENTORY_MANIFEST_BYTES}.`,
      );
    }
    const body = await storage.get(bucket, key, { versionId, ifMatch: info.etag });
    text = (await readAll(body)).toString("utf8");
    etag = info.etag;
  } catch (e) {
    throw failureWhile(e, `Reading ${where} failed`);
  }
  const inventory = parseInventoryManifest(text);
  await checkReportBucket(run.context);

  const chunks = new InlineChunkWriter(run);
  let lastChunks: ChunkPlanRow[];
  try {
    // Data files are keys of the bucket that holds manifest.json (its destinationBucket).
    await readInventoryTasks(storage, bucket, inventory, (task) => chunks.add(task));
    lastChunks = chunks.end();
  } catch (e) {
    if (e === ABANDONED) return "abandoned";
    throw failureWhile(e, `Reading the data files of ${where} failed`);
  }
  return { total: chunks.total, chunks: chunks.chunks, etag, lastChunks };
}

/** The whole of a manifest.json, refused once it is larger than one can be. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const bytes = await readBounded(stream, MAX_INVENTORY_MANIFEST_BYTES);
  if (bytes === undefined) {
    throw new ManifestError(
      "InvalidInventoryManifest",
      "The inventory manifest is larger than a manifest.json can be.",
    );
  }
  return bytes;
}
