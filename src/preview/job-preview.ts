/**
 * A job's dry run (docs/decisions.md D28): what a job would do, found by reading its manifest the way the engine
 * will, without creating or writing anything (no job row, no chunk, no object, no generated manifest).
 *
 * - The account's bucket rules are the engine's (engine/bucket-access.ts): a bucket the job may not use is a
 *   problem and is never touched, so the answer says nothing about whether it exists. The buckets the job would
 *   write to (a copy's target, the report's, a generator's manifest output) and the manifest's are checked first.
 * - Tasks come from the engine's own decoders: CSV rows through parseChunk (csv-rows.ts), inventory data files
 *   through readInventoryTasks, a generator's listing through compileFilter and listingPrefixes. A copy's target
 *   key is the copy's own copyTargetKey.
 * - Reading stops at the deadline, checked between buffers (CSV), objects (listing) or records (inventory), but
 *   only once the sample is full: the sample is always there, the count is exact with `complete`, else a lower
 *   bound. The sample's HEADs (at most MAX_SAMPLE, a few at a time) start as soon as the sample is full and run
 *   while the count goes on.
 * - Memory is bounded whatever the manifest's size: the sample, the listed problems (MAX_PROBLEMS, the rest only
 *   counted) and the buckets seen (MAX_BUCKETS_REMEMBERED) are capped; a CSV manifest holds one record at most.
 */
import type { Readable } from "node:stream";
import type { Account } from "../accounts/types.js";
import { DomainError } from "../domain/errors.js";
import type { BucketRef, JobSpec, ManifestGenerator, PutObjectCopyOperation } from "../domain/job.js";
import type { Task, TaskRow } from "../domain/task.js";
import { BucketAccess, restrictStorage } from "../engine/bucket-access.js";
import { JobFailureError } from "../engine/errors.js";
import { checkExpectedOwner } from "../engine/prepare/checks.js";
import { CSV_FORMATS } from "../engine/prepare/csv.js";
import { listedVersion } from "../engine/prepare/generator.js";
import { INVENTORY_FORMATS, readAll } from "../engine/prepare/inventory.js";
import { isManifestError } from "../manifest/errors.js";
import { GENERATED_MANIFEST_FORMAT } from "../manifest/generated-manifest-writer.js";
import { compileFilter, listingPrefixes } from "../manifest/generator-filter.js";
import { inlineTaskRow } from "../manifest/inline-tasks.js";
import { MAX_INVENTORY_MANIFEST_BYTES, parseInventoryManifest } from "../manifest/inventory-manifest.js";
import { readInventoryTasks } from "../manifest/inventory-reader.js";
import { copyOptions, copyTargetKey } from "../operations/put-object-copy.js";
import { isStorageError } from "../storage/errors.js";
import { manifestEtagMatches } from "../storage/etag.js";
import type { ObjectInfo, ObjectStorage } from "../storage/types.js";
import { readCsvRows } from "./csv-rows.js";

export const DEFAULT_SAMPLE = 10;
export const MAX_SAMPLE = 100;
export const DEFAULT_TIMEOUT_MS = 5000;
export const MAX_TIMEOUT_MS = 30_000;
/** Problems listed in an answer; the rest are counted in `omittedProblems`. */
export const MAX_PROBLEMS = 100;
/** Distinct buckets of manifest rows whose access is remembered (one problem each). */
const MAX_BUCKETS_REMEMBERED = 1000;
/** Sample HEADs in flight at once. */
const HEAD_CONCURRENCY = 8;
/** The deadline is asked once per this many listed objects or inventory records. */
const CHECK_EVERY = 256;

export interface PreviewOptions {
  /** Tasks in the sample, 0 to MAX_SAMPLE. */
  readonly sample: number;
  /** Time for reading the manifest, ms, from the call. */
  readonly timeoutMs: number;
}

export interface PreviewTask {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  /** From a HEAD of the object; null when it could not be asked (a bucket the job may not use, an error). */
  readonly exists: boolean | null;
  readonly size?: number;
  /** Why `exists` is null: the storage's error code. */
  readonly error?: string;
  /** A copy's target. */
  readonly targetBucket?: string;
  readonly targetKey?: string;
}

export interface PreviewProblem {
  /** The code the job or the task would fail with (AccessDenied, NoSuchBucket, InvalidManifestRecord, ...). */
  readonly code: string;
  readonly message: string;
  /** The manifest line a CSV row starts on (1-based). */
  readonly line?: number;
}

export interface JobPreview {
  /** Exact when `complete`, else the tasks read before the deadline (a lower bound). */
  readonly taskCount: number;
  readonly complete: boolean;
  /** Bytes of the tasks counted, where the source knows sizes (a generator's listing). */
  readonly totalBytes?: number;
  readonly sample: readonly PreviewTask[];
  readonly problems: readonly PreviewProblem[];
  /** Problems found beyond the MAX_PROBLEMS listed. */
  readonly omittedProblems: number;
}

export interface JobPreviewerApi {
  preview(spec: JobSpec, account: Account, options: PreviewOptions): Promise<JobPreview>;
}

export interface JobPreviewerOptions {
  /** The storage the engine uses (unrestricted: each preview restricts it to the job's buckets). */
  readonly storage: ObjectStorage;
  /** The clock the deadline is measured with, ms. */
  readonly now?: () => number;
  /** Previews run at once; one more is refused as ServiceUnavailable (503, try again). Default 4. */
  readonly maxConcurrent?: number;
}

export class JobPreviewer implements JobPreviewerApi {
  private readonly now: () => number;
  private running = 0;

  constructor(private readonly options: JobPreviewerOptions) {
    this.now = options.now ?? Date.now;
  }

  async preview(spec: JobSpec, account: Account, options: PreviewOptions): Promise<JobPreview> {
    // Each preview may read storage for its whole time bound: a few at a time keep the server's other work going.
    if (this.running >= (this.options.maxConcurrent ?? 4)) {
      throw new DomainError("ServiceUnavailable", "Too many job previews are running; try again shortly.");
    }
    this.running++;
    try {
      const deadline = this.now() + options.timeoutMs;
      const run = new PreviewRun(spec, account, this.options.storage, options.sample, () => this.now() >= deadline);
      return await run.go();
    } finally {
      this.running--;
    }
  }
}

class PreviewRun {
  private readonly access: BucketAccess;
  private readonly storage: ObjectStorage;
  private readonly problems: PreviewProblem[] = [];
  private omitted = 0;
  private readonly tasks: Task[] = [];
  private heads: Promise<PreviewTask[]> | undefined;
  private readonly rowBuckets = new Set<string>();
  private count = 0;
  private bytes: number | undefined;

  constructor(
    private readonly spec: JobSpec,
    account: Account,
    storage: ObjectStorage,
    private readonly sampleSize: number,
    private readonly expired: () => boolean,
  ) {
    this.access = new BucketAccess(account, spec.roleArn);
    this.storage = restrictStorage(storage, this.access);
  }

  async go(): Promise<JobPreview> {
    const { spec } = this;
    const operation = spec.operation;
    if (operation.kind === "PutObjectCopy") {
      // The options every task's copy would be refused with, if they are invalid (the copy's own check).
      const options = copyOptions(operation);
      if (typeof options === "string") this.problem("InvalidArgument", options);
      await this.checkUsable(operation.targetResource, "target bucket");
    }
    if (spec.report.enabled && spec.report.bucket) await this.checkUsable(spec.report.bucket, "report bucket");
    let complete: boolean;
    if (spec.manifestGenerator) complete = await this.fromGenerator(spec.manifestGenerator);
    else complete = await this.fromManifest();
    const sample = await this.sample();
    return {
      taskCount: this.count,
      complete,
      ...(this.bytes !== undefined ? { totalBytes: this.bytes } : {}),
      sample,
      problems: this.problems,
      omittedProblems: this.omitted,
    };
  }

  private problem(code: string, message: string, line?: number): void {
    if (this.problems.length < MAX_PROBLEMS)
      this.problems.push(line === undefined ? { code, message } : { code, message, line });
    else this.omitted++;
  }

  private forbidden(bucket: string, what: string, line?: number): void {
    // The same words whether or not the bucket exists: nothing is asked about it.
    this.problem("AccessDenied", `The job may not use the ${what} ${bucket}.`, line);
  }

  /** A bucket the job must be allowed to use and that must exist (a target, the report, a source); false if not. */
  private async checkUsable(ref: BucketRef, what: string): Promise<boolean> {
    if (!this.access.allows(ref.bucket)) {
      this.forbidden(ref.bucket, what);
      return false;
    }
    try {
      if (await this.storage.bucketExists(ref.bucket)) return true;
      this.problem("NoSuchBucket", `The ${what} ${ref.bucket} does not exist.`);
    } catch (e) {
      this.storageProblem(e, `Checking the ${what} ${ref.bucket} failed`);
    }
    return false;
  }

  private storageProblem(e: unknown, what: string): void {
    if (e instanceof JobFailureError || isManifestError(e)) this.problem(e.code, e.message);
    else if (isStorageError(e)) this.problem(e.code, `${what}: ${e.message}`);
    else throw e;
  }

  /** A task read from the source: counted, its bucket checked, sampled while the sample has room. */
  private take(row: TaskRow, line?: number): void {
    this.count++;
    if (row.invalid) {
      this.problem(row.invalid.errorCode, row.invalid.message, line);
      return;
    }
    const bucket = row.task.bucket;
    if (!this.rowBuckets.has(bucket) && this.rowBuckets.size < MAX_BUCKETS_REMEMBERED) {
      this.rowBuckets.add(bucket);
      if (!this.access.allows(bucket)) this.forbidden(bucket, "bucket", line);
    }
    const operation = this.spec.operation;
    if (operation.kind === "PutObjectCopy" && copyTargetKey(row.task.key, operation) === "") {
      this.problem(
        "InvalidArgument",
        `The target key for ${row.task.key} is empty after applying the key prefix`,
        line,
      );
    }
    if (this.tasks.length < this.sampleSize) {
      this.tasks.push(row.task);
      if (this.tasks.length === this.sampleSize) this.startHeads();
    }
  }

  /** The deadline counts only once the sample is full. */
  private shouldStop(): boolean {
    return this.tasks.length >= this.sampleSize && this.expired();
  }

  private startHeads(): void {
    this.heads ??= headAll(this.storage, this.access, this.tasks.slice(), this.spec.operation);
  }

  private async sample(): Promise<PreviewTask[]> {
    this.startHeads();
    return (await this.heads) ?? [];
  }

  private async fromManifest(): Promise<boolean> {
    const manifest = this.spec.manifest;
    if (!manifest) {
      this.problem("InvalidManifest", "The job has neither a manifest nor a generator.");
      return false;
    }
    const csv = CSV_FORMATS.has(manifest.format);
    if (!csv && !INVENTORY_FORMATS.has(manifest.format)) {
      this.problem("UnsupportedManifestFormat", `The manifest format ${manifest.format} is not supported.`);
      return false;
    }
    const { bucket } = manifest.location.bucket;
    const { key, versionId, etag: expected } = manifest.location;
    if (!this.access.allows(bucket)) {
      this.forbidden(bucket, "manifest bucket");
      return false;
    }
    const where = `the manifest ${bucket}/${key}`;
    let info: ObjectInfo;
    try {
      info = await this.storage.head(bucket, key, versionId);
    } catch (e) {
      this.storageProblem(e, `Reading ${where} failed`);
      return false;
    }
    if (expected !== undefined && !manifestEtagMatches(expected, info.etag)) {
      // The job would fail; the preview still shows what the object holds.
      this.problem(
        "ManifestETagMismatch",
        `The manifest ETag ${expected} does not match the object's ETag ${info.etag}.`,
      );
    }
    try {
      const stream = await this.storage.get(bucket, key, { versionId, ifMatch: info.etag });
      if (csv) {
        const outcome = await readCsvRows(
          stream,
          manifest.fields ?? [],
          (row, line) => this.take(row, line),
          () => this.shouldStop(),
          manifest.format,
        );
        return outcome.complete;
      }
      return await this.fromInventory(stream, bucket, info.size);
    } catch (e) {
      this.storageProblem(e, `Reading ${where} failed`);
      return false;
    }
  }

  private async fromInventory(stream: Readable, bucket: string, size: number): Promise<boolean> {
    if (size > MAX_INVENTORY_MANIFEST_BYTES) {
      stream.destroy();
      this.problem(
        "InvalidInventoryManifest",
        `The inventory manifest is ${size} bytes; a manifest.json is at most ${MAX_INVENTORY_MANIFEST_BYTES}.`,
      );
      return false;
    }
    const inventory = parseInventoryManifest((await readAll(stream)).toString("utf8"));
    let seen = 0;
    try {
      await readInventoryTasks(this.storage, bucket, inventory, (task) => {
        this.take(inlineTaskRow(task));
        if (++seen % CHECK_EVERY === 0 && this.shouldStop()) throw STOP;
      });
    } catch (e) {
      if (e === STOP) return false;
      throw e;
    }
    return true;
  }

  private async fromGenerator(generator: ManifestGenerator): Promise<boolean> {
    const source = generator.sourceBucket.bucket;
    try {
      checkExpectedOwner(this.spec, generator.expectedBucketOwner, `source bucket ${source}`);
    } catch (e) {
      this.storageProblem(e, "");
    }
    if (generator.enableManifestOutput) {
      const output = generator.manifestOutputLocation;
      if (!output) {
        this.problem(
          "InvalidManifestGenerator",
          "EnableManifestOutput is true but the generator has no ManifestOutputLocation.",
        );
      } else {
        try {
          checkExpectedOwner(
            this.spec,
            output.expectedManifestBucketOwner,
            `manifest output bucket ${output.bucket.bucket}`,
          );
        } catch (e) {
          this.storageProblem(e, "");
        }
        if (output.manifestFormat !== GENERATED_MANIFEST_FORMAT) {
          this.problem(
            "InvalidManifestGenerator",
            `The manifest output format ${output.manifestFormat} is not supported; use ${GENERATED_MANIFEST_FORMAT}.`,
          );
        }
        await this.checkUsable(output.bucket, "manifest output bucket");
      }
    }
    let matches: ReturnType<typeof compileFilter>;
    try {
      matches = compileFilter(generator.filter);
    } catch (e) {
      this.storageProblem(e, "");
      return false;
    }
    if (!(await this.checkUsable(generator.sourceBucket, "source bucket"))) return false;
    this.bytes = 0;
    let seen = 0;
    try {
      for (const prefix of listingPrefixes(generator)) {
        for await (const object of this.storage.list(source, prefix === "" ? {} : { prefix })) {
          if (++seen % CHECK_EVERY === 0 && this.shouldStop()) return false;
          if (!matches(object)) continue;
          this.bytes += object.size;
          const versionId = listedVersion(object.versionId);
          this.take({
            task:
              versionId === undefined
                ? { bucket: source, key: object.key }
                : { bucket: source, key: object.key, versionId },
          });
        }
      }
    } catch (e) {
      this.storageProblem(e, `Listing bucket ${source} failed`);
      return false;
    }
    if (this.count === 0) {
      this.problem(
        "NoMatchingKeys",
        generator.kind === "KeyPrefixManifestGenerator"
          ? `No keys found with the prefix "${generator.prefix ?? ""}" in bucket ${source}.`
          : `No keys found in bucket ${source} matching the filter criteria.`,
      );
    }
    return true;
  }
}

const STOP = new Error("preview deadline");

/** HEADs each task (a few at a time) and adds a copy's target. */
async function headAll(
  storage: ObjectStorage,
  access: BucketAccess,
  tasks: readonly Task[],
  operation: JobSpec["operation"],
): Promise<PreviewTask[]> {
  const out = new Array<PreviewTask>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await headOne(storage, access, tasks[i] as Task, operation);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, tasks.length) }, worker));
  return out;
}

async function headOne(
  storage: ObjectStorage,
  access: BucketAccess,
  task: Task,
  operation: JobSpec["operation"],
): Promise<PreviewTask> {
  const target = operation.kind === "PutObjectCopy" ? copyTarget(task, operation) : {};
  const named = {
    bucket: task.bucket,
    key: task.key,
    ...(task.versionId !== undefined ? { versionId: task.versionId } : {}),
  };
  if (!access.allows(task.bucket)) return { ...named, exists: null, error: "AccessDenied", ...target };
  try {
    const info = await storage.head(task.bucket, task.key, task.versionId);
    return { ...named, exists: true, size: info.size, ...target };
  } catch (e) {
    // Never thrown: the HEADs may run while the count goes on, and nobody would wait for a rejection then.
    if (!isStorageError(e)) return { ...named, exists: null, error: "InternalError", ...target };
    if (e.httpStatus === 404) return { ...named, exists: false, ...target };
    return { ...named, exists: null, error: e.code, ...target };
  }
}

function copyTarget(task: Task, operation: PutObjectCopyOperation) {
  return { targetBucket: operation.targetResource.bucket, targetKey: copyTargetKey(task.key, operation) };
}
