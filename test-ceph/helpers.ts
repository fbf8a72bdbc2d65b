/**
 * Helpers of the Ceph test tier: the RADOS Gateway that scripts/ceph/start.sh runs (or the one the
 * OBJBATCH_CEPH_* variables name), an objbatch whose storage is that gateway, jobs sent through the S3 Control
 * API with the AWS SDK, and reading back what the jobs did with a plain AWS SDK S3 client.
 *
 * The tier never skips: when the gateway does not answer, `cephGateway()` throws, naming the script to run.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateJobCommand,
  type CreateJobCommandInput,
  DescribeJobCommand,
  type JobDescriptor,
  type JobManifest,
  type JobManifestFieldName,
  type S3ControlClient,
} from "@aws-sdk/client-s3-control";
import { parseRow, type ReportRow } from "../test/e2e/helpers.js";
import { startTestApp, type TestApp, type TestAppOptions } from "../test/helpers/app.js";
import { ROOT_S3CONTROL, s3ControlClient } from "../test/helpers/s3control-client.js";

export interface CephGateway {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The gateway's address and the dev user's keys: scripts/ceph/start.sh's defaults unless the environment says. */
export const CEPH: CephGateway = {
  endpoint: process.env.OBJBATCH_CEPH_ENDPOINT ?? `http://127.0.0.1:${process.env.OBJBATCH_CEPH_PORT ?? "7480"}`,
  region: process.env.OBJBATCH_CEPH_REGION ?? "us-east-1",
  accessKeyId: process.env.OBJBATCH_CEPH_ACCESS_KEY ?? "objbatch-dev-access",
  secretAccessKey: process.env.OBJBATCH_CEPH_SECRET_KEY ?? "objbatch-dev-secret-key-0123456789",
};

export function s3Client(endpoint = CEPH.endpoint): S3Client {
  return new S3Client({
    endpoint,
    region: CEPH.region,
    forcePathStyle: true,
    credentials: { accessKeyId: CEPH.accessKeyId, secretAccessKey: CEPH.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Checks that the gateway answers signed requests; throws with the way to start it when it does not. */
export async function cephGateway(): Promise<S3Client> {
  const client = s3Client();
  try {
    await client.send(new ListBucketsCommand({}));
  } catch (e) {
    client.destroy();
    throw new Error(
      `The Ceph RADOS Gateway does not answer at ${CEPH.endpoint} (${(e as Error).name}: ${(e as Error).message}). ` +
        "Start it with scripts/ceph/start.sh (or set OBJBATCH_CEPH_ENDPOINT, OBJBATCH_CEPH_ACCESS_KEY, " +
        "OBJBATCH_CEPH_SECRET_KEY); the Ceph tier does not skip.",
    );
  }
  return client;
}

/** Bucket names unique to this test process, so runs never see each other's objects. */
export function bucketNamer(tag: string): (name: string) => string {
  const run = `${tag}-${randomBytes(3).toString("hex")}`;
  return (name) => `ob-${run}-${name}`;
}

export async function createBuckets(
  client: S3Client,
  buckets: readonly string[],
  options: { versioned?: boolean; objectLock?: boolean } = {},
) {
  for (const Bucket of buckets) {
    await client.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: options.objectLock || undefined }));
    if (options.versioned && !options.objectLock) {
      await client.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    }
  }
}

/** Empties (every version) and removes buckets; the memstore OSD keeps everything in memory. */
export async function removeBuckets(client: S3Client, buckets: readonly string[]) {
  for (const Bucket of buckets) {
    try {
      for (;;) {
        const page = await client.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 1000 }));
        const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
          Key: v.Key!,
          VersionId: v.VersionId,
        }));
        if (objects.length === 0) break;
        await client.send(
          new DeleteObjectsCommand({
            Bucket,
            Delete: { Objects: objects, Quiet: true },
            BypassGovernanceRetention: true,
          }),
        );
      }
      await client.send(new DeleteBucketCommand({ Bucket }));
    } catch {
      // Objects under COMPLIANCE retention can not be removed before their date; the next start.sh clears them.
    }
  }
}

/** Puts `count` objects named `${prefix}${i}` with `bodyOf(i)`, `parallel` at a time. */
export async function putObjects(
  client: S3Client,
  Bucket: string,
  keys: readonly string[],
  bodyOf: (key: string) => string | Uint8Array = (k) => `body of ${k}`,
  parallel = 32,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < keys.length) {
        const Key = keys[next++]!;
        await client.send(new PutObjectCommand({ Bucket, Key, Body: bodyOf(Key) }));
      }
    }),
  );
}

export async function getText(client: S3Client, Bucket: string, Key: string, VersionId?: string): Promise<string> {
  const r = await client.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return r.Body!.transformToString();
}

/** The S3 error name a call fails with (or "ok"). */
export async function errorName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (e) {
    return (e as Error).name;
  }
}

export interface CephApp {
  readonly app: TestApp;
  readonly control: S3ControlClient;
  /** Creates an S3 Control job (account filled in) and returns its id. */
  createJob(
    input: Omit<CreateJobCommandInput, "AccountId" | "RoleArn" | "Priority"> & { Priority?: number },
  ): Promise<string>;
  /** Polls DescribeJob until the job is Complete, Failed or Cancelled. */
  waitForJob(jobId: string, timeoutMs?: number): Promise<JobDescriptor>;
  dispose(): Promise<void>;
}

/** A real objbatch (HTTP, engine, SQLite) whose every bucket lives on the gateway at `endpoint`. */
export async function startCephApp(
  options: { endpoint?: string; s3?: Record<string, unknown>; app?: TestAppOptions } = {},
): Promise<CephApp> {
  const app = await startTestApp({
    ...options.app,
    configFile: {
      // Worker threads log at the config's level, not the test logger's: keep them quiet as well.
      logLevel: process.env.OBJBATCH_TEST_LOG ?? "silent",
      ...options.app?.configFile,
      storage: [
        {
          buckets: ["*"],
          kind: "s3",
          endpoint: options.endpoint ?? CEPH.endpoint,
          region: CEPH.region,
          accessKeyId: CEPH.accessKeyId,
          secretAccessKey: CEPH.secretAccessKey,
          forcePathStyle: true,
          ...options.s3,
        },
      ],
    },
  });
  const control = s3ControlClient(app.url, "direct", { maxAttempts: 3 });
  return {
    app,
    control,
    async createJob(input) {
      const r = await control.send(
        new CreateJobCommand({
          AccountId: ROOT_S3CONTROL.accountId,
          RoleArn: "arn:aws:iam::123456789012:role/batch-operations",
          Priority: 10,
          ...input,
        }),
      );
      assert.ok(r.JobId);
      return r.JobId;
    },
    async waitForJob(jobId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let job: JobDescriptor | undefined;
      while (Date.now() < deadline) {
        job = (await control.send(new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobId }))).Job;
        if (job && ["Complete", "Failed", "Cancelled"].includes(job.Status ?? "")) return job;
        await sleep(50);
      }
      assert.fail(`job ${jobId} did not end in ${timeoutMs} ms; last seen: ${JSON.stringify(job)}`);
    },
    async dispose() {
      control.destroy();
      await app.dispose();
    },
  };
}

/** An S3 CSV manifest of `bucket,key[,versionId]` lines, put on the gateway; returns its Location. */
export async function putManifest(
  client: S3Client,
  bucket: string,
  key: string,
  entries: readonly { bucket: string; key: string; versionId?: string }[],
) {
  const body = entries
    .map((e) => [e.bucket, encodeURIComponent(e.key), ...(e.versionId ? [e.versionId] : [])].join(","))
    .join("\n");
  const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${body}\n` }));
  const fields: JobManifestFieldName[] = entries.some((e) => e.versionId)
    ? ["Bucket", "Key", "VersionId"]
    : ["Bucket", "Key"];
  return {
    Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: fields },
    Location: { ObjectArn: `arn:aws:s3:::${bucket}/${key}`, ETag: put.ETag! },
  } satisfies JobManifest;
}

export function reportConfig(bucket: string, prefix = "reports") {
  return {
    Bucket: `arn:aws:s3:::${bucket}`,
    Enabled: true,
    Format: "Report_CSV_20180820" as const,
    Prefix: prefix,
    ReportScope: "AllTasks" as const,
  };
}

/** Reads a job's completion report from the gateway: manifest.json and every row of its result files. */
export async function readReport(client: S3Client, bucket: string, prefix: string, jobId: string) {
  const manifest = JSON.parse(await getText(client, bucket, `${prefix}/job-${jobId}/manifest.json`)) as {
    Results: { Key: string; TaskExecutionStatus: string; MD5Checksum: string }[];
    ReportCreationDate?: string;
    ReportSchema?: string;
  };
  const rows: ReportRow[] = [];
  for (const result of manifest.Results) {
    const text = await getText(client, bucket, result.Key);
    for (const line of text.split("\n").filter(Boolean)) rows.push(parseRow(line));
  }
  return { manifest, rows };
}
