/**
 * Jobs of the Google dialect seen through the other three (D47): jobs holding each of Google's operations
 * (UpdateObjectMetadata, RewriteObject, PutObjectHold, UpdateObjectCustomContext, DeleteObject of every version),
 * a Google manifest and a dry run, put in the store as the Google dialect creates them, are described and listed
 * through COS (the COS SDK's signer), OSS (ali-oss's) and S3 Control (raw XML signed by @smithy/signature-v4,
 * and the AWS SDK, whose model must still read the answers), and cancelled through each. Jobs created through
 * the Google routes with the very bodies gcloud 528 sends (bearer token) are then described, listed and cancelled
 * through COS, OSS, S3 Control and /api/v1 (checked against its OpenAPI document). Real objbatch, real HTTP,
 * engine off (statuses stay where the APIs put them).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { DescribeJobCommand, ListJobsCommand, type S3ControlClient } from "@aws-sdk/client-s3-control";
import type { JobSpec, Operation } from "../../src/domain/job.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";

// biome-ignore lint/suspicious/noExplicitAny: parsed XML and JSON of any shape
type Json = any;

import { gcsCall, issueToken } from "../gcs/gcs-client.js";
import { cosRequest } from "../helpers/cos-client.js";
import { DocumentChecker, JsonApiClient } from "../helpers/json-api.js";
import { ossRequest, parseXml } from "../helpers/oss-client.js";
import { ROOT_S3CONTROL, s3ControlClient, signedCall } from "../helpers/s3control-client.js";
import { newJob } from "../helpers/stores.js";

let app: TestApp;
let sdk: S3ControlClient;

before(async () => {
  app = await startTestApp({ runEngine: false });
  sdk = s3ControlClient(app.url, "direct");
});
after(async () => {
  sdk?.destroy();
  await app?.dispose();
});

/** A job as the Google dialect stores it: dialect gcs, a Google manifest in a gs:// bucket, no report. */
async function googleJob(operation: Operation, spec: Partial<JobSpec> = {}): Promise<string> {
  const job = newJob(
    {
      accountId: ROOT.accountId,
      dialect: "gcs",
      operation,
      description: "made with gcloud",
      jobName: `job-${randomUUID().slice(0, 8)}`,
      manifest: {
        format: "GCS_BatchOperations_CSV",
        fields: ["Ignore", "Bucket", "Key", "VersionId"],
        location: {
          objectArn: "gs://photos/manifest.csv",
          bucket: { arn: "gs://photos", bucket: "photos" },
          key: "manifest.csv",
        },
      },
      loggingConfig: { logActions: ["TRANSFORM"], logActionStates: ["FAILED"] },
      ...spec,
    },
    { creationTime: Date.now() },
  );
  await app.store.insertJob(job);
  return job.jobId;
}

const METADATA: Operation = {
  kind: "UpdateObjectMetadata",
  cacheControl: "no-store",
  contentType: "text/plain",
  customTime: "2025-03-04T05:06:07Z",
  userMetadata: [{ key: "team", value: "photos" }],
  retention: { mode: "GOVERNANCE", retainUntilDate: "2030-01-01T00:00:00Z" },
};
const REWRITE: Operation = {
  kind: "RewriteObject",
  kmsKey: "projects/p/locations/us/keyRings/r/cryptoKeys/k",
};
const TEMPORARY_HOLD: Operation = { kind: "PutObjectHold", temporaryHold: true };
const BOTH_HOLDS: Operation = { kind: "PutObjectHold", temporaryHold: false, eventBasedHold: true };
const CONTEXT: Operation = {
  kind: "UpdateObjectCustomContext",
  set: [{ key: "owner", value: "ana" }],
  remove: ["stale"],
};
const DELETE_ALL_VERSIONS: Operation = { kind: "DeleteObject", allVersions: true };

async function s3controlXml(path: string, query: Record<string, string> = {}) {
  const r = await signedCall(app.url, { path, query });
  assert.equal(r.status, 200, r.text);
  return parseXml(r.text);
}

describe("Google jobs through S3 Control", () => {
  it("describes each operation under AWS's element where AWS has one, else an extension", async () => {
    const expected: [Operation, unknown][] = [
      [REWRITE, { S3UpdateObjectEncryption: { ObjectEncryption: { "SSE-KMS": { KMSKeyArn: REWRITE.kmsKey } } } }],
      [TEMPORARY_HOLD, { S3PutObjectLegalHold: { LegalHold: { Status: "ON" } } }],
      [BOTH_HOLDS, { S3PutObjectLegalHold: { LegalHold: { Status: "OFF" }, EventBasedHold: { Status: "ON" } } }],
      [
        METADATA,
        {
          S3UpdateObjectMetadata: {
            CacheControl: "no-store",
            ContentType: "text/plain",
            CustomTime: "2025-03-04T05:06:07Z",
            UserMetadata: { entry: { key: "team", value: "photos" } },
            Retention: { RetainUntilDate: "2030-01-01T00:00:00Z", Mode: "GOVERNANCE" },
          },
        },
      ],
      [
        CONTEXT,
        {
          S3UpdateObjectCustomContext: {
            TagSet: { member: { Key: "owner", Value: "ana" } },
            RemoveKeys: { member: "stale" },
          },
        },
      ],
      [DELETE_ALL_VERSIONS, { S3DeleteObject: { AllVersions: "true" } }],
      // Only the event-based hold: still AWS's hold element, but no LegalHold, which would claim what it does not do.
      [{ kind: "PutObjectHold", eventBasedHold: true }, { S3PutObjectLegalHold: { EventBasedHold: { Status: "ON" } } }],
      [{ kind: "UpdateObjectCustomContext", removeAll: true }, { S3UpdateObjectCustomContext: { RemoveAll: "true" } }],
    ];
    for (const [operation, element] of expected) {
      const jobId = await googleJob(operation);
      const xml = await s3controlXml(`/v20180820/jobs/${jobId}`);
      const job = xml.DescribeJobResult.Job;
      assert.deepEqual(job.Operation, element, operation.kind);
      assert.deepEqual(job.Manifest.Spec, {
        Format: "GCS_BatchOperations_CSV",
        Fields: { member: ["Ignore", "Bucket", "Key", "VersionId"] },
      });
      assert.equal(job.Manifest.Location.ObjectArn, "gs://photos/manifest.csv");
      assert.equal(job.DryRun, undefined, "only a dry run says so");
    }
  });

  it("still parses with the AWS SDK: AWS's elements as AWS's, extensions skipped, list names by kind", async () => {
    const rewrite = await googleJob(REWRITE);
    const hold = await googleJob(TEMPORARY_HOLD);
    const metadata = await googleJob(METADATA, { dryRun: true });
    const describe = async (jobId: string) =>
      (await sdk.send(new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobId }))).Job!;

    const r = await describe(rewrite);
    assert.deepEqual(r.Operation, {
      S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: REWRITE.kmsKey } } },
    });
    assert.equal(r.Description, "made with gcloud");
    assert.equal(r.Status, "New");
    assert.equal(r.Manifest?.Spec?.Format, "GCS_BatchOperations_CSV");
    assert.deepEqual((await describe(hold)).Operation, { S3PutObjectLegalHold: { LegalHold: { Status: "ON" } } });
    const m = await describe(metadata);
    assert.equal(m.JobId, metadata);
    assert.equal(m.Report?.Enabled, false);

    const raw = await s3controlXml(`/v20180820/jobs/${metadata}`);
    assert.equal(raw.DescribeJobResult.Job.DryRun, "true");

    const listed = await sdk.send(new ListJobsCommand({ AccountId: ROOT_S3CONTROL.accountId, MaxResults: 1000 }));
    const name = (id: string) => listed.Jobs?.find((j) => j.JobId === id)?.Operation;
    assert.equal(name(rewrite), "S3UpdateObjectEncryption");
    assert.equal(name(hold), "S3PutObjectLegalHold");
    assert.equal(name(metadata), "S3UpdateObjectMetadata");
  });

  it("cancels a Google job", async () => {
    const jobId = await googleJob(CONTEXT);
    const r = await signedCall(app.url, {
      method: "POST",
      path: `/v20180820/jobs/${jobId}/status`,
      query: { requestedJobStatus: "Cancelled", statusUpdateReason: "via S3 Control" },
    });
    assert.equal(r.status, 200, r.text);
    const job = await app.store.getJob(jobId);
    assert.equal(job?.status, "Cancelling");
    assert.equal(job?.statusUpdateReason, "via S3 Control");
  });
});

describe("Google jobs through COS", () => {
  it("describes each operation under a COS extension name, in COS style", async () => {
    const expected: [Operation, unknown][] = [
      [REWRITE, { COSRewriteObject: { KmsKey: REWRITE.kmsKey } }],
      [BOTH_HOLDS, { COSPutObjectHold: { EventBasedHold: "true", TemporaryHold: "false" } }],
      [
        METADATA,
        {
          COSUpdateObjectMetadata: {
            CacheControl: "no-store",
            ContentType: "text/plain",
            CustomTime: "2025-03-04T05:06:07Z",
            Retention: { Mode: "GOVERNANCE", RetainUntilDate: "2030-01-01T00:00:00Z" },
            UserMetadata: { member: [{ Key: "team", Value: "photos" }] },
          },
        },
      ],
      [
        CONTEXT,
        {
          COSUpdateObjectCustomContext: {
            RemoveKeys: { Key: "stale" },
            TagSet: { COSTag: { Key: "owner", Value: "ana" } },
          },
        },
      ],
      [DELETE_ALL_VERSIONS, { COSDeleteObject: { AllVersions: "true" } }],
    ];
    for (const [operation, element] of expected) {
      const jobId = await googleJob(operation, { dryRun: true });
      const r = await cosRequest(app.url, "GET", `/jobs/${jobId}`);
      assert.equal(r.status, 200, r.text);
      const job = r.xml.DescribeJobResult.Job;
      assert.deepEqual(job.Operation, element, operation.kind);
      assert.equal(job.DryRun, "true");
      assert.equal(job.Manifest.Location.ObjectArn, "gs://photos/manifest.csv");
      assert.equal(job.Manifest.Spec.Format, "GCS_BatchOperations_CSV");
      assert.equal(job.Report.Enabled, "false");
    }
  });

  it("lists them by those names and cancels one", async () => {
    const hold = await googleJob(TEMPORARY_HOLD);
    const metadata = await googleJob(METADATA);
    const listed = await cosRequest(app.url, "GET", "/jobs", { query: { maxResults: "1000" } });
    assert.equal(listed.status, 200, listed.text);
    const members: { JobId: string; Operation: string }[] = listed.xml.ListJobsResult.Jobs.member;
    assert.equal(members.find((m) => m.JobId === hold)?.Operation, "COSPutObjectHold");
    assert.equal(members.find((m) => m.JobId === metadata)?.Operation, "COSUpdateObjectMetadata");
    const cancelled = await cosRequest(app.url, "POST", `/jobs/${hold}/status`, {
      query: { requestedJobStatus: "Cancelled" },
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await app.store.getJob(hold))?.status, "Cancelling");
  });
});

describe("Google jobs through OSS", () => {
  it("describes each operation under its canonical name, in OSS style, with plain bucket names", async () => {
    const expected: [Operation, unknown][] = [
      [REWRITE, { RewriteObject: { KmsKey: REWRITE.kmsKey } }],
      [BOTH_HOLDS, { PutObjectHold: { TemporaryHold: "false", EventBasedHold: "true" } }],
      [
        METADATA,
        {
          UpdateObjectMetadata: {
            CacheControl: "no-store",
            ContentType: "text/plain",
            CustomTime: "2025-03-04T05:06:07Z",
            UserMetadata: { Tag: [{ Key: "team", Value: "photos" }] },
            RetentionMode: "GOVERNANCE",
            RetainUntilDate: "2030-01-01T00:00:00Z",
          },
        },
      ],
      [
        CONTEXT,
        {
          UpdateObjectCustomContext: {
            TagSet: { Tag: [{ Key: "owner", Value: "ana" }] },
            RemoveKeys: { Key: "stale" },
          },
        },
      ],
      [{ kind: "UpdateObjectCustomContext", removeAll: true }, { UpdateObjectCustomContext: { RemoveAll: "true" } }],
      [DELETE_ALL_VERSIONS, { DeleteObject: { AllVersions: "true" } }],
    ];
    for (const [operation, element] of expected) {
      const jobId = await googleJob(operation);
      const r = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobId } });
      assert.equal(r.status, 200, r.text);
      const job = r.xml.DescribeJobResult.Job;
      assert.deepEqual(job.Operation, element, operation.kind);
      assert.deepEqual(job.Manifest, {
        Location: { Bucket: "photos", Object: "manifest.csv" },
        Spec: { Fields: "Ignore,Bucket,Key,VersionId", Format: "GCS_BatchOperations_CSV" },
      });
      assert.equal(job.DryRun, undefined);
    }
  });

  it("lists them by those names and cancels one", async () => {
    const rewrite = await googleJob(REWRITE, { dryRun: true });
    const listed = await ossRequest(app.url, { subres: "batchJob", query: { "max-keys": "1000" } });
    assert.equal(listed.status, 200, listed.text);
    const items: { JobId: string; Operation: string }[] = listed.xml.ListJobsResult.Jobs.JobListDescriptor;
    assert.equal(items.find((j) => j.JobId === rewrite)?.Operation, "RewriteObject");
    const described = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: rewrite } });
    assert.equal(described.xml.DescribeJobResult.Job.DryRun, "true");
    const cancelled = await ossRequest(app.url, {
      method: "POST",
      subres: "batchJobStatus",
      query: { batchJobId: rewrite, requestedJobStatus: "Cancelled" },
      // V4: a V1 signature covers only the sub-resource and the second, so two cancels in one second would share it.
      v4: true,
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await app.store.getJob(rewrite))?.status, "Cancelling");
  });
});

describe("jobs created through the Google routes as gcloud creates them", () => {
  const base = () => `/v1/projects/${ROOT.accountId}/locations/global/jobs`;

  /** POST .../jobs?jobId=<name> with a body gcloud 528 sent (captured with --log-http); the job's objbatch id. */
  async function gcloudCreate(name: string, body: unknown): Promise<string> {
    const token = await issueToken(app, ROOT.accountId);
    const created = await gcsCall(app.url, "POST", `${base()}?alt=json&jobId=${name}`, { token, body });
    assert.equal(created.status, 200, created.text);
    const got = await gcsCall(app.url, "GET", `${base()}/${name}?alt=json`, { token });
    assert.equal(got.status, 200, got.text);
    const job = (await app.store.listJobs(ROOT.accountId, undefined, 1000)).find((j) => j.description === name);
    assert.ok(job, "the job is in the store");
    return job.jobId;
  }

  it("is described, listed and cancelled through COS, OSS, S3 Control and /api/v1", async () => {
    const json = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
    const jobs: Record<"cos" | "oss" | "s3control" | "json", string> = {
      cos: await gcloudCreate("gcloud-to-cos", {
        bucketList: { buckets: [{ bucket: "photos", manifest: { manifestLocation: "gs://photos/m.csv" } }] },
        putMetadata: { contentType: "text/plain", customMetadata: { team: "x" }, customTime: "2025-01-01T00:00:00Z" },
        description: "gcloud-to-cos",
      }),
      oss: await gcloudCreate("gcloud-to-oss", {
        bucketList: { buckets: [{ bucket: "photos", prefixList: { includedObjectPrefixes: ["a/", "b/"] } }] },
        deleteObject: { permanentObjectDeletionEnabled: true },
        description: "gcloud-to-oss",
        loggingConfig: { logActionStates: ["SUCCEEDED", "FAILED"], logActions: ["TRANSFORM"] },
      }),
      s3control: await gcloudCreate("gcloud-to-s3control", {
        bucketList: { buckets: [{ bucket: "photos", prefixList: { includedObjectPrefixes: ["x"] } }] },
        rewriteObject: { kmsKey: REWRITE.kmsKey },
        description: "gcloud-to-s3control",
      }),
      json: await gcloudCreate("gcloud-to-json", {
        bucketList: { buckets: [{ bucket: "photos", prefixList: {} }] },
        putObjectHold: { eventBasedHold: "SET", temporaryHold: "UNSET" },
        description: "gcloud-to-json",
      }),
    };

    const cos = await cosRequest(app.url, "GET", `/jobs/${jobs.cos}`);
    assert.equal(cos.status, 200, cos.text);
    assert.deepEqual(cos.xml.DescribeJobResult.Job.Operation, {
      COSUpdateObjectMetadata: {
        ContentType: "text/plain",
        CustomTime: "2025-01-01T00:00:00Z",
        UserMetadata: { member: [{ Key: "team", Value: "x" }] },
      },
    });
    assert.equal(cos.xml.DescribeJobResult.Job.Manifest.Location.ObjectArn, "gs://photos/m.csv");
    const oss = await ossRequest(app.url, { subres: "batchJob", query: { batchJobId: jobs.oss } });
    assert.equal(oss.status, 200, oss.text);
    assert.deepEqual(oss.xml.DescribeJobResult.Job.Operation, { DeleteObject: { AllVersions: "true" } });
    const s3 = await sdk.send(new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobs.s3control }));
    assert.deepEqual(s3.Job?.Operation, {
      S3UpdateObjectEncryption: { ObjectEncryption: { SSEKMS: { KMSKeyArn: REWRITE.kmsKey } } },
    });
    // A prefix job's listing is a generator in AWS's terms, its bucket as sent (gs://).
    assert.deepEqual(s3.Job?.ManifestGenerator, {
      S3JobManifestGenerator: {
        SourceBucket: "gs://photos",
        Filter: { KeyNameConstraint: { MatchAnyPrefix: ["x"] } },
        EnableManifestOutput: false,
      },
    });
    const viaJson = await json.get(`/api/v1/jobs/${jobs.json}`);
    assert.equal(viaJson.status, 200, viaJson.text);
    assert.equal(viaJson.json.dialect, "gcs");
    assert.equal(viaJson.json.operation.kind, "PutObjectHold");

    const cosList = await cosRequest(app.url, "GET", "/jobs", { query: { maxResults: "1000" } });
    const cosNames = new Map(cosList.xml.ListJobsResult.Jobs.member.map((m: Json) => [m.JobId, m.Operation]));
    assert.equal(cosNames.get(jobs.cos), "COSUpdateObjectMetadata");
    const ossList = await ossRequest(app.url, { subres: "batchJob", query: { "max-keys": "1000" } });
    const ossNames = new Map(
      ossList.xml.ListJobsResult.Jobs.JobListDescriptor.map((m: Json) => [m.JobId, m.Operation]),
    );
    assert.equal(ossNames.get(jobs.oss), "DeleteObject");
    const s3List = await sdk.send(new ListJobsCommand({ AccountId: ROOT_S3CONTROL.accountId, MaxResults: 1000 }));
    assert.equal(s3List.Jobs?.find((j) => j.JobId === jobs.s3control)?.Operation, "S3UpdateObjectEncryption");
    const jsonList = await json.get("/api/v1/jobs", { limit: "100" });
    assert.equal(jsonList.status, 200, jsonList.text);
    assert.ok(
      jsonList.json.jobs.some((j: Json) => j.jobId === jobs.json && j.operation === "PutObjectHold"),
      jsonList.text,
    );

    const cancels = [
      cosRequest(app.url, "POST", `/jobs/${jobs.cos}/status`, { query: { requestedJobStatus: "Cancelled" } }),
      ossRequest(app.url, {
        method: "POST",
        subres: "batchJobStatus",
        query: { batchJobId: jobs.oss, requestedJobStatus: "Cancelled" },
        v4: true,
      }),
      signedCall(app.url, {
        method: "POST",
        path: `/v20180820/jobs/${jobs.s3control}/status`,
        query: { requestedJobStatus: "Cancelled" },
      }),
      json.post(`/api/v1/jobs/${jobs.json}/cancel`),
    ];
    for (const answer of await Promise.all(cancels)) assert.ok(answer.status < 300, answer.text);
    const token = await issueToken(app, ROOT.accountId);
    for (const name of ["gcloud-to-cos", "gcloud-to-oss", "gcloud-to-s3control", "gcloud-to-json"]) {
      const got = await gcsCall(app.url, "GET", `${base()}/${name}?alt=json`, { token });
      // Cancelling (the engine is off, so it goes no further) is RUNNING in Google's states.
      assert.equal(got.json.state, "RUNNING", name);
      assert.equal(
        (await app.store.getJob(jobs[name.slice("gcloud-to-".length) as keyof typeof jobs]))?.status,
        "Cancelling",
      );
    }
  });
});
