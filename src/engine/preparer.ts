/**
 * Preparing: read the manifest once as a stream, count its tasks and cut them into chunks (byte ranges of
 * the manifest), then move the job to Ready, or Suspended when it awaits confirmation. A manifest that
 * cannot be used fails the job with a FailureReasons entry that says why (D10).
 */
import type { Readable } from "node:stream";
import type { ManifestFormat } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import { isManifestError } from "../manifest/errors.js";
import { etagMatches } from "../manifest/etag.js";
import { planChunks } from "../manifest/record-scanner.js";
import { isStorageError } from "../storage/types.js";
import type { ChunkPlanRow } from "../store/chunks/insert-chunks.js";
import { rowToJob } from "../store/job-row.js";
import { type EngineDeps, JobFailureError } from "./deps.js";
import { makeJobContext } from "./job-context.js";
import { type HeldClaim, holdClaim } from "./phase-claim.js";

const CSV_FORMATS: ReadonlySet<ManifestFormat> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
]);

const INSERT_BATCH = 500;

export async function prepareJob(deps: EngineDeps, jobId: string): Promise<void> {
  const { store, log } = deps;
  let row = await store.getJob(jobId);
  if (!row) return;
  if (row.status === "New") {
    if (!(await store.transition(jobId, "New", "Preparing", deps.now()))) return;
  } else if (row.status !== "Preparing") {
    return;
  }
  if (!(await store.claimPhase(jobId, "Preparing", deps.owner, deps.now(), deps.options.leaseMs))) return;
  const claim = holdClaim(deps, jobId, "Preparing");

  try {
    // A crashed earlier attempt may have left some chunks: start over.
    await store.deleteChunks(jobId);
    row = (await store.getJob(jobId))!;
    const job = rowToJob(row, deps.now());
    const context = makeJobContext(job, deps.storage, deps.accounts);
    const outcome = await countAndChunk(deps, jobId, context, claim);
    if (outcome === "abandoned") return;

    await store.setPrepared(jobId, outcome.total, outcome.etag, deps.now());
    const fresh = (await store.getJob(jobId))!;
    if (fresh.status !== "Preparing") return; // cancelled meanwhile: the finaliser takes it from here
    const next: JobStatus = fresh.confirmed ? "Ready" : "Suspended";
    await store.transition(jobId, "Preparing", next, deps.now(), {
      suspendedCause: next === "Suspended" ? "The job is awaiting confirmation (ConfirmationRequired)." : undefined,
    });
    log.info({ jobId, tasks: outcome.total, chunks: outcome.chunks, status: next }, "job prepared");
  } catch (e) {
    const failure =
      e instanceof JobFailureError
        ? { code: e.code, reason: e.message }
        : { code: "InternalError", reason: `Preparing the job failed: ${(e as Error).message}` };
    if (!(e instanceof JobFailureError)) log.error({ err: e, jobId }, "preparing failed unexpectedly");
    await store.transition(jobId, "Preparing", "Failing", deps.now(), { failure: clipFailure(failure) });
  } finally {
    await claim.release();
  }
}

interface Prepared {
  readonly total: number;
  readonly chunks: number;
  readonly etag: string | null;
}

async function countAndChunk(
  deps: EngineDeps,
  jobId: string,
  context: ReturnType<typeof makeJobContext>,
  claim: HeldClaim,
): Promise<Prepared | "abandoned"> {
  const { job, storage } = context;
  if (job.manifestGenerator) {
    throw new JobFailureError("ManifestGeneratorUnsupported", "Manifest generators are not supported yet.");
  }
  const manifest = job.manifest;
  if (!manifest) throw new JobFailureError("InvalidManifest", "The job has neither a manifest nor a generator.");
  if (!CSV_FORMATS.has(manifest.format)) {
    throw new JobFailureError("UnsupportedManifestFormat", `The manifest format ${manifest.format} is not supported.`);
  }

  const {
    bucket,
    key,
    versionId,
    etag: expectedEtag,
  } = {
    bucket: manifest.location.bucket.bucket,
    key: manifest.location.key,
    versionId: manifest.location.versionId,
    etag: manifest.location.etag,
  };
  const info = await storage.head(bucket, key, versionId).catch((e) => {
    throw storageFailure(e, `Reading the manifest ${bucket}/${key} failed`);
  });
  if (expectedEtag !== undefined && !etagMatches(expectedEtag, info.etag)) {
    throw new JobFailureError(
      "ManifestETagMismatch",
      `The manifest ETag ${expectedEtag} does not match the object's ETag ${info.etag}.`,
    );
  }
  if (job.report.enabled && job.report.bucket) {
    const reportBucket = job.report.bucket.bucket;
    const exists = await storage.bucketExists(reportBucket).catch((e) => {
      throw storageFailure(e, `Checking the report bucket ${reportBucket} failed`);
    });
    if (!exists) throw new JobFailureError("NoSuchBucket", `The report bucket ${reportBucket} does not exist.`);
  }

  let stream: Readable;
  try {
    stream = await storage.get(bucket, key, { versionId, ifMatch: info.etag });
  } catch (e) {
    throw storageFailure(e, `Reading the manifest ${bucket}/${key} failed`);
  }

  let pending: ChunkPlanRow[] = [];
  let chunks = 0;
  /** Records the planned chunks; false when the claim was lost (the job was cancelled meanwhile). */
  const flush = async () => {
    if (claim.lost) return false;
    if (pending.length === 0) return true;
    await deps.store.insertChunks(jobId, pending);
    chunks += pending.length;
    pending = [];
    return true;
  };

  const abandoned = new Error("abandoned");
  try {
    const summary = await planChunks(
      stream,
      deps.options.chunkSize,
      async (chunk) => {
        pending.push({
          seq: chunk.seq,
          startByte: chunk.startByte,
          endByte: chunk.endByte,
          firstRecord: chunk.firstRecord,
          records: chunk.records,
        });
        if (pending.length >= INSERT_BATCH && !(await flush())) throw abandoned;
      },
      { md5: false },
    ); // the object's ETag was checked, and every chunk read is pinned to it
    if (!(await flush())) return "abandoned";
    return { total: summary.totalRecords, chunks, etag: info.etag };
  } catch (e) {
    if (e === abandoned) {
      stream.destroy();
      return "abandoned";
    }
    if (e instanceof JobFailureError) throw e;
    if (isManifestError(e)) throw new JobFailureError(e.code, e.message);
    throw storageFailure(e, `Reading the manifest ${bucket}/${key} failed`);
  }
}

function storageFailure(e: unknown, what: string): JobFailureError {
  if (isStorageError(e)) return new JobFailureError(e.code, `${what}: ${e.message}`);
  return new JobFailureError("InternalError", `${what}: ${(e as Error).message}`);
}

/** FailureCode is at most 64 characters and FailureReason at most 256 (reference 1.2). */
export function clipFailure(f: { code: string; reason: string }) {
  return { code: f.code.slice(0, 64), reason: f.reason.length > 256 ? `${f.reason.slice(0, 253)}...` : f.reason };
}
