/**
 * S3 Control end to end with Debian's AWS CLI (`/usr/bin/aws s3control`, botocore's own signer and parser)
 * against a running objbatch. The CLI puts the account id in front of the endpoint's host and has no switch
 * to stop it, so it runs with HTTP_PROXY pointing at objbatch, which then receives absolute-form request lines
 * (`POST http://<account>.localhost:PORT/v20180820/jobs`) and must answer them (docs/clients-and-servers.md).
 * Credentials come from the environment only; config and credential files are empty.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { dropFiles, makeBuckets, writeManifest } from "./helpers.js";

const AWS = "/usr/bin/aws";
const KEYS = ["one.txt", "two/three.txt"];

let app: TestApp;
let env: NodeJS.ProcessEnv;
let endpoint: string;
let manifestArg: string;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function aws(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      ["s3control", ...args, "--account-id", ROOT.accountId, "--endpoint-url", endpoint, "--output", "json"],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// biome-ignore lint/suspicious/noExplicitAny: JSON printed by the CLI
async function awsJson(...args: string[]): Promise<any> {
  const r = await aws(...args);
  assert.equal(r.code, 0, `aws ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Waits (polling the service directly, which is quicker than starting the CLI each time) until the job is in one
 * of `statuses`, then answers what the CLI's describe-job prints for it.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON printed by the CLI
async function waitFor(jobId: string, statuses: readonly string[]): Promise<any> {
  const deadline = Date.now() + 60_000;
  while (!statuses.includes((await app.service.describeJob(ROOT.accountId, jobId)).status)) {
    if (Date.now() > deadline) assert.fail(`job ${jobId} did not reach ${statuses.join("/")}`);
    await sleep(25);
  }
  const { Job } = await awsJson("describe-job", "--job-id", jobId);
  assert.ok(statuses.includes(Job.Status), Job.Status);
  return Job;
}

function createArgs(confirmation: boolean, priority: number, token: string): string[] {
  return [
    "create-job",
    confirmation ? "--confirmation-required" : "--no-confirmation-required",
    "--client-request-token",
    token,
    "--priority",
    String(priority),
    "--role-arn",
    "arn:aws:iam::123456789012:role/batch",
    "--description",
    "from the AWS CLI",
    "--operation",
    JSON.stringify({ S3PutObjectTagging: { TagSet: [{ Key: "via", Value: "cli" }] } }),
    "--manifest",
    manifestArg,
    "--report",
    JSON.stringify({ Enabled: false }),
  ];
}

before(async () => {
  app = await startTestApp({ engine: { pollMs: 20 } });
  await makeBuckets(app, "cli-src");
  await dropFiles(app, "cli-src", Object.fromEntries(KEYS.map((k) => [k, k])));
  await writeManifest(app, "cli-src", "m.csv", "cli-src", KEYS);
  const etag = createHash("md5")
    .update(await readFile(join(app.dataDir, "buckets", "cli-src", "m.csv")))
    .digest("hex");
  manifestArg = JSON.stringify({
    Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
    Location: { ObjectArn: "arn:aws:s3:::cli-src/m.csv", ETag: etag },
  });
  const empty = join(app.dataDir, "aws-empty");
  await writeFile(empty, "");
  const port = new URL(app.url).port;
  endpoint = `http://localhost:${port}`;
  env = {
    PATH: process.env.PATH,
    HOME: app.dataDir,
    LANG: "C.UTF-8",
    HTTP_PROXY: app.url,
    http_proxy: app.url,
    NO_PROXY: "",
    no_proxy: "",
    AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    AWS_DEFAULT_REGION: "eu-west-1",
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
});

after(() => app?.dispose());

describe("S3 Control through the AWS CLI via HTTP_PROXY", () => {
  it("creates, lists, describes, re-prioritises and confirms a job", async () => {
    const created = await awsJson(...createArgs(true, 5, "cli-token-1"));
    assert.match(created.JobId, /^[0-9a-f-]{36}$/);
    const jobId: string = created.JobId;

    const suspended = await waitFor(jobId, ["Suspended"]);
    assert.equal(suspended.JobArn, `arn:aws:s3:eu-west-1:${ROOT.accountId}:job/${jobId}`);
    assert.equal(suspended.Description, "from the AWS CLI");
    assert.equal(suspended.ConfirmationRequired, true);
    assert.deepEqual(suspended.Operation, { S3PutObjectTagging: { TagSet: [{ Key: "via", Value: "cli" }] } });
    assert.deepEqual(suspended.Manifest, JSON.parse(manifestArg));
    assert.deepEqual(suspended.Report, { Enabled: false });
    assert.equal(suspended.ProgressSummary.TotalNumberOfTasks, KEYS.length);

    const listed = await awsJson("list-jobs", "--job-statuses", "Suspended", "New");
    const mine = listed.Jobs.find((j: { JobId: string }) => j.JobId === jobId);
    assert.equal(mine.Operation, "S3PutObjectTagging");
    assert.equal(mine.Priority, 5);
    assert.equal(mine.Status, "Suspended");

    const priority = await awsJson("update-job-priority", "--job-id", jobId, "--priority", "40");
    assert.deepEqual(priority, { JobId: jobId, Priority: 40 });

    const ready = await awsJson(
      "update-job-status",
      "--job-id",
      jobId,
      "--requested-job-status",
      "Ready",
      "--status-update-reason",
      "confirmed from the CLI",
    );
    assert.deepEqual(ready, { JobId: jobId, Status: "Ready", StatusUpdateReason: "confirmed from the CLI" });
    const done = await waitFor(jobId, ["Complete", "Failed", "Cancelled"]);
    assert.equal(done.Status, "Complete");
    assert.equal(done.Priority, 40);
    assert.equal(done.ProgressSummary.NumberOfTasksSucceeded, KEYS.length);
    for (const k of KEYS) assert.deepEqual(await app.storage.getTagging("cli-src", k), [{ key: "via", value: "cli" }]);

    // The CLI's retry of the same request with the same token gets the same job back (D5).
    const again = await awsJson(...createArgs(true, 5, "cli-token-1"));
    assert.equal(again.JobId, jobId);
  });

  it("cancels a job", async () => {
    const { JobId } = await awsJson(...createArgs(true, 1, "cli-token-2"));
    await waitFor(JobId, ["Suspended"]);
    const cancelled = await awsJson("update-job-status", "--job-id", JobId, "--requested-job-status", "Cancelled");
    assert.equal(cancelled.Status, "Cancelling");
    assert.equal((await waitFor(JobId, ["Cancelled"])).Status, "Cancelled");
  });

  it("exits 254 with the error code and message for a missing job", async () => {
    const r = await aws("describe-job", "--job-id", "00000000-0000-0000-0000-000000000000");
    assert.equal(r.code, 254, r.stderr);
    assert.match(
      r.stderr,
      /An error occurred \(NotFoundException\) when calling the DescribeJob operation: The specified job does not exist: 00000000-0000-0000-0000-000000000000/,
    );
    const bad = await aws(
      "update-job-status",
      "--job-id",
      "00000000-0000-0000-0000-000000000000",
      "--requested-job-status",
      "Ready",
    );
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /\(NotFoundException\) when calling the UpdateJobStatus operation/);
  });
});
