/**
 * For engine tests: a real job store (SQLite or PostgreSQL), the real local storage backend in a temporary
 * directory, jobs created through the JobService (with CSV manifests written into a bucket, or generators),
 * the engine's deps with a clock a test may drive, jobs prepared by prepareJob, and their chunks' tasks read
 * back the way a runner reads them (leased from the store, parsed by the chunk reader's own parser).
 */
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import type { BucketRef, JobSpec, ManifestField, ManifestGenerator, ReportConfig } from "../../src/domain/job.js";
import type { TaskRow } from "../../src/domain/task.js";
import type { EngineDeps } from "../../src/engine/deps.js";
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from "../../src/engine/options.js";
import { prepareJob } from "../../src/engine/preparer.js";
import { parseInlineTasks } from "../../src/manifest/inline-tasks.js";
import { JobService } from "../../src/service/job-service.js";
import { LocalStorage } from "../../src/storage/local/local-storage.js";
import type { TestStore } from "../helpers/stores.js";
import { activate } from "../store/helpers.js";

export const ACCOUNT = "111122223333";

export function bucketRef(bucket: string): BucketRef {
  return { arn: `arn:aws:s3:::${bucket}`, bucket };
}

export interface PrepareEnv {
  readonly t: TestStore;
  readonly storage: LocalStorage;
  readonly dataDir: string;
  readonly service: JobService;
  readonly deps: EngineDeps;
  dispose(): Promise<void>;
}

/** `now` is the deps' clock (default the wall clock); a test that drives ticks by hand injects its own. */
export async function prepareEnv(
  open: () => Promise<TestStore>,
  options: Partial<EngineOptions> = {},
  now: () => number = Date.now,
) {
  const t = await open();
  const dataDir = await mkdtemp(join(tmpdir(), "objbatch-prepare-test-"));
  const storage = new LocalStorage({ dataDir });
  const accounts = new StaticAccountRegistry([{ id: ACCOUNT, keys: [], buckets: ["*"] }]);
  const service = new JobService({ store: t.store, accounts, maxUnfinishedJobs: 1000 });
  const deps: EngineDeps = {
    store: t.store,
    storage,
    accounts,
    options: { ...DEFAULT_ENGINE_OPTIONS, chunkSize: 3, ...options },
    log: pino({ level: "silent" }),
    now,
    owner: `test-${randomUUID()}`,
  };
  return {
    t,
    storage,
    dataDir,
    service,
    deps,
    async dispose() {
      await storage.close();
      await t.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  } satisfies PrepareEnv;
}

export async function makeBucket(env: PrepareEnv, bucket: string) {
  await mkdir(join(env.dataDir, "buckets", bucket), { recursive: true });
}

/** Writes objects as files of the bucket directory; `mtime` (seconds) sets their LastModified. */
export async function dropObjects(
  env: PrepareEnv,
  bucket: string,
  objects: Record<string, string | Buffer>,
  mtime?: number,
) {
  for (const [key, body] of Object.entries(objects)) {
    const path = join(env.dataDir, "buckets", bucket, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    if (mtime !== undefined) await utimes(path, mtime, mtime);
  }
}

export function baseSpec(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    accountId: ACCOUNT,
    dialect: "s3control",
    clientRequestToken: randomUUID(),
    confirmationRequired: false,
    priority: 10,
    roleArn: "arn:aws:iam::111122223333:role/batch",
    operation: { kind: "DeleteObjectTagging" },
    report: { enabled: false },
    ...overrides,
  };
}

/** Writes a CSV manifest (Bucket,Key) listing `keys` of `bucket` as `bucket/key`; returns the spec's Manifest. */
export async function writeCsvManifest(env: PrepareEnv, bucket: string, key: string, keys: readonly string[]) {
  await dropObjects(env, bucket, { [key]: `${keys.map((k) => `${bucket},${encodeURIComponent(k)}`).join("\n")}\n` });
  return {
    format: "S3BatchOperations_CSV_20180820" as const,
    fields: ["Bucket", "Key"] as ManifestField[],
    location: { bucket: bucketRef(bucket), key },
  };
}

/** A report of every task into `bucket` under the prefix `reports`. */
export function reportTo(bucket: string): ReportConfig {
  return {
    enabled: true,
    bucket: bucketRef(bucket),
    format: "Report_CSV_20180820",
    prefix: "reports",
    scope: "AllTasks",
  };
}

export function generatorSpec(generator: Partial<ManifestGenerator> & { sourceBucket: BucketRef }): JobSpec {
  return baseSpec({
    manifestGenerator: { kind: "S3JobManifestGenerator", enableManifestOutput: false, ...generator },
  });
}

/** Creates the job and prepares it; returns the job as stored afterwards. */
export async function createAndPrepare(env: PrepareEnv, spec: JobSpec) {
  const { jobId } = await env.service.createJob(spec, "reuse");
  await prepareJob(env.deps, jobId);
  const job = (await env.t.store.getJob(jobId))!;
  return { jobId, job };
}

/**
 * Makes the prepared job Active, leases every chunk of it in order and returns their tasks, as a runner would
 * read them.
 */
export async function chunkTasks(env: PrepareEnv, jobId: string): Promise<{ rows: TaskRow[]; chunks: number[] }> {
  const rows: TaskRow[] = [];
  const chunks: number[] = [];
  await activate(env.t.store, jobId, Date.now());
  for (;;) {
    const chunk = await env.t.store.leaseChunk(jobId, randomUUID(), Date.now(), 60_000);
    if (!chunk) return { rows, chunks };
    if (chunk.tasks === null) throw new Error(`chunk ${chunk.seq} has no inline tasks`);
    const parsed = parseInlineTasks(chunk.tasks);
    if (parsed.length !== chunk.records) throw new Error(`chunk ${chunk.seq}: ${parsed.length} != ${chunk.records}`);
    rows.push(...parsed);
    chunks.push(chunk.records);
  }
}

export function keysOf(rows: readonly TaskRow[]): string[] {
  return rows.map((r) => r.task.key);
}
