/**
 * Preparing a CSV manifest (S3BatchOperations_CSV_20180820, COSBatchOperations_CSV_V1,
 * OSS_BatchOperations_CSV_20250611): the object is streamed once and cut into chunks that are byte ranges of
 * it, pinned to its ETag; a runner later fetches its range. The fast path: nothing is copied, and a local
 * manifest is read through one buffer (storage/one-buffer-read.ts). A format with a
 * header row (Google's, manifest/csv-layout.ts) has it cut off first: the chunks start after it, their records
 * numbered from the line after it, and it is no task.
 */
import type { Readable } from "node:stream";
import type { ManifestFormat } from "../../domain/job.js";
import { csvLayoutOf } from "../../manifest/csv-layout.js";
import { withoutHeaderRow } from "../../manifest/header-row.js";
import { planChunks } from "../../manifest/record-scanner.js";
import { chunksThrough } from "../../storage/one-buffer-read.js";
import type { ChunkPlanRow } from "../../store/chunks/insert-chunks.js";
import { failureWhile } from "../errors.js";
import { checkManifestEtag, checkReportBucket, manifestObject } from "./checks.js";
import { ABANDONED, type PrepareOutcome, type PrepareRun, recordChunks } from "./run.js";

export const CSV_FORMATS: ReadonlySet<ManifestFormat> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
  "GCS_BatchOperations_CSV",
]);

/** Chunks recorded per store call. */
const CHUNKS_PER_WRITE = 500;
/** The manifest is read this many bytes at a time into one buffer, where the backend can (storage/one-buffer-read.ts). */
const MANIFEST_READ_BYTES = 64 * 1024;

export async function prepareCsv(run: PrepareRun): Promise<PrepareOutcome> {
  const { job, storage } = run.context;
  const { bucket, key, versionId, etag: expectedEtag } = manifestObject(job);
  const what = `Reading the manifest ${bucket}/${key} failed`;
  const info = await storage.head(bucket, key, versionId).catch((e) => {
    throw failureWhile(e, what);
  });
  checkManifestEtag(expectedEtag, info.etag);
  await checkReportBucket(run.context);

  let stream: Readable;
  try {
    stream = await storage.get(bucket, key, { versionId, ifMatch: info.etag });
  } catch (e) {
    throw failureWhile(e, what);
  }

  let pending: ChunkPlanRow[] = [];
  let chunks = 0;
  const flush = async () => {
    await recordChunks(run, pending);
    chunks += pending.length;
    pending = [];
  };
  const header = csvLayoutOf(job.manifest!.format).headerRow;
  let headerBytes = 0;
  // Through one buffer where the backend can (a local file): the scan is done with each chunk before the next.
  // No larger than the manifest: most are a few lines, and many are prepared at once (D49).
  const bytes = chunksThrough(stream, Buffer.allocUnsafeSlow(Math.max(1, Math.min(MANIFEST_READ_BYTES, info.size))));
  const source = header ? withoutHeaderRow(bytes, (n) => (headerBytes = n)) : bytes;
  const recordShift = header ? 1 : 0;
  try {
    const summary = await planChunks(
      source,
      run.deps.options.chunkSize,
      async ({ seq, startByte, endByte, firstRecord, records }) => {
        pending.push({
          seq,
          startByte: startByte + headerBytes,
          endByte: endByte + headerBytes,
          firstRecord: firstRecord + recordShift,
          records,
        });
        if (pending.length >= CHUNKS_PER_WRITE) await flush();
      },
      { md5: false }, // the object's ETag was checked, and every chunk read is pinned to it
    );
    // The last chunks are recorded with the job's move out of Preparing: one commit for a small manifest.
    return { total: summary.totalRecords, chunks: chunks + pending.length, etag: info.etag, lastChunks: pending };
  } catch (e) {
    if (e !== ABANDONED) throw failureWhile(e, what);
    stream.destroy();
    return "abandoned";
  }
}
