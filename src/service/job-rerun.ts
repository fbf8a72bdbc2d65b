/**
 * Rerun and clone (D35): a new job from a finished one's failures, or from the same request.
 *
 * A rerun runs the source job's operation again over exactly the tasks that did not succeed: the rows of its
 * failed-tasks results files (optionally only those with given error codes), and with `notSucceeded` also the
 * tasks of its chunks that never ran (a cancelled or failed job's skipped chunks: byte ranges of its CSV
 * manifest, read pinned to the ETag the job ran with, or the inline tasks the chunk keeps). Everything is
 * streamed, twice: a first pass counts the tasks (nothing is written for a rerun of nothing) and checks the
 * report holds every failed task the job counted; the second writes them as a CSV manifest the engine reads
 * (manifest/task-list-manifest.ts) into the source's report bucket, under its report prefix at a key derived
 * from the clientRequestToken, and the job is created with that manifest pinned to the ETag the write returned.
 *
 * Idempotency: the token is looked up first, and the new job is inserted with a fingerprint of the rerun request
 * (source, scope, codes, overrides), not of the job spec; so a retried rerun (the client crashed, or the server
 * died between writing the manifest and creating the job) rewrites the same bytes to the same key and creates
 * one job, and a retry after the job exists writes nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { DomainError } from "../domain/errors.js";
import type { Job, JobSpec, Manifest, ReportConfig, Tag } from "../domain/job.js";
import { isTerminal } from "../domain/status.js";
import type { Task, TaskRow } from "../domain/task.js";
import { type RetryPolicy, withRetry } from "../engine/retry.js";
import { parseChunk } from "../manifest/csv-manifest.js";
import { parseInlineTasks } from "../manifest/inline-tasks.js";
import { TASK_LIST_FORMAT, taskListFields, taskListRecord } from "../manifest/task-list-manifest.js";
import { reportBase } from "../report/report-writer.js";
import { isStorageError } from "../storage/errors.js";
import type { JobStore } from "../store/job-store.js";
import type { JobReports } from "./job-report.js";
import { requestFingerprint } from "./request-fingerprint.js";
import type { CreateJobOutcome } from "./types.js";

/** `failed`: the tasks whose result is failed; `notSucceeded`: those and the tasks that never got a result. */
export type RerunScope = "failed" | "notSucceeded";

/** What a rerun or a clone may change of the source job; the rest is the source's. */
export interface JobOverrides {
  readonly description?: string;
  readonly priority?: number;
  readonly confirmationRequired?: boolean;
  readonly report?: ReportConfig;
  /** Makes the rerun or clone idempotent: a retry with the same token and request answers the same job. */
  readonly clientRequestToken?: string;
  /** Added to the source's tags (a key the source has takes the value given here). */
  readonly tags?: readonly Tag[];
}

export interface RerunRequest extends JobOverrides {
  readonly scope: RerunScope;
  /** Only failed tasks with one of these error codes (the codes of GET /failures); unrun tasks have none. */
  readonly errorCodes?: readonly string[];
}

export const RERUN_OF_TAG = "objbatch:rerun-of";
export const CLONE_OF_TAG = "objbatch:clone-of";

export type RerunRefusalKind =
  | "job-not-finished"
  | "no-failed-tasks-report"
  | "report-incomplete"
  | "nothing-to-rerun"
  | "unrun-tasks-unknown";

/** Why a job cannot be rerun; the JSON API answers each with its own 409 problem. */
export class RerunRefusal extends Error {
  constructor(
    readonly kind: RerunRefusalKind,
    message: string,
  ) {
    super(message);
    this.name = "RerunRefusal";
  }
}

export function isRerunRefusal(e: unknown): e is RerunRefusal {
  return e instanceof RerunRefusal;
}

export interface JobRerunsOptions {
  readonly store: JobStore;
  readonly reports: JobReports;
  /** Inserts the job with the given fingerprint for its token (JobService.createJob). */
  readonly create: (spec: JobSpec, fingerprint: string) => Promise<CreateJobOutcome>;
  /** How a write of the manifest is retried while storage fails retryably. */
  readonly retry?: RetryPolicy;
}

/** Unrun chunks read per store round trip. */
const UNRUN_PAGE = 16;
const WRITE_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };

export class JobReruns {
  constructor(private readonly options: JobRerunsOptions) {}

  async rerun(accountId: string, jobId: string, request: RerunRequest): Promise<CreateJobOutcome> {
    const source = await this.options.reports.requireJob(accountId, jobId);
    const fingerprint = requestFingerprint({
      rerunOf: jobId,
      accountId,
      ...request,
      errorCodes: sorted(request.errorCodes),
    });
    const earlier = await this.earlier(accountId, request.clientRequestToken, fingerprint);
    if (earlier) return earlier;
    if (!isTerminal(source.status)) {
      throw new RerunRefusal(
        "job-not-finished",
        `Job ${jobId} is ${source.status}: only a finished job (Complete, Cancelled or Failed) can be rerun.`,
      );
    }
    const report = source.report;
    if (!report.enabled || report.bucket === undefined) {
      throw new RerunRefusal(
        "no-failed-tasks-report",
        `Job ${jobId} wrote no completion report, so which tasks failed was not kept; clone it to run every task again.`,
      );
    }
    if (request.scope === "notSucceeded" && source.progress.total < 0) {
      throw new RerunRefusal(
        "unrun-tasks-unknown",
        `Job ${jobId} ended before its manifest was read, so its tasks are not known; clone it instead.`,
      );
    }
    const unfinished = (await this.options.reports.recordedFiles(source, "failed")).filter((f) => !f.completed);
    if (unfinished.length > 0) {
      throw new RerunRefusal(
        "report-incomplete",
        `The failed-tasks results file ${unfinished[0].index} of job ${jobId} was never completed (see its failureReasons).`,
      );
    }

    // First pass: how many, whether any has a version id, and whether the report holds every failed task.
    const count = { matching: 0, failedRows: 0, versioned: false };
    for await (const task of this.tasks(source, request, count)) {
      count.matching++;
      if (task.versionId !== undefined) count.versioned = true;
    }
    if (count.failedRows !== source.progress.failed) {
      throw new RerunRefusal(
        "report-incomplete",
        `The report of job ${jobId} holds ${count.failedRows} failed tasks but the job counted ${source.progress.failed}.`,
      );
    }
    if (count.matching === 0) {
      throw new RerunRefusal(
        "nothing-to-rerun",
        `Job ${jobId} has no task to rerun with scope ${request.scope}` +
          (request.errorCodes ? ` and error codes ${request.errorCodes.join(", ")}.` : "."),
      );
    }

    const token = request.clientRequestToken ?? randomUUID();
    const withVersionId = count.versioned || (source.manifest?.fields.includes("VersionId") ?? false);
    const manifest = await this.writeManifest(source, token, withVersionId, request);
    const spec = derivedSpec(source, request, token, { key: RERUN_OF_TAG, value: jobId }, { manifest });
    return this.options.create(spec, fingerprint);
  }

  async clone(accountId: string, jobId: string, overrides: JobOverrides): Promise<CreateJobOutcome> {
    const source = await this.options.reports.requireJob(accountId, jobId);
    const fingerprint = requestFingerprint({ cloneOf: jobId, accountId, ...overrides });
    const earlier = await this.earlier(accountId, overrides.clientRequestToken, fingerprint);
    if (earlier) return earlier;
    const token = overrides.clientRequestToken ?? randomUUID();
    const spec = derivedSpec(
      source,
      overrides,
      token,
      { key: CLONE_OF_TAG, value: jobId },
      {
        manifest: source.manifest,
        manifestGenerator: source.manifestGenerator,
      },
    );
    return this.options.create(spec, fingerprint);
  }

  /** The job a token already created: the same request answers it, another is an Idempotency error. */
  private async earlier(
    accountId: string,
    token: string | undefined,
    fingerprint: string,
  ): Promise<CreateJobOutcome | undefined> {
    if (token === undefined) return undefined;
    const use = await this.options.store.findByToken(accountId, token);
    if (use === undefined) return undefined;
    if (use.requestFingerprint !== fingerprint) {
      throw new DomainError("Idempotency", "The clientRequestToken was already used by a different request.");
    }
    return { jobId: use.jobId, created: false };
  }

  /** Writes the rerun's manifest (second pass) and answers it pinned to the ETag the write returned. */
  private async writeManifest(
    source: Job,
    token: string,
    withVersionId: boolean,
    request: RerunRequest,
  ): Promise<Manifest> {
    const ref = source.report.bucket!;
    const key = `${reportBase(source.jobId, source.report.prefix)}/rerun-${tokenDigest(source.accountId, token)}/manifest.csv`;
    const storage = this.options.reports.storageFor(source, ref.bucket);
    const tasks = this.tasks.bind(this);
    async function* records(): AsyncGenerator<string> {
      const ignored = { matching: 0, failedRows: 0, versioned: false };
      for await (const task of tasks(source, request, ignored)) yield taskListRecord(task, withVersionId);
    }
    const written = await withRetry(
      () => storage.put(ref.bucket, key, Readable.from(records()), { metadata: { contentType: "text/csv" } }),
      this.options.retry ?? WRITE_RETRY,
    );
    return {
      format: TASK_LIST_FORMAT,
      fields: taskListFields(withVersionId),
      location: {
        bucket: ref,
        key,
        etag: written.etag,
        ...(written.versionId !== undefined ? { versionId: written.versionId } : {}),
      },
    };
  }

  /** The tasks to rerun, streamed: the failed rows that match, then (notSucceeded) the unrun chunks' tasks. */
  private async *tasks(source: Job, request: RerunRequest, count: { failedRows: number }): AsyncGenerator<Task> {
    const codes = request.errorCodes === undefined ? undefined : new Set(request.errorCodes);
    for await (const row of this.options.reports.rows(source, "failed")) {
      count.failedRows++;
      if (codes === undefined || codes.has(row.result.errorCode)) yield row.task;
    }
    if (request.scope !== "notSucceeded") return;
    for (let after = -1; ; ) {
      const chunks = await this.options.store.unrunChunks(source.jobId, after, UNRUN_PAGE);
      if (chunks.length === 0) return;
      for (const chunk of chunks) {
        after = chunk.seq;
        for (const row of await this.unrunRows(source, chunk)) {
          // A record that could not become a task never runs: it fails the same way every time.
          if (row.invalid === undefined) yield row.task;
        }
      }
    }
  }

  private async unrunRows(
    source: Job,
    chunk: { seq: number; startByte: number; endByte: number; firstRecord: number; tasks: string | null },
  ): Promise<TaskRow[]> {
    if (chunk.tasks !== null) return parseInlineTasks(chunk.tasks);
    const manifest = source.manifest;
    if (manifest === undefined || !isCsvFormat(manifest.format)) {
      throw new RerunRefusal(
        "unrun-tasks-unknown",
        `The tasks of job ${source.jobId}'s unrun chunk ${chunk.seq} were not kept (it was skipped before ` +
          "objbatch kept them); rerun its failed tasks, or clone it.",
      );
    }
    const bucket = manifest.location.bucket.bucket;
    const storage = this.options.reports.storageFor(source, bucket, "manifest bucket");
    let bytes: Buffer;
    try {
      const body = await withRetry(
        () =>
          storage.get(bucket, manifest.location.key, {
            versionId: manifest.location.versionId,
            ifMatch: source.manifestEtag,
            range: { start: chunk.startByte, end: chunk.endByte - 1 },
          }),
        this.options.retry ?? WRITE_RETRY,
      );
      const parts: Buffer[] = [];
      for await (const part of body) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array));
      bytes = Buffer.concat(parts);
    } catch (e) {
      if (isStorageError(e) && (e.httpStatus === 412 || e.httpStatus === 404)) {
        throw new RerunRefusal(
          "unrun-tasks-unknown",
          `Job ${source.jobId}'s manifest ${manifest.location.key} changed or is gone since the job read it ` +
            `(${e.code}), so its unrun tasks cannot be read; rerun its failed tasks, or clone it.`,
        );
      }
      throw e;
    }
    return parseChunk(bytes, manifest.fields, chunk.firstRecord, manifest.format);
  }
}

/** The source's spec with the overrides, the new token, the source's tags plus `mark`, and the given manifest. */
function derivedSpec(
  source: Job,
  overrides: JobOverrides,
  token: string,
  mark: Tag,
  manifests: Pick<JobSpec, "manifest" | "manifestGenerator">,
): JobSpec {
  const tags = new Map<string, string>();
  for (const t of [...(source.tags ?? []), ...(overrides.tags ?? []), mark]) tags.set(t.key, t.value);
  const description = overrides.description ?? source.description;
  return {
    accountId: source.accountId,
    dialect: "json",
    clientRequestToken: token,
    confirmationRequired: overrides.confirmationRequired ?? false,
    ...(description !== undefined ? { description } : {}),
    priority: overrides.priority ?? source.priority,
    roleArn: source.roleArn,
    operation: source.operation,
    ...(manifests.manifest !== undefined ? { manifest: manifests.manifest } : {}),
    ...(manifests.manifestGenerator !== undefined ? { manifestGenerator: manifests.manifestGenerator } : {}),
    report: overrides.report ?? source.report,
    tags: [...tags].map(([key, value]) => ({ key, value })),
  };
}

/** The manifest formats whose chunks are byte ranges of the manifest object (the rest keep their tasks inline). */
const CSV_FORMATS: ReadonlySet<string> = new Set([
  "S3BatchOperations_CSV_20180820",
  "COSBatchOperations_CSV_V1",
  "OSS_BatchOperations_CSV_20250611",
  "GCS_BatchOperations_CSV",
]);

function isCsvFormat(format: string): boolean {
  return CSV_FORMATS.has(format);
}

function sorted(codes: readonly string[] | undefined): string[] | undefined {
  return codes === undefined ? undefined : [...new Set(codes)].sort();
}

/** The part of a rerun manifest's key that names the request: the same for every retry with a token. */
function tokenDigest(accountId: string, token: string): string {
  return createHash("sha256").update(`${accountId}\0${token}`).digest("hex").slice(0, 32);
}
