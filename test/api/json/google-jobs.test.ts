/**
 * The JSON API and Google's additions (D45): the new operation kinds, DeleteObject's allVersions, a dry run and
 * Google's manifest format are created, validated and described through /api/v1 over real HTTP on a real SQLite
 * store (engine off), every answer checked against the server's OpenAPI document; a job the gcs dialect made is
 * described with its name, logging config and dry run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ALICE,
  createRequest,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

let store: TestStore;
let server: JsonApiServer;
let alice: JsonApiClient;

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store, [ALICE], { maxUnfinishedJobs: 50 });
  alice = new JsonApiClient(server.url, ALICE, await DocumentChecker.load(server.url));
});

after(async () => {
  await server.close();
  await store.dispose();
});

const OPERATIONS: readonly Json[] = [
  { kind: "DeleteObject", allVersions: true },
  {
    kind: "UpdateObjectMetadata",
    cacheControl: "no-store",
    contentLanguage: "",
    customTime: "2025-06-01T00:00:00Z",
    userMetadata: [
      { key: "team", value: "blue" },
      { key: "old", value: "" },
    ],
    retention: { mode: "GOVERNANCE", retainUntilDate: "2099-01-01T00:00:00Z" },
  },
  { kind: "RewriteObject", kmsKey: "arn:aws:kms:us-east-1:111122223333:key/k1" },
  { kind: "PutObjectHold", temporaryHold: true, eventBasedHold: false },
  { kind: "UpdateObjectCustomContext", set: [{ key: "a", value: "1" }], remove: ["b"], removeAll: false },
];

describe("Google's operations through /api/v1", () => {
  for (const operation of OPERATIONS) {
    it(`creates and describes ${operation.kind} as it was sent`, async () => {
      const created = await alice.post("/api/v1/jobs", createRequest({ operation }));
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.json.operation, operation);
      const described = await alice.get(`/api/v1/jobs/${created.json.jobId}`);
      assert.equal(described.status, 200, described.text);
      assert.deepEqual(described.json.operation, operation);
      assert.equal(described.json.dryRun, undefined, "not a dry run unless asked");
      const stored = await store.store.getAccountJob(ALICE.accountId, created.json.jobId);
      assert.deepEqual(stored?.operation, operation, "the model holds it as sent");
    });
  }

  it("creates a dry run and Google's manifest format, and describes both", async () => {
    const created = await alice.post(
      "/api/v1/jobs",
      createRequest({
        dryRun: true,
        manifest: {
          format: "GCS_BatchOperations_CSV",
          fields: ["Ignore", "Bucket", "Key", "VersionId"],
          location: { bucket: "arn:aws:s3:::src", key: "gcs.csv" },
        },
      }),
    );
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.dryRun, true);
    assert.equal(created.json.manifest.format, "GCS_BatchOperations_CSV");
    const stored = await store.store.getAccountJob(ALICE.accountId, created.json.jobId);
    assert.equal(stored?.dryRun, true);
    const listed = await alice.get("/api/v1/jobs", { operation: "UpdateObjectCustomContext" });
    assert.equal(listed.status, 200, listed.text);
    assert.ok((listed.json.jobs as Json[]).length >= 1, "the listing filters on a new kind");
    assert.ok((listed.json.jobs as Json[]).every((j) => j.operation === "UpdateObjectCustomContext"));
  });

  it("refuses a hold job without a hold, an eleventh context, an empty key and unknown fields, at their pointers", async () => {
    const cases: [Json, string][] = [
      [{ kind: "PutObjectHold" }, "/operation"],
      [
        {
          kind: "UpdateObjectCustomContext",
          set: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" })),
        },
        "/operation",
      ],
      [{ kind: "RewriteObject", kmsKey: "" }, "/operation"],
      [{ kind: "UpdateObjectMetadata", customTime: "tomorrow" }, "/operation"],
      [{ kind: "DeleteObject", allVersions: "yes" }, "/operation"],
      [{ kind: "PutObjectHold", temporaryHold: true, legalHold: true }, "/operation"],
    ];
    for (const [operation, pointer] of cases) {
      const r = await alice.post("/api/v1/jobs", createRequest({ operation }));
      assert.equal(r.status, 400, `${JSON.stringify(operation)}: ${r.text}`);
      assert.equal(r.json.type, "urn:objbatch:problem:validation");
      assert.ok(
        (r.json.errors as { pointer: string }[]).some((e) => e.pointer.startsWith(pointer)),
        JSON.stringify(r.json.errors),
      );
    }
    const dry = await alice.post("/api/v1/jobs", createRequest({ dryRun: "yes" }));
    assert.equal(dry.status, 400, dry.text);
  });

  it("describes a job the gcs dialect made, with its name, logging config and dry run", async () => {
    const jobId = "gcs-made-0001";
    await store.store.insertJob({
      jobId,
      creationTime: Date.now(),
      requestFingerprint: "f",
      spec: {
        accountId: ALICE.accountId,
        dialect: "gcs",
        clientRequestToken: "from-gcs",
        confirmationRequired: false,
        priority: 10,
        roleArn: "",
        operation: { kind: "PutObjectHold", eventBasedHold: true },
        manifest: {
          format: "GCS_BatchOperations_CSV",
          fields: ["Ignore", "Bucket", "Key", "VersionId"],
          location: { objectArn: "arn:aws:s3:::src/m.csv", bucket: { arn: "src", bucket: "src" }, key: "m.csv" },
        },
        report: { enabled: false },
        dryRun: true,
        jobName: "my-job",
        loggingConfig: { logActions: ["TRANSFORM"], logActionStates: ["FAILED"] },
      },
    });
    const r = await alice.get(`/api/v1/jobs/${jobId}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.dialect, "gcs");
    assert.equal(r.json.dryRun, true);
    assert.equal(r.json.jobName, "my-job");
    assert.deepEqual(r.json.loggingConfig, { logActions: ["TRANSFORM"], logActionStates: ["FAILED"] });
    assert.deepEqual(r.json.operation, { kind: "PutObjectHold", eventBasedHold: true });
    const list = await alice.get("/api/v1/jobs");
    assert.ok((list.json.jobs as Json[]).some((j) => j.jobId === jobId && j.dialect === "gcs"));
  });

  it("documents the new kinds and fields in the OpenAPI document", async () => {
    const r = await alice.get("/api/v1/openapi.json");
    assert.equal(r.status, 200);
    const text = JSON.stringify(r.json);
    for (const title of ["UpdateObjectMetadata", "RewriteObject", "PutObjectHold", "UpdateObjectCustomContext"]) {
      assert.ok(text.includes(`"title":"${title}"`), title);
    }
    for (const field of ["allVersions", "dryRun", "kmsKey", "eventBasedHold", "removeAll", "GCS_BatchOperations_CSV"]) {
      assert.ok(text.includes(field), field);
    }
  });
});
