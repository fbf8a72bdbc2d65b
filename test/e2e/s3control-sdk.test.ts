/**
 * S3 Control end to end with the real AWS SDK for JavaScript v3 (@aws-sdk/client-s3-control) against a running
 * objbatch (HTTP, engine, SQLite, local-directory storage), in both client set-ups of docs/clients-and-servers.md:
 * an endpointProvider (Host 127.0.0.1:PORT) and the SDK's own `<account>.localhost` host prefix resolved by an
 * http.Agent lookup (the two set-ups the README describes).
 *
 * A job of every operation variant is created and described back field for field; copy and tagging jobs run on
 * real buckets and their effect is checked on the objects. ListJobs is paged with paginateListJobs, priority
 * and status are changed, a job needing confirmation is confirmed and runs, one is cancelled, job tags are put,
 * read and deleted, and the SDK's own exception classes come back for the modelled errors.
 *
 * Over 400 lines: one running objbatch and both SDK clients serve every operation variant; split into files,
 * each would start its own server and clients for a few assertions.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateJobCommand,
  type CreateJobCommandInput,
  DeleteJobTaggingCommand,
  DescribeJobCommand,
  GetJobTaggingCommand,
  IdempotencyException,
  type JobDescriptor,
  type JobOperation,
  JobStatusException,
  ListJobsCommand,
  NotFoundException,
  PutJobTaggingCommand,
  paginateListJobs,
  type S3ControlClient,
  UpdateJobPriorityCommand,
  UpdateJobStatusCommand,
} from "@aws-sdk/client-s3-control";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type ClientSetup, ROOT_S3CONTROL, s3ControlClient, signedCall } from "../helpers/s3control-client.js";
import { dropFiles, makeBuckets, readReport, writeManifest } from "./helpers.js";

const ACCOUNT = ROOT_S3CONTROL.accountId;
const ROLE = "arn:aws:iam::123456789012:role/batch-operations";
const SRC = "sdk-src";
const DST = "sdk-dst";
const REPORTS = "sdk-reports";
const KEYS = ["a.txt", "dir/b.txt", "with space+plus.txt"];
const TERMINAL = ["Complete", "Cancelled", "Failed"];

let app: TestApp;
let clients: Record<ClientSetup, S3ControlClient>;
let manifestEtag: string;

function manifest(): CreateJobCommandInput["Manifest"] {
  return {
    Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
    Location: { ObjectArn: `arn:aws:s3:::${SRC}/manifests/m.csv`, ETag: manifestEtag },
  };
}

function jobInput(operation: JobOperation, more: Partial<CreateJobCommandInput> = {}): CreateJobCommandInput {
  return {
    AccountId: ACCOUNT,
    ConfirmationRequired: false,
    Operation: operation,
    Report: {
      Bucket: `arn:aws:s3:::${REPORTS}`,
      Format: "Report_CSV_20180820",
      Enabled: true,
      Prefix: "sdk",
      ReportScope: "AllTasks",
    },
    Manifest: manifest(),
    Priority: 10,
    RoleArn: ROLE,
    Description: "sdk job",
    ...more,
  };
}

async function create(setup: ClientSetup, input: CreateJobCommandInput): Promise<string> {
  const out = await clients[setup].send(new CreateJobCommand(input));
  assert.ok(out.JobId);
  return out.JobId;
}

async function describeJob(jobId: string, setup: ClientSetup = "direct"): Promise<JobDescriptor> {
  const out = await clients[setup].send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId: jobId }));
  assert.ok(out.Job);
  return out.Job;
}

async function waitFor(jobId: string, statuses: readonly string[] = TERMINAL, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let job: JobDescriptor | undefined;
  while (Date.now() < deadline) {
    job = await describeJob(jobId);
    if (statuses.includes(job.Status ?? "")) return job;
    await sleep(30);
  }
  assert.fail(`job ${jobId} did not reach ${statuses.join("/")}: ${JSON.stringify(job)}`);
}

/** Every field of S3PutObjectCopy, values the model allows. */
const FULL_COPY: JobOperation = {
  S3PutObjectCopy: {
    TargetResource: `arn:aws:s3:::${DST}`,
    CannedAccessControlList: "bucket-owner-full-control",
    AccessControlGrants: [
      { Grantee: { TypeIdentifier: "id", Identifier: "canonical-user-1", DisplayName: "One" }, Permission: "READ" },
      { Grantee: { TypeIdentifier: "emailAddress", Identifier: "a@example.com" }, Permission: "WRITE_ACP" },
    ],
    MetadataDirective: "REPLACE",
    ModifiedSinceConstraint: new Date("2020-01-02T03:04:05Z"),
    NewObjectMetadata: {
      CacheControl: "no-cache",
      ContentDisposition: "inline",
      ContentEncoding: "identity",
      ContentLanguage: "en",
      UserMetadata: { color: "blue", size: "L" },
      ContentLength: 3,
      ContentMD5: "md5-value",
      ContentType: "text/plain",
      HttpExpiresDate: new Date("2030-01-01T00:00:00Z"),
      RequesterCharged: true,
      SSEAlgorithm: "AES256",
    },
    NewObjectTagging: [{ Key: "copied", Value: "yes" }],
    RedirectLocation: "/elsewhere",
    RequesterPays: false,
    StorageClass: "STANDARD_IA",
    UnModifiedSinceConstraint: new Date("2035-01-02T03:04:05.123Z"),
    SSEAwsKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/key-1",
    TargetKeyPrefix: "copies",
    ObjectLockLegalHoldStatus: "OFF",
    ObjectLockMode: "GOVERNANCE",
    ObjectLockRetainUntilDate: new Date("2031-01-01T00:00:00Z"),
    BucketKeyEnabled: true,
    ChecksumAlgorithm: "CRC32C",
  },
};

/** One job per operation variant the SDK's model knows; the SDK must read each back exactly as sent. */
const VARIANTS: Record<string, JobOperation> = {
  S3PutObjectCopy: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${DST}`, TargetKeyPrefix: "plain" } },
  S3PutObjectTagging: { S3PutObjectTagging: { TagSet: [{ Key: "project", Value: "alpha" }] } },
  S3DeleteObjectTagging: { S3DeleteObjectTagging: {} },
  S3PutObjectAcl: {
    S3PutObjectAcl: {
      AccessControlPolicy: {
        AccessControlList: {
          Owner: { ID: "owner-1", DisplayName: "Owner" },
          Grants: [
            {
              Grantee: { TypeIdentifier: "uri", Identifier: "http://acs.amazonaws.com/groups/global/AllUsers" },
              Permission: "READ",
            },
          ],
        },
      },
    },
  },
  S3InitiateRestoreObject: { S3InitiateRestoreObject: { ExpirationInDays: 2, GlacierJobTier: "STANDARD" } },
  S3PutObjectLegalHold: { S3PutObjectLegalHold: { LegalHold: { Status: "ON" } } },
  S3PutObjectRetention: {
    S3PutObjectRetention: {
      BypassGovernanceRetention: true,
      Retention: { RetainUntilDate: new Date("2030-05-06T07:08:09Z"), Mode: "GOVERNANCE" },
    },
  },
  S3ComputeObjectChecksum: { S3ComputeObjectChecksum: { ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT" } },
  LambdaInvoke: {
    LambdaInvoke: {
      FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:tagger",
      InvocationSchemaVersion: "2.0",
      UserArguments: { mode: "fast", retries: "2" },
    },
  },
  S3ReplicateObject: { S3ReplicateObject: {} },
};

before(async () => {
  app = await startTestApp({ engine: { chunkSize: 2, pollMs: 20 } });
  clients = { direct: s3ControlClient(app.url, "direct"), hostPrefix: s3ControlClient(app.url, "hostPrefix") };
  await makeBuckets(app, SRC, DST, REPORTS);
  await dropFiles(app, SRC, Object.fromEntries(KEYS.map((k) => [k, `body of ${k}`])));
  await writeManifest(app, SRC, "manifests/m.csv", SRC, KEYS);
  const bytes = await readFile(join(app.dataDir, "buckets", SRC, "manifests/m.csv"));
  manifestEtag = createHash("md5").update(bytes).digest("hex");
});

after(async () => {
  for (const c of Object.values(clients ?? {})) c.destroy();
  await app?.dispose();
});

describe("S3 Control through the AWS SDK", () => {
  it("creates a job of every operation variant and describes each back as sent, with either client set-up", async () => {
    const setups: ClientSetup[] = ["direct", "hostPrefix"];
    const created: [string, string][] = [];
    let i = 0;
    for (const [name, operation] of Object.entries(VARIANTS)) {
      const setup = setups[i++ % 2]!;
      const jobId = await create(setup, jobInput(operation, { Description: `variant ${name}` }));
      created.push([name, jobId]);
      const job = await describeJob(jobId, setup === "direct" ? "hostPrefix" : "direct");
      assert.deepEqual(job.Operation, operation, name);
      assert.equal(job.JobId, jobId);
      assert.equal(job.JobArn, `arn:aws:s3:us-east-1:${ACCOUNT}:job/${jobId}`);
      assert.equal(job.Description, `variant ${name}`);
      assert.equal(job.RoleArn, ROLE);
      assert.equal(job.Priority, 10);
      assert.equal(job.ConfirmationRequired, false);
      assert.deepEqual(job.Manifest, manifest());
      assert.deepEqual(job.Report, jobInput(operation).Report);
      assert.ok(job.CreationTime instanceof Date);
    }
    // Every job runs to an end; jobs of operations a local directory cannot perform end with failed tasks.
    for (const [name, jobId] of created) {
      const job = await waitFor(jobId);
      assert.ok(TERMINAL.includes(job.Status!), `${name}: ${job.Status}`);
      const p = job.ProgressSummary!;
      assert.equal(p.TotalNumberOfTasks, KEYS.length, name);
      assert.equal((p.NumberOfTasksSucceeded ?? 0) + (p.NumberOfTasksFailed ?? 0), KEYS.length, name);
      assert.equal(typeof p.Timers?.ElapsedTimeInActiveSeconds, "number", name);
      assert.ok(job.TerminationDate instanceof Date, name);
    }
    const byName = Object.fromEntries(created);
    // Copy and tagging really happened on the local buckets.
    const copy = await waitFor(byName.S3PutObjectCopy!);
    assert.equal(copy.Status, "Complete");
    assert.equal(copy.ProgressSummary?.NumberOfTasksSucceeded, KEYS.length);
    for (const k of KEYS) {
      assert.equal(await readFile(join(app.dataDir, "buckets", DST, "plain", k), "utf8"), `body of ${k}`);
    }
    const report = await readReport(app, REPORTS, "sdk", byName.S3PutObjectCopy!);
    assert.deepEqual(report.rows.map((r) => r.status).sort(), ["succeeded", "succeeded", "succeeded"]);
    const tagging = await waitFor(byName.S3PutObjectTagging!);
    assert.equal(tagging.ProgressSummary?.NumberOfTasksSucceeded, KEYS.length, JSON.stringify(tagging));
  });

  it("tags objects, then deletes the tags, on the local buckets", async () => {
    const put = await create("direct", jobInput({ S3PutObjectTagging: { TagSet: [{ Key: "stage", Value: "one" }] } }));
    assert.equal((await waitFor(put)).Status, "Complete");
    for (const k of KEYS) assert.deepEqual(await app.storage.getTagging(SRC, k), [{ key: "stage", value: "one" }]);
    const del = await create("hostPrefix", jobInput({ S3DeleteObjectTagging: {} }));
    const done = await waitFor(del);
    assert.equal(done.Status, "Complete");
    assert.equal(done.ProgressSummary?.NumberOfTasksSucceeded, KEYS.length);
    for (const k of KEYS) assert.deepEqual(await app.storage.getTagging(SRC, k), []);
  });

  it("round-trips every S3PutObjectCopy field and a ManifestGenerator with every filter", async () => {
    const generator: CreateJobCommandInput["ManifestGenerator"] = {
      S3JobManifestGenerator: {
        ExpectedBucketOwner: "123456789012",
        SourceBucket: `arn:aws:s3:::${SRC}`,
        ManifestOutputLocation: {
          ExpectedManifestBucketOwner: "123456789012",
          Bucket: `arn:aws:s3:::${REPORTS}`,
          ManifestPrefix: "generated",
          ManifestEncryption: { SSEKMS: { KeyId: "arn:aws:kms:us-east-1:123456789012:key/m" } },
          ManifestFormat: "S3InventoryReport_CSV_20211130",
        },
        Filter: {
          EligibleForReplication: false,
          CreatedAfter: new Date("2020-01-01T00:00:00Z"),
          CreatedBefore: new Date("2099-01-01T00:00:00Z"),
          ObjectReplicationStatuses: ["NONE", "FAILED"],
          KeyNameConstraint: { MatchAnyPrefix: ["dir/"], MatchAnySuffix: [".txt"], MatchAnySubstring: ["b"] },
          ObjectSizeGreaterThanBytes: 1,
          ObjectSizeLessThanBytes: 1_000_000,
          MatchAnyStorageClass: ["STANDARD"],
          MatchAnyObjectEncryption: [
            { SSEKMS: { KmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc-123", BucketKeyEnabled: true } },
          ],
        },
        EnableManifestOutput: true,
      },
    };
    const jobId = await create(
      "hostPrefix",
      jobInput(FULL_COPY, { Manifest: undefined, ManifestGenerator: generator, ConfirmationRequired: true }),
    );
    const job = await describeJob(jobId, "direct");
    assert.deepEqual(job.Operation, FULL_COPY);
    assert.deepEqual(job.ManifestGenerator, generator);
    assert.equal(job.Manifest, undefined);
    assert.equal(job.ConfirmationRequired, true);
    // Cancel it wherever it is: waiting for confirmation, or (racing us) already ended by the engine.
    try {
      const out = await clients.direct.send(
        new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: jobId, RequestedJobStatus: "Cancelled" }),
      );
      assert.equal(out.Status, "Cancelling");
    } catch (e) {
      assert.ok(e instanceof JobStatusException, String(e));
    }
    const end = await waitFor(jobId);
    assert.ok(TERMINAL.includes(end.Status ?? ""), String(end.Status));
    // What was sent is still described as sent once the job has ended.
    assert.deepEqual(end.ManifestGenerator, generator);
  });

  it("confirms a job that needs confirmation: Suspended -> Ready -> it runs", async () => {
    const jobId = await create("direct", jobInput(VARIANTS.S3PutObjectCopy!, { ConfirmationRequired: true }));
    const suspended = await waitFor(jobId, ["Suspended", ...TERMINAL]);
    assert.equal(suspended.Status, "Suspended");
    assert.equal(suspended.ConfirmationRequired, true);
    assert.ok(suspended.SuspendedDate instanceof Date);
    const out = await clients.hostPrefix.send(
      new UpdateJobStatusCommand({
        AccountId: ACCOUNT,
        JobId: jobId,
        RequestedJobStatus: "Ready",
        StatusUpdateReason: "looks right",
      }),
    );
    assert.equal(out.JobId, jobId);
    assert.equal(out.Status, "Ready");
    assert.equal(out.StatusUpdateReason, "looks right");
    const done = await waitFor(jobId);
    assert.equal(done.Status, "Complete");
    assert.equal(done.ProgressSummary?.NumberOfTasksSucceeded, KEYS.length);
  });

  it("cancels a waiting job and changes a job's priority", async () => {
    const jobId = await create("hostPrefix", jobInput(VARIANTS.S3PutObjectTagging!, { ConfirmationRequired: true }));
    await waitFor(jobId, ["Suspended"]);
    const p = await clients.direct.send(
      new UpdateJobPriorityCommand({ AccountId: ACCOUNT, JobId: jobId, Priority: 99 }),
    );
    assert.deepEqual({ JobId: p.JobId, Priority: p.Priority }, { JobId: jobId, Priority: 99 });
    assert.equal((await describeJob(jobId)).Priority, 99);
    const c = await clients.direct.send(
      new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: jobId, RequestedJobStatus: "Cancelled" }),
    );
    assert.equal(c.Status, "Cancelling");
    const done = await waitFor(jobId);
    assert.equal(done.Status, "Cancelled");
    assert.equal(done.ProgressSummary?.NumberOfTasksSucceeded, 0);
  });

  it("keeps job tags: Tags on CreateJob, then Put/Get/DeleteJobTagging", async () => {
    const jobId = await create(
      "direct",
      jobInput(VARIANTS.S3ReplicateObject!, {
        ConfirmationRequired: true,
        Tags: [
          { Key: "team", Value: "storage" },
          { Key: "cost-center", Value: "42" },
        ],
      }),
    );
    const get = async () =>
      (await clients.hostPrefix.send(new GetJobTaggingCommand({ AccountId: ACCOUNT, JobId: jobId }))).Tags;
    assert.deepEqual(await get(), [
      { Key: "team", Value: "storage" },
      { Key: "cost-center", Value: "42" },
    ]);
    await clients.direct.send(
      new PutJobTaggingCommand({ AccountId: ACCOUNT, JobId: jobId, Tags: [{ Key: "only", Value: "this" }] }),
    );
    assert.deepEqual(await get(), [{ Key: "only", Value: "this" }]);
    await clients.hostPrefix.send(new DeleteJobTaggingCommand({ AccountId: ACCOUNT, JobId: jobId }));
    assert.deepEqual((await get()) ?? [], []);
  });

  it("pages through ListJobs with paginateListJobs and filters by status", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      ids.add(await create("direct", jobInput(VARIANTS.S3ReplicateObject!, { ConfirmationRequired: true })));
    }
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListJobs({ client: clients.hostPrefix, pageSize: 3 }, { AccountId: ACCOUNT })) {
      pages++;
      assert.ok((page.Jobs?.length ?? 0) <= 3);
      for (const j of page.Jobs ?? []) {
        seen.push(j.JobId!);
        assert.ok(j.Operation && j.Status && j.CreationTime instanceof Date && j.ProgressSummary);
      }
    }
    assert.ok(pages >= 3, `pages: ${pages}`);
    assert.equal(new Set(seen).size, seen.length, "no job twice");
    for (const id of ids) assert.ok(seen.includes(id), id);
    // Newest first (D6).
    assert.deepEqual(seen.slice(0, 5).sort(), [...ids].sort());

    const filtered = await clients.direct.send(
      new ListJobsCommand({ AccountId: ACCOUNT, JobStatuses: ["Complete", "Cancelled"], MaxResults: 1000 }),
    );
    assert.ok((filtered.Jobs?.length ?? 0) > 0);
    for (const j of filtered.Jobs ?? [])
      assert.ok(["Complete", "Cancelled"].includes(j.Status ?? ""), String(j.Status));
    assert.equal(filtered.NextToken, undefined);
  });

  it("creates the S3DeleteObject extension (D1) and shows it by that name", async () => {
    await makeBuckets(app, "sdk-doomed");
    await dropFiles(app, "sdk-doomed", { "x.txt": "x", "y.txt": "y" });
    await writeManifest(app, "sdk-doomed", "m.csv", "sdk-doomed", ["x.txt", "y.txt"]);
    const etag = createHash("md5")
      .update(await readFile(join(app.dataDir, "buckets", "sdk-doomed", "m.csv")))
      .digest("hex");
    // The SDK's model has no S3DeleteObject, so this request is signed and sent by hand (with the ETag the model
    // requires of a manifest Location).
    const body =
      "<CreateJobRequest><Operation><S3DeleteObject/></Operation><Report><Enabled>false</Enabled></Report>" +
      `<ClientRequestToken>${randomUUID()}</ClientRequestToken><Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format>` +
      "<Fields><member>Bucket</member><member>Key</member></Fields></Spec><Location><ObjectArn>arn:aws:s3:::sdk-doomed/m.csv</ObjectArn>" +
      `<ETag>${etag}</ETag></Location></Manifest><Priority>1</Priority><RoleArn>${ROLE}</RoleArn></CreateJobRequest>`;
    const r = await signedCall(app.url, { method: "POST", path: "/v20180820/jobs", body });
    assert.equal(r.status, 200, r.text);
    const jobId = /<JobId>([^<]+)<\/JobId>/.exec(r.text)![1]!;
    const done = await waitFor(jobId);
    assert.equal(done.Status, "Complete");
    assert.equal(done.ProgressSummary?.NumberOfTasksSucceeded, 2);
    await assert.rejects(app.storage.head("sdk-doomed", "x.txt"));
    const listed = await clients.direct.send(new ListJobsCommand({ AccountId: ACCOUNT }));
    assert.equal(listed.Jobs?.find((j) => j.JobId === jobId)?.Operation, "S3DeleteObject");
  });

  it("throws the SDK's own exception classes", async () => {
    await assert.rejects(
      clients.hostPrefix.send(
        new DescribeJobCommand({ AccountId: ACCOUNT, JobId: "00000000-0000-0000-0000-000000000000" }),
      ),
      (e: unknown) => {
        assert.ok(e instanceof NotFoundException, String(e));
        assert.equal(e.$metadata.httpStatusCode, 404);
        return true;
      },
    );
    const token = randomUUID();
    const first = await create(
      "direct",
      jobInput(VARIANTS.S3ReplicateObject!, { ClientRequestToken: token, ConfirmationRequired: true }),
    );
    // The same token and request is the same job (D5); a different request with it is an IdempotencyException.
    assert.equal(
      await create(
        "hostPrefix",
        jobInput(VARIANTS.S3ReplicateObject!, { ClientRequestToken: token, ConfirmationRequired: true }),
      ),
      first,
    );
    await assert.rejects(
      create("direct", jobInput(VARIANTS.S3DeleteObjectTagging!, { ClientRequestToken: token })),
      (e: unknown) => e instanceof IdempotencyException,
    );
    await clients.direct.send(
      new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: first, RequestedJobStatus: "Cancelled" }),
    );
    await waitFor(first);
    await assert.rejects(
      clients.direct.send(
        new UpdateJobStatusCommand({ AccountId: ACCOUNT, JobId: first, RequestedJobStatus: "Ready" }),
      ),
      (e: unknown) => {
        assert.ok(e instanceof JobStatusException, String(e));
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    await assert.rejects(
      s3ControlClient(app.url, "direct", { credentials: { ...ROOT_S3CONTROL, secretAccessKey: "wrong" } }).send(
        new ListJobsCommand({ AccountId: ACCOUNT }),
      ),
      (e: unknown) => (e as { name?: string }).name === "SignatureDoesNotMatch",
    );
  });
});
