/**
 * Helpers for end-to-end tests: buckets and manifests in a test app's data dir, COS CreateJob bodies, and
 * waiting for a job to reach a status through DescribeJob.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestApp } from "../helpers/app.js";
import { type CosCredentials, cosRequest } from "../helpers/cos-client.js";

export async function makeBuckets(app: TestApp, ...buckets: string[]) {
  for (const b of buckets) await mkdir(join(app.dataDir, "buckets", b), { recursive: true });
}

/** Writes objects by hand into a bucket directory, as a user would. */
export async function dropFiles(app: TestApp, bucket: string, files: Record<string, string>) {
  for (const [key, body] of Object.entries(files)) {
    const path = join(app.dataDir, "buckets", bucket, key);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, body);
  }
}

export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/");
}

/** Writes a CSV manifest listing `keys` of `bucket` into `manifestBucket/manifestKey`. */
export async function writeManifest(
  app: TestApp,
  manifestBucket: string,
  manifestKey: string,
  bucket: string,
  keys: readonly string[],
) {
  const body = keys.map((k) => `${bucket},${encodeKey(k)}`).join("\n");
  await dropFiles(app, manifestBucket, { [manifestKey]: `${body}\n` });
}

export interface JobXml {
  token?: string;
  manifest: string;
  etag?: string;
  operation: string;
  priority?: number;
  confirmationRequired?: boolean;
  report?: { bucket: string; prefix?: string; scope?: "AllTasks" | "FailedTasksOnly" } | false;
  roleArn?: string;
  description?: string;
}

let tokens = 0;

export function createJobXml(job: JobXml): string {
  const report =
    job.report === false || job.report === undefined
      ? "<Report><Enabled>false</Enabled></Report>"
      : `<Report><Bucket>${job.report.bucket}</Bucket><Enabled>true</Enabled><Format>Report_CSV_V1</Format>` +
        `<Prefix>${job.report.prefix ?? "reports"}</Prefix><ReportScope>${job.report.scope ?? "AllTasks"}</ReportScope></Report>`;
  return `<CreateJobRequest>
  <ClientRequestToken>${job.token ?? `token-${process.pid}-${++tokens}-${Date.now()}`}</ClientRequestToken>
  <ConfirmationRequired>${job.confirmationRequired ?? false}</ConfirmationRequired>
  ${job.description ? `<Description>${job.description}</Description>` : ""}
  <Manifest>
    <Location>${job.etag ? `<ETag>${job.etag}</ETag>` : ""}<ObjectArn>${job.manifest}</ObjectArn></Location>
    <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec>
  </Manifest>
  <Operation>${job.operation}</Operation>
  <Priority>${job.priority ?? 10}</Priority>
  ${report}
  <RoleArn>${job.roleArn ?? "qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole"}</RoleArn>
</CreateJobRequest>`;
}

export async function createJob(app: TestApp, job: JobXml | string, credentials?: CosCredentials): Promise<string> {
  const body = typeof job === "string" ? job : createJobXml(job);
  const r = await cosRequest(app.url, "POST", "/jobs", { body, credentials });
  assert.equal(r.status, 200, r.text);
  return r.xml.CreateJobResult.JobId;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed XML
export async function describe(app: TestApp, jobId: string, credentials?: CosCredentials): Promise<any> {
  const r = await cosRequest(app.url, "GET", `/jobs/${jobId}`, { credentials });
  assert.equal(r.status, 200, r.text);
  return r.xml.DescribeJobResult.Job;
}

export const TERMINAL = ["Complete", "Cancelled", "Failed"];

/** Polls DescribeJob until the job's status is one of `statuses`; fails after `timeoutMs`. */
export async function waitForStatus(
  app: TestApp,
  jobId: string,
  statuses: readonly string[] = TERMINAL,
  timeoutMs = 30_000,
  credentials?: CosCredentials,
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML
  let job: any;
  while (Date.now() < deadline) {
    job = await describe(app, jobId, credentials);
    if (statuses.includes(job.Status)) return job;
    await sleep(25);
  }
  assert.fail(`job ${jobId} did not reach ${statuses.join("/")} in ${timeoutMs} ms; last seen: ${JSON.stringify(job)}`);
}

export interface ReportRow {
  bucket: string;
  key: string;
  versionId: string;
  status: string;
  httpStatus: string;
  errorCode: string;
  message: string;
}

/** Reads a job's completion report: its manifest.json and every row of its result files. */
export async function readReport(app: TestApp, reportBucket: string, prefix: string, jobId: string) {
  const base = join(app.dataDir, "buckets", reportBucket);
  const manifest = JSON.parse(await readFile(join(base, prefix, `job-${jobId}`, "manifest.json"), "utf8"));
  const rows: ReportRow[] = [];
  for (const result of manifest.Results) {
    const text = await readFile(join(base, result.Key), "utf8");
    for (const line of text.split("\n").filter(Boolean)) rows.push(parseRow(line));
  }
  return { manifest, rows };
}

/** Splits one report row (CSV with quoted message) into its columns. */
export function parseRow(line: string): ReportRow {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      cells.push(value);
      i++;
    } else {
      const end = line.indexOf(",", i);
      cells.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  const [bucket, key, versionId, status, httpStatus, errorCode, message] = cells;
  return { bucket, key: decodeURIComponent(key), versionId, status, httpStatus, errorCode, message };
}
