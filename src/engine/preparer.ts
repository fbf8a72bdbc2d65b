/**
 * Preparing: turn the job's manifest into counted chunks, then move the job to Ready, or Suspended when it
 * awaits confirmation. A manifest that cannot be used fails the job with a FailureReasons entry that says
 * why (D10).
 *
 * Three sources of tasks:
 * - CSV manifests (S3BatchOperations_CSV_20180820, COSBatchOperations_CSV_V1, OSS_BatchOperations_CSV_20250611):
 *   streamed once, cut into chunks that are byte ranges of the manifest object, pinned to its ETag; a runner
 *   later fetches its range. The fast path: nothing is copied.
 * - Manifest generators (S3JobManifestGenerator, OSS KeyPrefixManifestGenerator): the source bucket's listing
 *   is streamed through the filter (manifest/generator-filter.ts); with EnableManifestOutput the selected
 *   objects are also written as an S3InventoryReport_CSV_20211130 report (generated-manifest-writer.ts) and
 *   Job.generatedManifest points at it.
 * - Inventory reports (S3InventoryReport_CSV_20161130, COSInventoryReport_CSV_V1,
 *   OSS_InventoryReport_CSV_20250611): manifest.json (ETag checked, D10), then its gzip CSV data files
 *   (MD5 checked) streamed one record at a time (manifest/inventory-reader.ts).
 * A listing or a gzip stream has no byte ranges a runner could fetch later, so generated and inventory
 * tasks are stored inline in their chunk rows (manifest/inline-tasks.ts explains the choice: shared-store
 * safe, restart safe, bounded memory, ~1 GB of store per 10 million tasks, freed as chunks finish).
 *
 * Restart safety is the same for all three: chunks are written as they are cut, and a preparer that dies
 * leaves the job in Preparing; whoever claims it next deletes the partial chunks and starts over.
 */
import type { Readable } from "node:stream";
import type { BucketRef, Job, ManifestFormat, ManifestGenerator } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import { isManifestError, ManifestError } from "../manifest/errors.js";
import { etagMatches } from "../manifest/etag.js";
import { GENERATED_MANIFEST_FORMAT, GeneratedManifestWriter } from "../manifest/generated-manifest-writer.js";
import { compileFilter, listingPrefixes } from "../manifest/generator-filter.js";
import { InlineChunker, type InlineTask, inlineTask } from "../manifest/inline-tasks.js";
import { MAX_INVENTORY_MANIFEST_BYTES, parseInventoryManifest } from "../manifest/inventory-manifest.js";
import { readInventoryTasks } from "../manifest/inventory-reader.js";
import { planChunks } from "../manifest/record-scanner.js";
import { isStorageError, type ObjectStorage } from "../storage/types.js";
import type { ChunkPlanRow } from "../store/chunks/insert-chunks.js";
import { rowToJob } from "../store/job-row.js";
import { isStoreUnavailable } from "../store/store-unavailable.js";
import { type EngineDeps, JobFailureError } from "./deps.js";
import { type JobContext, makeJobContext } from "./job-context.js";
import { type HeldClaim, holdClaim } from "./phase-claim.js";

const CSV_FORMATS: ReadonlySet<ManifestFormat> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
]);

const INVENTORY_FORMATS: ReadonlySet<string> = new Set([
  "S3InventoryReport_CSV_20161130",
  "COSInventoryReport_CSV_V1",
  "OSS_InventoryReport_CSV_20250611",
  // What a generator writes (an inventory report), so a generated manifest can feed a later job.
  GENERATED_MANIFEST_FORMAT,
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

    if (outcome.generated) await store.setGeneratedManifest(jobId, JSON.stringify(outcome.generated), deps.now());
    await store.setPrepared(jobId, outcome.total, outcome.etag, deps.now());
    const fresh = (await store.getJob(jobId))!;
    if (fresh.status !== "Preparing") return; // cancelled meanwhile: the finaliser takes it from here
    const next: JobStatus = fresh.confirmed ? "Ready" : "Suspended";
    await store.transition(jobId, "Preparing", next, deps.now(), {
      suspendedCause: next === "Suspended" ? "The job is awaiting confirmation (ConfirmationRequired)." : undefined,
    });
    log.info({ jobId, tasks: outcome.total, chunks: outcome.chunks, status: next }, "job prepared");
  } catch (e) {
    // The store being down says nothing about the job: leave it Preparing, and whoever claims it next (after
    // the claim expires) starts over.
    if (isStoreUnavailable(e)) throw e;
    const failure =
      e instanceof JobFailureError
        ? { code: e.code, reason: e.message }
        : isManifestError(e)
          ? { code: e.code, reason: e.message }
          : { code: "InternalError", reason: `Preparing the job failed: ${(e as Error).message}` };
    if (!(e instanceof JobFailureError) && !isManifestError(e)) {
      log.error({ err: e, jobId }, "preparing failed unexpectedly");
    }
    await store.transition(jobId, "Preparing", "Failing", deps.now(), { failure: clipFailure(failure) });
  } finally {
    await claim.release();
  }
}

interface Prepared {
  readonly total: number;
  readonly chunks: number;
  readonly etag: string | null;
  readonly generated?: Job["generatedManifest"];
}

async function countAndChunk(
  deps: EngineDeps,
  jobId: string,
  context: JobContext,
  claim: HeldClaim,
): Promise<Prepared | "abandoned"> {
  const { job } = context;
  if (job.manifestGenerator) return generateAndChunk(deps, jobId, context, job.manifestGenerator, claim);
  const manifest = job.manifest;
  if (!manifest) throw new JobFailureError("InvalidManifest", "The job has neither a manifest nor a generator.");
  if (INVENTORY_FORMATS.has(manifest.format)) return inventoryAndChunk(deps, jobId, context, claim);
  if (!CSV_FORMATS.has(manifest.format)) {
    throw new JobFailureError("UnsupportedManifestFormat", `The manifest format ${manifest.format} is not supported.`);
  }
  return csvAndChunk(deps, jobId, context, claim);
}

// ---- CSV manifests: byte-range chunks -------------------------------------------------------------------------

async function csvAndChunk(
  deps: EngineDeps,
  jobId: string,
  context: JobContext,
  claim: HeldClaim,
): Promise<Prepared | "abandoned"> {
  const { job, storage } = context;
  const { bucket, key, versionId, etag: expectedEtag } = manifestObject(job);
  const info = await storage.head(bucket, key, versionId).catch((e) => {
    throw storageFailure(e, `Reading the manifest ${bucket}/${key} failed`);
  });
  checkManifestEtag(expectedEtag, info.etag);
  await checkReportBucket(context);

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

// ---- inline chunks: generated and inventory manifests --------------------------------------------------------

/** Thrown out of a task stream when the claim was lost (the job was cancelled meanwhile). */
const ABANDONED = new Error("abandoned");

/** Cuts tasks into inline chunks and writes them to the store a few MB at a time. */
class InlineChunkWriter {
  private readonly chunker: InlineChunker;

  constructor(
    private readonly deps: EngineDeps,
    private readonly jobId: string,
    private readonly claim: HeldClaim,
  ) {
    this.chunker = new InlineChunker(deps.options.chunkSize);
  }

  get total() {
    return this.chunker.total;
  }

  get chunks() {
    return this.chunker.chunks;
  }

  /** Adds a task; awaits only when a batch of chunks is written. Throws ABANDONED once the claim is lost. */
  add(task: InlineTask): void | Promise<void> {
    this.chunker.add(task);
    if (this.chunker.shouldFlush) return this.flush();
  }

  async end(): Promise<void> {
    this.chunker.end();
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.claim.lost) throw ABANDONED;
    const plans = this.chunker.take();
    for (let i = 0; i < plans.length; i += INSERT_BATCH) {
      await this.deps.store.insertChunks(
        this.jobId,
        plans.slice(i, i + INSERT_BATCH).map((p) => ({ ...p, startByte: 0, endByte: 0 })),
      );
    }
  }
}

async function generateAndChunk(
  deps: EngineDeps,
  jobId: string,
  context: JobContext,
  generator: ManifestGenerator,
  claim: HeldClaim,
): Promise<Prepared | "abandoned"> {
  const { job, storage } = context;
  const source = generator.sourceBucket.bucket;
  checkExpectedOwner(job, generator.expectedBucketOwner, `source bucket ${source}`);
  const output = generator.enableManifestOutput ? generator.manifestOutputLocation : undefined;
  if (generator.enableManifestOutput && !output) {
    throw new JobFailureError(
      "InvalidManifestGenerator",
      "EnableManifestOutput is true but the generator has no ManifestOutputLocation.",
    );
  }
  if (output) {
    checkExpectedOwner(job, output.expectedManifestBucketOwner, `manifest output bucket ${output.bucket.bucket}`);
    if (output.manifestFormat !== GENERATED_MANIFEST_FORMAT) {
      throw new JobFailureError(
        "InvalidManifestGenerator",
        `The manifest output format ${output.manifestFormat} is not supported; use ${GENERATED_MANIFEST_FORMAT}.`,
      );
    }
    await checkBucketExists(storage, output.bucket, "manifest output bucket");
  }
  const matches = compileFilter(generator.filter);
  await checkBucketExists(storage, generator.sourceBucket, "source bucket");
  await checkReportBucket(context);

  const chunks = new InlineChunkWriter(deps, jobId, claim);
  const writer = output
    ? new GeneratedManifestWriter(storage, {
        jobId,
        sourceBucket: source,
        bucket: output.bucket,
        prefix: output.manifestPrefix,
        now: deps.now,
      })
    : undefined;
  try {
    for (const prefix of listingPrefixes(generator)) {
      for await (const object of storage.list(source, prefix === "" ? {} : { prefix })) {
        if (!matches(object)) continue;
        const added = chunks.add(inlineTask(source, object.key, listedVersion(object.versionId)));
        if (added) await added;
        if (writer) await writer.add(object);
      }
    }
    if (chunks.total === 0) {
      throw new ManifestError(
        "NoMatchingKeys",
        generator.kind === "KeyPrefixManifestGenerator"
          ? `No keys found with the prefix "${generator.prefix ?? ""}" in bucket ${source}.`
          : `No keys found in bucket ${source} matching the filter criteria.`,
      );
    }
    await chunks.end();
    const generated = writer ? await writer.finish() : undefined;
    return { total: chunks.total, chunks: chunks.chunks, etag: null, generated };
  } catch (e) {
    await writer?.abort();
    if (e === ABANDONED) return "abandoned";
    if (e instanceof JobFailureError || isManifestError(e)) throw e;
    throw storageFailure(e, `Generating the manifest from bucket ${source} failed`);
  }
}

async function inventoryAndChunk(
  deps: EngineDeps,
  jobId: string,
  context: JobContext,
  claim: HeldClaim,
): Promise<Prepared | "abandoned"> {
  const { job, storage } = context;
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
    if (e instanceof JobFailureError || isManifestError(e)) throw e;
    throw storageFailure(e, `Reading ${where} failed`);
  }
  const inventory = parseInventoryManifest(text);
  await checkReportBucket(context);

  const chunks = new InlineChunkWriter(deps, jobId, claim);
  try {
    // Data files are keys of the bucket that holds manifest.json (its destinationBucket).
    await readInventoryTasks(storage, bucket, inventory, (task) => chunks.add(task));
    await chunks.end();
  } catch (e) {
    if (e === ABANDONED) return "abandoned";
    if (e instanceof JobFailureError || isManifestError(e)) throw e;
    throw storageFailure(e, `Reading the data files of ${where} failed`);
  }
  return { total: chunks.total, chunks: chunks.chunks, etag };
}

// ---- checks shared by the three ------------------------------------------------------------------------------

function manifestObject(job: Job) {
  const manifest = job.manifest!;
  return {
    bucket: manifest.location.bucket.bucket,
    key: manifest.location.key,
    versionId: manifest.location.versionId,
    etag: manifest.location.etag,
  };
}

function checkManifestEtag(expected: string | undefined, actual: string): void {
  if (expected !== undefined && !etagMatches(expected, actual)) {
    throw new JobFailureError(
      "ManifestETagMismatch",
      `The manifest ETag ${expected} does not match the object's ETag ${actual}.`,
    );
  }
}

/** ExpectedBucketOwner: objbatch's buckets belong to the accounts that may use them, so it must be the job's. */
function checkExpectedOwner(job: Job, expected: string | undefined, what: string): void {
  if (expected !== undefined && expected !== "" && expected !== job.accountId) {
    throw new JobFailureError(
      "AccessDenied",
      `The ${what} is not owned by the expected bucket owner ${expected} (the job's account is ${job.accountId}).`,
    );
  }
}

async function checkBucketExists(storage: ObjectStorage, ref: BucketRef, what: string): Promise<void> {
  const exists = await storage.bucketExists(ref.bucket).catch((e) => {
    throw storageFailure(e, `Checking the ${what} ${ref.bucket} failed`);
  });
  if (!exists) throw new JobFailureError("NoSuchBucket", `The ${what} ${ref.bucket} does not exist.`);
}

async function checkReportBucket(context: JobContext): Promise<void> {
  const report = context.job.report;
  if (report.enabled && report.bucket) await checkBucketExists(context.storage, report.bucket, "report bucket");
}

/** Listings of unversioned stores say "null" or nothing: the task then acts on the current version. */
function listedVersion(versionId: string | undefined): string | undefined {
  return versionId === undefined || versionId === "" || versionId === "null" ? undefined : versionId;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of stream) {
    const b = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
    size += b.length;
    if (size > MAX_INVENTORY_MANIFEST_BYTES) {
      stream.destroy();
      throw new ManifestError(
        "InvalidInventoryManifest",
        "The inventory manifest is larger than a manifest.json can be.",
      );
    }
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** The job failure a storage error while preparing means. A job store that is down is not one: it is rethrown. */
function storageFailure(e: unknown, what: string): JobFailureError {
  if (isStoreUnavailable(e)) throw e;
  if (isStorageError(e)) return new JobFailureError(e.code, `${what}: ${e.message}`);
  return new JobFailureError("InternalError", `${what}: ${(e as Error).message}`);
}

/** FailureCode is at most 64 characters and FailureReason at most 256 (reference 1.2). */
export function clipFailure(f: { code: string; reason: string }) {
  return { code: f.code.slice(0, 64), reason: f.reason.length > 256 ? `${f.reason.slice(0, 253)}...` : f.reason };
}
