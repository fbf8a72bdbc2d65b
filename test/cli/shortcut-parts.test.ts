/**
 * The shortcuts' flags as the API's job (src/cli/shortcut-jobs.ts), in this process: where the objects come
 * from (a manifest in a bucket, a local file, a listing with filters), how a copy's keys map, the report, and
 * every flag a shortcut refuses before anything is sent. Each built job is checked against the API's own
 * CreateJobRequest schema, so a shortcut cannot send a job the server would refuse for its shape.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Value } from "typebox/value";
import { CreateJobRequestSchema } from "../../src/api/json/schemas/requests.js";
import { CliError } from "../../src/cli/exit-codes.js";
import { parseS3Url } from "../../src/cli/s3-url.js";
import {
  aclOperation,
  checksumOperation,
  copyOperation,
  defaultFields,
  invokeOperation,
  jobRequestOf,
  restoreOperation,
  type ShortcutSource,
  sizeOf,
  sourceOf,
  tagOperation,
} from "../../src/cli/shortcut-jobs.js";

function valid(job: unknown): void {
  const errors = [...Value.Errors(CreateJobRequestSchema, job)].map((e) => `${e.instancePath} ${e.message}`);
  assert.deepEqual(errors, [], JSON.stringify(job));
}

function refused(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (e: unknown) => e instanceof CliError && pattern.test(e.message));
}

function fromOf(source: ShortcutSource) {
  if (source.kind === "listing") return { manifestGenerator: source.generator };
  if (source.kind === "manifest") return { manifest: source.manifest };
  throw new Error("a local manifest is uploaded first");
}

describe("a shortcut's objects", () => {
  it("are a manifest in a bucket: S3's CSV with Bucket,Key unless told otherwise", () => {
    const source = sourceOf({ manifest: "s3://photos/lists/manifest.csv" });
    assert.deepEqual(source, {
      kind: "manifest",
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "photos", key: "lists/manifest.csv" },
      },
    });
    const versioned = sourceOf({ manifest: "s3://photos/m.csv", fields: "bucket,key,versionid" });
    assert.deepEqual(versioned.kind === "manifest" && versioned.manifest.fields, ["Bucket", "Key", "VersionId"]);
    const inventory = sourceOf({ manifest: "s3://inv/photos/2026-12-01T00-00Z/manifest.json" });
    assert.equal(inventory.kind === "manifest" && inventory.manifest.format, "S3InventoryReport_CSV_20161130");
    valid(jobRequestOf({ kind: "DeleteObject" }, fromOf(inventory), {}));
  });

  it("are a local file, left to upload, its columns found from its first row when --fields does not say", () => {
    assert.deepEqual(sourceOf({ manifest: "./keys.csv" }), {
      kind: "local-manifest",
      file: "./keys.csv",
      format: "S3BatchOperations_CSV_20180820",
      fields: undefined,
    });
    assert.deepEqual(defaultFields("S3BatchOperations_CSV_20180820", 2), ["Bucket", "Key"]);
    assert.deepEqual(defaultFields("S3BatchOperations_CSV_20180820", 3), ["Bucket", "Key", "VersionId"]);
    assert.deepEqual(defaultFields("COSInventoryReport_CSV_V1"), []);
  });

  it("are a listing: the prefix and every filter become the generator's", () => {
    const source = sourceOf({
      source: "s3://photos/2024/",
      suffix: [".jpg", ".png"],
      contains: ["cat"],
      largerThan: 1024,
      smallerThan: sizeOf("10MB"),
      createdAfter: "2026-01-31",
      createdBefore: "2026-12-01T12:00:00+01:00",
      inStorageClass: ["STANDARD"],
    });
    assert.equal(source.kind, "listing");
    const job = jobRequestOf({ kind: "DeleteObject" }, fromOf(source), {});
    valid(job);
    assert.deepEqual(job.manifestGenerator, {
      kind: "S3JobManifestGenerator",
      sourceBucket: "photos",
      enableManifestOutput: false,
      filter: {
        keyNameConstraint: { matchAnyPrefix: ["2024/"], matchAnySuffix: [".jpg", ".png"], matchAnySubstring: ["cat"] },
        objectSizeGreaterThanBytes: 1024,
        objectSizeLessThanBytes: 10_000_000,
        createdAfter: "2026-01-31T00:00:00.000Z",
        createdBefore: "2026-12-01T11:00:00.000Z",
        matchAnyStorageClass: ["STANDARD"],
      },
    });
    // A whole bucket, unfiltered: no filter at all.
    const whole = sourceOf({ source: "s3://photos" });
    assert.deepEqual(whole.kind === "listing" && whole.generator, {
      kind: "S3JobManifestGenerator",
      sourceBucket: "photos",
      enableManifestOutput: false,
    });
  });

  it("are named exactly once, and filters go with a listing only", () => {
    refused(() => sourceOf({}), /--manifest .* or --source/);
    refused(() => sourceOf({ manifest: "s3://a/m.csv", source: "s3://a/" }), /--manifest .* or --source/);
    refused(() => sourceOf({ manifest: "s3://a/m.csv", suffix: [".jpg"] }), /--suffix filters a bucket listing/);
    refused(() => sourceOf({ source: "s3://a/", fields: "Bucket,Key" }), /describe a manifest/);
    refused(() => sourceOf({ manifest: "s3://a/" }), /names an object/);
    refused(() => sourceOf({ manifest: "s3://a/m.csv", fields: "Bucket,Name" }), /--fields lists/);
    refused(() => sourceOf({ manifest: "s3://a/m.csv", manifestFormat: "XML" }), /--manifest-format is one of/);
    refused(() => sourceOf({ source: "s3://a/", createdAfter: "yesterday" }), /--created-after is a date/);
    refused(() => sourceOf({ source: "gs://a/" }), /--source takes s3:\/\/bucket\/prefix/);
    refused(() => sourceOf({ source: "s3://../etc" }), /is not a bucket name/);
  });
});

describe("a copy's keys", () => {
  it("go into --to's prefix as a folder from a manifest (AWS), replacing the listed prefix from a listing", () => {
    const manifest = sourceOf({ manifest: "s3://photos/m.csv" });
    assert.deepEqual(copyOperation({ to: "s3://backup/copies/" }, manifest), {
      kind: "PutObjectCopy",
      targetResource: "backup",
      targetKeyPrefix: "copies/",
    });
    assert.deepEqual(copyOperation({ to: "s3://backup" }, manifest), {
      kind: "PutObjectCopy",
      targetResource: "backup",
    });
    const listing = sourceOf({ source: "s3://photos/2024/" });
    const op = copyOperation({ to: "s3://backup/copies/", storageClass: "GLACIER", acl: "private" }, listing);
    assert.deepEqual(op, {
      kind: "PutObjectCopy",
      targetResource: "backup",
      prefixReplace: true,
      resourcesPrefix: "2024/",
      targetKeyPrefix: "copies/",
      storageClass: "GLACIER",
      cannedAccessControlList: "private",
    });
    valid(jobRequestOf(op, fromOf(listing), {}));
    refused(() => copyOperation({ to: "backup/copies" }, listing), /--to takes s3:\/\//);
  });
});

describe("the other operations", () => {
  it("are the API's, each valid in a job", () => {
    const from = fromOf(sourceOf({ source: "s3://photos/" }));
    const ops = [
      tagOperation(["team=media", "note=a=b", "empty="], false),
      tagOperation(["archived=yes"], true),
      restoreOperation({ days: 7, tier: "Bulk" }),
      aclOperation("public-read"),
      checksumOperation({ algorithm: "sha256", type: "full-object" }),
      invokeOperation({ function: "thumbnailer", arg: ["size=256"], schema: "2.0" }),
    ];
    for (const op of ops) valid(jobRequestOf(op, from, {}));
    assert.deepEqual(ops[0], {
      kind: "PutObjectTagging",
      tagSet: [
        { key: "team", value: "media" },
        { key: "note", value: "a=b" },
        { key: "empty", value: "" },
      ],
    });
    assert.equal(ops[1]!.kind, "AddObjectTagging");
    assert.deepEqual(ops[4], { kind: "ComputeObjectChecksum", algorithm: "SHA256", checksumType: "FULL_OBJECT" });
    assert.deepEqual(restoreOperation({}), { kind: "InitiateRestoreObject", expirationInDays: 1 });
  });

  it("refuse what the API would, before anything is sent", () => {
    refused(() => tagOperation(["=x"], false), /KEY=VALUE/);
    refused(
      () =>
        tagOperation(
          Array.from({ length: 11 }, (_, i) => `k${i}=v`),
          false,
        ),
      /at most 10 tags/,
    );
    refused(() => restoreOperation({ tier: "Fast" }), /--tier is Bulk, Standard or Expedited/);
    refused(() => checksumOperation({ algorithm: "SHA256", type: "partial" }), /--type is full-object or composite/);
    refused(() => invokeOperation({ function: "f", schema: "3.0" }), /--schema is 1.0 or 2.0/);
  });
});

describe("the job's settings", () => {
  it("name the report, the priority, the job's tags, the role and the token", () => {
    const job = jobRequestOf({ kind: "DeleteObject" }, fromOf(sourceOf({ source: "s3://logs/2023/" })), {
      report: "s3://logs/reports/",
      reportFailedOnly: true,
      priority: 50,
      description: "old logs",
      jobTag: ["team=ops"],
      role: "arn:aws:iam::1:role/batch",
      clientToken: "logs-2023",
    });
    valid(job);
    assert.deepEqual(job.report, {
      enabled: true,
      bucket: "logs",
      format: "Report_CSV_20180820",
      prefix: "reports",
      scope: "FailedTasksOnly",
    });
    assert.equal(job.priority, 50);
    assert.deepEqual(job.tags, [{ key: "team", value: "ops" }]);
    assert.equal(job.roleArn, "arn:aws:iam::1:role/batch");
    assert.equal(job.clientRequestToken, "logs-2023");
    const bare = jobRequestOf({ kind: "DeleteObject" }, fromOf(sourceOf({ source: "s3://logs" })), {});
    assert.deepEqual(bare.report, { enabled: false });
    refused(
      () => jobRequestOf({ kind: "DeleteObject" }, fromOf(sourceOf({ source: "s3://l" })), { reportFailedOnly: true }),
      /--report-failed-only needs --report/,
    );
  });

  it("read sizes and locations as people write them", () => {
    assert.equal(sizeOf("1048576"), 1048576);
    assert.equal(sizeOf("1.5GiB"), 1.5 * 2 ** 30);
    assert.equal(sizeOf("512k"), 512_000);
    assert.equal(sizeOf("10 MB"), 10_000_000);
    assert.equal(sizeOf("ten"), undefined);
    assert.equal(sizeOf("-5"), undefined);
    assert.deepEqual(parseS3Url("s3://b/a b/ü.txt", "--to"), { bucket: "b", path: "a b/ü.txt" });
    assert.deepEqual(parseS3Url("S3://b", "--to"), { bucket: "b", path: "" });
  });
});
