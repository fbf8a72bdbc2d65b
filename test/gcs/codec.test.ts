/**
 * The Google dialect's codec without a server (D46): each transformation and source of a CreateJob body read
 * into objbatch's JobSpec and rendered back unchanged; every objbatch operation kind (the other dialects' too)
 * rendered as its nearest Google transformation with the objbatchOperation extension; the State of each of the
 * 13 statuses; errorSummaries grouped by canonical code; the list filter.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCreateJobRequest } from "../../src/api/dialects/gcs/create-job-request.js";
import { GoogleApiError } from "../../src/api/dialects/gcs/errors.js";
import { errorCodeOf, errorSummariesOf, renderJob, STATE_OF_STATUS } from "../../src/api/dialects/gcs/job-resource.js";
import { parseFilter, parseListQuery } from "../../src/api/dialects/gcs/list-query.js";
import { renderTransformation } from "../../src/api/dialects/gcs/transformations.js";
import { type Job, OPERATION_KINDS, type Operation } from "../../src/domain/job.js";
import { JOB_STATUSES } from "../../src/domain/status.js";
import { EXPECTED } from "../api/fixtures/s3control-requests.js";

const SOURCE = { bucketList: { buckets: [{ bucket: "photos", prefixList: { includedObjectPrefixes: ["2024/"] } }] } };

function parse(body: unknown, jobName?: string) {
  return parseCreateJobRequest(Buffer.from(JSON.stringify(body)), "acct", jobName);
}

function asJob(spec: ReturnType<typeof parse>, extra: Partial<Job> = {}): Job {
  return {
    ...spec,
    clientRequestToken: "t",
    jobId: "0b7b3c1e-1111-4222-8333-444455556666",
    status: "New",
    creationTime: new Date("2026-12-07T05:00:00.000Z"),
    failureReasons: [],
    progress: { total: -1, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
    ...extra,
  };
}

/** Each Google transformation, as a client sends it, and the operation objbatch runs. */
const TRANSFORMATIONS: [Record<string, unknown>, Operation][] = [
  [
    { putObjectHold: { temporaryHold: "SET", eventBasedHold: "UNSET" } },
    { kind: "PutObjectHold", temporaryHold: true, eventBasedHold: false },
  ],
  [{ putObjectHold: { eventBasedHold: "SET" } }, { kind: "PutObjectHold", eventBasedHold: true }],
  [{ deleteObject: { permanentObjectDeletionEnabled: true } }, { kind: "DeleteObject", allVersions: true }],
  [{ deleteObject: { permanentObjectDeletionEnabled: false } }, { kind: "DeleteObject" }],
  [
    {
      putMetadata: {
        cacheControl: "no-cache",
        contentDisposition: "inline",
        contentEncoding: "gzip",
        contentLanguage: "en",
        contentType: "text/plain",
        customTime: "2030-01-02T03:04:05Z",
        customMetadata: { team: "photos", empty: "" },
        objectRetention: { retainUntilTime: "2031-01-01T00:00:00Z", retentionMode: "LOCKED" },
      },
    },
    {
      kind: "UpdateObjectMetadata",
      cacheControl: "no-cache",
      contentDisposition: "inline",
      contentEncoding: "gzip",
      contentLanguage: "en",
      contentType: "text/plain",
      customTime: "2030-01-02T03:04:05Z",
      userMetadata: [
        { key: "team", value: "photos" },
        { key: "empty", value: "" },
      ],
      retention: { mode: "COMPLIANCE", retainUntilDate: "2031-01-01T00:00:00.000Z" },
    },
  ],
  [
    { putMetadata: { objectRetention: { retainUntilTime: "2031-01-01T00:00:00Z", retentionMode: "UNLOCKED" } } },
    { kind: "UpdateObjectMetadata", retention: { mode: "GOVERNANCE", retainUntilDate: "2031-01-01T00:00:00.000Z" } },
  ],
  [
    { rewriteObject: { kmsKey: "projects/p/locations/us/keyRings/r/cryptoKeys/k" } },
    { kind: "RewriteObject", kmsKey: "projects/p/locations/us/keyRings/r/cryptoKeys/k" },
  ],
  [
    { updateObjectCustomContext: { customContextUpdates: { updates: { a: { value: "1" } }, keysToClear: ["b"] } } },
    { kind: "UpdateObjectCustomContext", set: [{ key: "a", value: "1" }], remove: ["b"] },
  ],
  [{ updateObjectCustomContext: { clearAll: true } }, { kind: "UpdateObjectCustomContext", removeAll: true }],
  [
    {
      setObjectAcls: {
        accessControlsUpdates: {
          grants: [
            { entity: "allUsers", role: "READER" },
            { entity: "allAuthenticatedUsers", role: "OWNER" },
          ],
        },
      },
    },
    {
      kind: "PutObjectAcl",
      acl: {
        grants: [
          { granteeType: "uri", identifier: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ" },
          {
            granteeType: "uri",
            identifier: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
            permission: "FULL_CONTROL",
          },
        ],
      },
    },
  ],
  [
    { setObjectAcls: { accessControlsUpdates: { removeEntities: ["allUsers", "allAuthenticatedUsers"] } } },
    { kind: "PutObjectAcl", acl: { canned: "private" } },
  ],
];

describe("CreateJob bodies", () => {
  for (const [transformation, operation] of TRANSFORMATIONS) {
    const field = Object.keys(transformation)[0]!;
    it(`reads ${JSON.stringify(transformation).slice(0, 80)} and renders it back`, () => {
      const spec = parse({ ...SOURCE, ...transformation });
      assert.deepEqual(spec.operation, operation);
      const rendered = renderTransformation(spec.operation);
      assert.deepEqual(rendered, transformation, `${field} rendered back as sent`);
    });
  }

  it("reads the job's fields: description, dryRun, loggingConfig, the name, and ignores output-only fields", () => {
    const spec = parse(
      {
        ...SOURCE,
        deleteObject: { permanentObjectDeletionEnabled: false },
        description: "d",
        dryRun: true,
        loggingConfig: { logActions: ["TRANSFORM"], logActionStates: ["SUCCEEDED", "FAILED"] },
        name: "projects/x/locations/global/jobs/ignored",
        state: "RUNNING",
        counters: { totalObjectCount: "5" },
        createTime: "2020-01-01T00:00:00Z",
        objbatchOperation: { kind: "DeleteObject" },
      },
      "my-job",
    );
    assert.equal(spec.dialect, "gcs");
    assert.equal(spec.description, "d");
    assert.equal(spec.dryRun, true);
    assert.equal(spec.jobName, "my-job");
    assert.equal(spec.confirmationRequired, false);
    assert.deepEqual(spec.report, { enabled: false });
    assert.deepEqual(spec.loggingConfig, { logActions: ["TRANSFORM"], logActionStates: ["SUCCEEDED", "FAILED"] });
    const job = renderJob("p", asJob(spec), []);
    assert.equal(job.name, "projects/p/locations/global/jobs/my-job");
    assert.equal(job.dryRun, true);
    assert.deepEqual(job.loggingConfig, spec.loggingConfig);
  });

  it('reads the sources: one prefix, several, none or "" (every object), and a manifest', () => {
    const source = (prefixes: string[] | undefined) =>
      parse({
        bucketList: {
          buckets: [{ bucket: "photos", prefixList: prefixes ? { includedObjectPrefixes: prefixes } : {} }],
        },
        deleteObject: {},
      });
    assert.deepEqual(source(["a/"]).manifestGenerator, {
      kind: "KeyPrefixManifestGenerator",
      sourceBucket: { arn: "gs://photos", bucket: "photos" },
      enableManifestOutput: false,
      prefix: "a/",
    });
    assert.deepEqual(source(["a/", "b/", "a/"]).manifestGenerator, {
      kind: "S3JobManifestGenerator",
      sourceBucket: { arn: "gs://photos", bucket: "photos" },
      enableManifestOutput: false,
      filter: { keyNameConstraint: { matchAnyPrefix: ["a/", "b/"] } },
    });
    for (const every of [undefined, [], ["a/", ""]]) {
      const g = source(every).manifestGenerator!;
      assert.equal(g.prefix, undefined);
      assert.equal(g.filter, undefined);
      assert.deepEqual(renderJob("p", asJob(source(every)), []).bucketList, {
        buckets: [{ bucket: "photos", prefixList: {} }],
      });
    }
    const manifest = parse({
      bucketList: { buckets: [{ bucket: "photos", manifest: { manifestLocation: "gs://lists/dir/m.csv" } }] },
      deleteObject: {},
    });
    assert.deepEqual(manifest.manifest, {
      format: "GCS_BatchOperations_CSV",
      fields: ["Ignore", "Bucket", "Key", "VersionId"],
      location: { objectArn: "gs://lists/dir/m.csv", bucket: { arn: "gs://lists", bucket: "lists" }, key: "dir/m.csv" },
    });
    assert.deepEqual(renderJob("p", asJob(manifest), []).bucketList, {
      buckets: [{ bucket: "lists", manifest: { manifestLocation: "gs://lists/dir/m.csv" } }],
    });
  });

  it("refuses what a job can't be, naming the field", () => {
    const cases: [unknown, string][] = [
      [{ ...SOURCE, putMetadata: {} }, "job.putMetadata"],
      [{ ...SOURCE, putMetadata: { customTime: "yesterday" } }, "job.putMetadata.customTime"],
      [{ ...SOURCE, putMetadata: { customMetadata: { a: 1 } } }, "job.putMetadata.customMetadata.a"],
      [
        { ...SOURCE, putMetadata: { objectRetention: { retentionMode: "RETENTION_MODE_UNSPECIFIED" } } },
        "job.putMetadata.objectRetention",
      ],
      [{ ...SOURCE, rewriteObject: {} }, "job.rewriteObject.kmsKey"],
      [{ ...SOURCE, updateObjectCustomContext: { clearAll: false } }, "job.updateObjectCustomContext.clearAll"],
      [
        { ...SOURCE, updateObjectCustomContext: { clearAll: true, customContextUpdates: { keysToClear: ["a"] } } },
        "job.updateObjectCustomContext",
      ],
      [
        {
          ...SOURCE,
          updateObjectCustomContext: { customContextUpdates: { updates: { a: { value: "1" } }, keysToClear: ["a"] } },
        },
        "job.updateObjectCustomContext.customContextUpdates.keysToClear",
      ],
      [
        {
          ...SOURCE,
          setObjectAcls: { accessControlsUpdates: { grants: [{ entity: "user-x@example.com", role: "READER" }] } },
        },
        "job.setObjectAcls.accessControlsUpdates.grants[0].entity",
      ],
      [
        { ...SOURCE, setObjectAcls: { accessControlsUpdates: { grants: [{ entity: "allUsers", role: "WRITER" }] } } },
        "job.setObjectAcls.accessControlsUpdates.grants[0].role",
      ],
      [
        {
          ...SOURCE,
          setObjectAcls: {
            accessControlsUpdates: { grants: [{ entity: "allUsers", role: "READER" }], removeEntities: ["allUsers"] },
          },
        },
        "job.setObjectAcls.accessControlsUpdates.removeEntities[0]",
      ],
      [
        {
          bucketList: { buckets: [{ bucket: "photos", manifest: { manifestLocation: "gs://photos/m*.csv" } }] },
          deleteObject: {},
        },
        "job.bucketList.buckets[0].manifest.manifestLocation",
      ],
      [{ ...SOURCE, deleteObject: {}, description: "x".repeat(1025) }, "job.description"],
    ];
    for (const [body, field] of cases) {
      assert.throws(
        () => parse(body),
        (e: unknown) =>
          e instanceof GoogleApiError &&
          e.status === "INVALID_ARGUMENT" &&
          e.options.fieldViolations?.[0]?.field === field,
        `${JSON.stringify(body).slice(0, 160)} names ${field}`,
      );
    }
  });
});

describe("jobs of every operation kind", () => {
  const NEAREST: Record<string, string | undefined> = {
    PutObjectCopy: undefined,
    InitiateRestoreObject: undefined,
    ComputeObjectChecksum: undefined,
    InvokeFunction: undefined,
    ReplicateObject: undefined,
    PutObjectTagging: "updateObjectCustomContext",
    AddObjectTagging: "updateObjectCustomContext",
    DeleteObjectTagging: "updateObjectCustomContext",
    PutObjectLegalHold: "putObjectHold",
    PutObjectRetention: "putMetadata",
    PutObjectAcl: undefined,
  };

  it("renders each other dialect's operation as its nearest Google transformation with objbatchOperation", () => {
    const seen = new Set<string>();
    for (const operation of Object.values(EXPECTED)) {
      seen.add(operation.kind);
      const rendered = renderTransformation(operation);
      if (!(operation.kind in NEAREST)) continue;
      const fields = Object.keys(rendered).filter((k) => k !== "objbatchOperation");
      if (operation.kind === "PutObjectAcl") {
        // Google entities only: setObjectAcls alone; anything else: the extension alone.
        assert.deepEqual(Object.keys(rendered), rendered.setObjectAcls ? ["setObjectAcls"] : ["objbatchOperation"]);
        continue;
      }
      assert.deepEqual(rendered.objbatchOperation, { kind: operation.kind }, operation.kind);
      const nearest = NEAREST[operation.kind];
      assert.deepEqual(fields, nearest === undefined ? [] : [nearest], operation.kind);
    }
    assert.deepEqual(renderTransformation({ kind: "PutObjectLegalHold", status: "ON" }), {
      putObjectHold: { temporaryHold: "SET" },
      objbatchOperation: { kind: "PutObjectLegalHold" },
    });
    assert.deepEqual(
      renderTransformation({ kind: "PutObjectRetention", mode: "GOVERNANCE", retainUntilDate: "2030-05-06T07:08:09Z" }),
      {
        putMetadata: { objectRetention: { retainUntilTime: "2030-05-06T07:08:09Z", retentionMode: "UNLOCKED" } },
        objbatchOperation: { kind: "PutObjectRetention" },
      },
    );
    assert.deepEqual(renderTransformation({ kind: "DeleteObjectTagging" }), {
      updateObjectCustomContext: { clearAll: true },
      objbatchOperation: { kind: "DeleteObjectTagging" },
    });
    assert.deepEqual(renderTransformation({ kind: "PutObjectAcl", acl: { canned: "public-read" } }), {
      setObjectAcls: { accessControlsUpdates: { grants: [{ entity: "allUsers", role: "READER" }] } },
    });
    assert.deepEqual(renderTransformation({ kind: "PutObjectAcl", acl: { canned: "bucket-owner-full-control" } }), {
      objbatchOperation: { kind: "PutObjectAcl" },
    });
    // Every kind renders without throwing.
    for (const kind of OPERATION_KINDS) {
      const operation =
        Object.values(EXPECTED).find((o) => o.kind === kind) ?? TRANSFORMATIONS.find(([, o]) => o.kind === kind)?.[1];
      if (operation !== undefined) renderTransformation(operation);
    }
  });
});

describe("the Job resource", () => {
  const spec = parse({ ...SOURCE, deleteObject: {} }, "j");

  it("maps each of the 13 statuses onto a State, with times in UTC and counters as strings", () => {
    assert.deepEqual(
      JOB_STATUSES.map((s) => STATE_OF_STATUS[s]),
      [
        "QUEUED",
        "QUEUED",
        "QUEUED",
        "QUEUED",
        "RUNNING",
        "RUNNING",
        "RUNNING",
        "RUNNING",
        "SUCCEEDED",
        "RUNNING",
        "CANCELED",
        "RUNNING",
        "FAILED",
      ],
    );
    const done = renderJob(
      "p",
      asJob(spec, {
        status: "Complete",
        terminationDate: new Date("2026-12-07T06:00:00.250Z"),
        progress: { total: 7, succeeded: 5, failed: 2, elapsedActiveSeconds: 3 },
      }),
      [],
    );
    assert.equal(done.state, "SUCCEEDED");
    assert.equal(done.createTime, "2026-12-07T05:00:00Z");
    assert.equal(done.completeTime, "2026-12-07T06:00:00.250Z");
    assert.deepEqual(done.counters, { totalObjectCount: "7", succeededObjectCount: "5", failedObjectCount: "2" });
  });

  it("groups failures by canonical code, most first, with at most five samples each", () => {
    const sample = (key: string, versionId?: string) => ({ bucket: "b", key, ...(versionId ? { versionId } : {}) });
    const summaries = errorSummariesOf([
      { httpStatus: 403, errorCode: "AccessDenied", count: 1, sampleKeys: [sample("x")] },
      { httpStatus: 404, errorCode: "NoSuchKey", count: 4, sampleKeys: [sample("a"), sample("b", "v1"), sample("c")] },
      { httpStatus: 404, errorCode: "NoSuchVersion", count: 3, sampleKeys: [sample("d"), sample("e"), sample("f")] },
    ]);
    assert.deepEqual(
      summaries.map((s) => [s.errorCode, s.errorCount, s.errorLogEntries.length]),
      [
        ["NOT_FOUND", "7", 5],
        ["PERMISSION_DENIED", "1", 1],
      ],
    );
    assert.deepEqual(summaries[0]!.errorLogEntries[1], {
      objectUri: "gs://b/b#v1",
      errorDetails: ["HTTP 404 NoSuchKey"],
    });
    assert.deepEqual(
      [400, 401, 403, 404, 409, 412, 416, 429, 500, 501, 502, 503, 504, 418].map((s) => errorCodeOf(s, "X")),
      [
        "INVALID_ARGUMENT",
        "UNAUTHENTICATED",
        "PERMISSION_DENIED",
        "NOT_FOUND",
        "ABORTED",
        "FAILED_PRECONDITION",
        "OUT_OF_RANGE",
        "RESOURCE_EXHAUSTED",
        "INTERNAL",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DEADLINE_EXCEEDED",
        "FAILED_PRECONDITION",
      ],
    );
  });
});

describe("the list query", () => {
  it("reads the filter subset", () => {
    assert.deepEqual(parseFilter(""), {});
    assert.deepEqual(parseFilter("state = SUCCEEDED"), { statuses: ["Complete"] });
    assert.deepEqual(parseFilter("state=CANCELED"), { statuses: ["Cancelled"] });
    assert.deepEqual(
      new Set(parseFilter("(state = CANCELED OR state = FAILED)").statuses),
      new Set(["Cancelled", "Failed"]),
    );
    assert.deepEqual([...(parseFilter("state != RUNNING AND state != QUEUED").statuses ?? [])].sort(), [
      "Cancelled",
      "Complete",
      "Failed",
    ]);
    assert.deepEqual(parseFilter("state = RUNNING AND state = QUEUED").statuses, []);
    assert.deepEqual(parseFilter('create_time >= "2026-01-01T00:00:00Z" create_time < "2026-02-01T00:00:00Z"'), {
      createdFrom: Date.parse("2026-01-01T00:00:00Z"),
      createdTo: Date.parse("2026-02-01T00:00:00Z") - 1,
    });
    assert.deepEqual(parseFilter('description : "old photos"'), { text: "old photos" });
    for (const bad of [
      "state = DONE",
      "colour = red",
      "state",
      "state > RUNNING",
      'create_time > "soon"',
      "(state = A",
      "a OR b",
    ]) {
      assert.throws(() => parseFilter(bad), GoogleApiError, bad);
    }
  });

  it("reads pageSize: 0 or none is 100, at most 1000", () => {
    assert.equal(parseListQuery({}).pageSize, 100);
    assert.equal(parseListQuery({ pageSize: "0" }).pageSize, 100);
    assert.equal(parseListQuery({ pageSize: "500" }).pageSize, 500);
    assert.equal(parseListQuery({ pageSize: "5000" }).pageSize, 1000);
    assert.throws(() => parseListQuery({ pageSize: "-1" }), GoogleApiError);
  });
});
