/**
 * The JSON API's job routes over real HTTP, inside the real server (every dialect beside them), on the real
 * JobService and a real SQLite store, the engine off. Requests are signed by @smithy/signature-v4 under a service
 * name of the test's own; every answer is checked against the server's OpenAPI document (helpers/json-api.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ALICE,
  BOB,
  createRequest,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

const MAX_BODY = 16 * 1024;

let store: TestStore;
let server: JsonApiServer;
let checker: DocumentChecker;
let alice: JsonApiClient;
let bob: JsonApiClient;

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store, [ALICE, BOB], { maxBodyBytes: MAX_BODY, maxUnfinishedJobs: 50 });
  checker = await DocumentChecker.load(server.url);
  alice = new JsonApiClient(server.url, ALICE, checker);
  bob = alice.as(BOB);
});

after(async () => {
  await server.close();
  await store.dispose();
});

function assertProblem(
  r: { status: number; headers: Record<string, unknown>; json: Json },
  status: number,
  type: string,
) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
  assert.equal(typeof r.json.title, "string");
  assert.ok(r.json.detail.length > 0);
}

async function createJob(client: JsonApiClient, overrides: Record<string, unknown> = {}): Promise<Json> {
  const r = await client.post("/api/v1/jobs", createRequest(overrides));
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** Moves a job along the transition table in the store, as the engine would. */
async function moveJob(jobId: string, path: readonly string[]): Promise<void> {
  for (let i = 1; i < path.length; i++) {
    assert.ok(await store.store.transition(jobId, path[i - 1] as never, path[i] as never, Date.now()));
  }
}

describe("POST /api/v1/jobs", () => {
  it("creates a job in the canonical model and answers 201 with every field, through the JSON dialect", async () => {
    const r = await alice.post(
      "/api/v1/jobs",
      createRequest({
        operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst", targetKeyPrefix: "copied/" },
        description: "copy the lot",
        priority: 42,
        confirmationRequired: true,
        clientRequestToken: "create-1",
        tags: [{ key: "team", value: "storage" }],
        roleArn: "arn:aws:iam::111111111111:role/batch",
        report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "r", scope: "FailedTasksOnly" },
      }),
    );
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.location, `/api/v1/jobs/${r.json.jobId}`);
    const job = r.json;
    assert.equal(job.status, "New");
    assert.equal(job.dialect, "json");
    assert.equal(job.description, "copy the lot");
    assert.equal(job.priority, 42);
    assert.equal(job.confirmationRequired, true);
    assert.equal(job.clientRequestToken, "create-1");
    assert.equal(job.roleArn, "arn:aws:iam::111111111111:role/batch");
    assert.deepEqual(job.operation, {
      kind: "PutObjectCopy",
      targetResource: "arn:aws:s3:::dst",
      targetKeyPrefix: "copied/",
    });
    assert.deepEqual(job.manifest.location, { bucket: "arn:aws:s3:::src", key: "manifest.csv", etag: "abc" });
    assert.deepEqual(job.report, {
      enabled: true,
      bucket: "arn:aws:s3:::reports",
      prefix: "r",
      scope: "FailedTasksOnly",
      format: "Report_CSV_20180820",
    });
    assert.deepEqual(job.tags, [{ key: "team", value: "storage" }]);
    assert.deepEqual(job.progress, {
      total: null,
      succeeded: 0,
      failed: 0,
      inFlight: 0,
      tasksPerSecond: 0,
      averageTasksPerSecond: 0,
      etaSeconds: null,
      elapsedMs: 0,
    });
    // The store holds it as the model: the S3 Control dialect's DescribeJob would see the same job.
    const stored = await store.store.getAccountJob(ALICE.accountId, job.jobId);
    assert.equal(stored?.dialect, "json");
    assert.deepEqual(stored?.operation, {
      kind: "PutObjectCopy",
      targetResource: { arn: "arn:aws:s3:::dst", bucket: "dst" },
      targetKeyPrefix: "copied/",
    });
  });

  it("takes a manifest generator instead of a manifest, with defaults for priority and confirmation", async () => {
    const job = await createJob(alice, {
      manifest: undefined,
      manifestGenerator: {
        kind: "S3JobManifestGenerator",
        sourceBucket: "src",
        enableManifestOutput: false,
        filter: { keyNameConstraint: { matchAnyPrefix: ["logs/"] }, objectSizeGreaterThanBytes: 10 },
      },
    });
    assert.equal(job.priority, 10);
    assert.equal(job.confirmationRequired, false);
    assert.equal(job.manifest, undefined);
    assert.deepEqual(job.manifestGenerator.filter.keyNameConstraint, { matchAnyPrefix: ["logs/"] });
  });

  it("is idempotent with a clientRequestToken: the same job again is 200 with it, another job is 409", async () => {
    const first = await alice.post("/api/v1/jobs", createRequest({ clientRequestToken: "idem-1" }));
    assert.equal(first.status, 201);
    const again = await alice.post("/api/v1/jobs", createRequest({ clientRequestToken: "idem-1" }));
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.jobId, first.json.jobId);
    const other = await alice.post("/api/v1/jobs", createRequest({ clientRequestToken: "idem-1", priority: 3 }));
    assertProblem(other, 409, "token-reused");
    // Another account's token space is its own.
    const bobs = await bob.post("/api/v1/jobs", createRequest({ clientRequestToken: "idem-1" }));
    assert.equal(bobs.status, 201);
    assert.notEqual(bobs.json.jobId, first.json.jobId);
  });

  it("lists every problem of a job of the wrong shape, each at its JSON Pointer", async () => {
    const r = await alice.post("/api/v1/jobs", {
      operation: { kind: "PutObjectTagging", tagSet: "nope" },
      manifest: { format: "CSV", fields: ["Bucket", "Key"], location: { bucket: "src", key: "m.csv" } },
      report: {},
      priority: -1,
      colour: "blue",
    });
    assertProblem(r, 400, "validation");
    const pointers = r.json.errors.map((e: { pointer: string }) => e.pointer).sort();
    assert.deepEqual(pointers, ["/colour", "/manifest/format", "/operation/tagSet", "/priority", "/report/enabled"]);
    for (const e of r.json.errors) assert.ok(e.detail.length > 0);
  });

  it("refuses what the schema cannot say: both or neither manifest, a bad bucket, a report without one", async () => {
    const both = await alice.post(
      "/api/v1/jobs",
      createRequest({
        manifestGenerator: { kind: "S3JobManifestGenerator", sourceBucket: "s", enableManifestOutput: false },
      }),
    );
    assertProblem(both, 400, "validation");
    assert.deepEqual(both.json.errors[0].pointer, "");
    const r = await alice.post(
      "/api/v1/jobs",
      createRequest({
        operation: { kind: "PutObjectCopy", targetResource: "Not_A_Bucket" },
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Key"],
          location: { bucket: "ftp:weird", key: "m.csv" },
        },
        report: { enabled: true },
      }),
    );
    assertProblem(r, 400, "validation");
    assert.deepEqual(r.json.errors.map((e: { pointer: string }) => e.pointer).sort(), [
      "/manifest/fields",
      "/manifest/location/bucket",
      "/operation/targetResource",
      "/report/bucket",
    ]);
  });

  it("answers bad JSON, a non-JSON media type, an empty body and an oversize body as problems", async () => {
    assertProblem(await alice.call({ method: "POST", path: "/api/v1/jobs", body: "{not json" }), 400, "malformed-json");
    assertProblem(
      await alice.call({
        method: "POST",
        path: "/api/v1/jobs",
        body: "a=b",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "unsupported-media-type",
    );
    assertProblem(await alice.call({ method: "POST", path: "/api/v1/jobs" }), 400, "validation");
    assertProblem(
      await alice.call({ method: "POST", path: "/api/v1/jobs", body: Buffer.from([0x7b, 0xff, 0x7d]) }),
      400,
      "malformed-json",
    );
    const big = await alice.post("/api/v1/jobs", createRequest({ description: "x".repeat(MAX_BODY) }));
    assertProblem(big, 413, "body-too-large");
    assert.match(big.json.detail, new RegExp(String(MAX_BODY)));
  });

  it("answers a JSON value of the wrong type as a validation problem", async () => {
    for (const body of ["[]", "42", "null", '"job"']) {
      const r = await alice.call({
        method: "POST",
        path: "/api/v1/jobs",
        body,
        headers: { "content-type": "application/json" },
      });
      assertProblem(r, 400, "validation");
      assert.equal(r.json.errors[0].pointer, "");
    }
  });

  it("refuses a 51st job tag, an 11th object tag, and a tag key twice", async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    assertProblem(await alice.post("/api/v1/jobs", createRequest({ tags })), 400, "validation");
    const objectTags = await alice.post(
      "/api/v1/jobs",
      createRequest({ operation: { kind: "PutObjectTagging", tagSet: tags.slice(0, 11) } }),
    );
    assertProblem(objectTags, 400, "validation");
    assert.deepEqual(
      objectTags.json.errors.map((e: Json) => e.pointer),
      ["/operation/tagSet"],
    );
    const ten = await alice.post(
      "/api/v1/jobs",
      createRequest({ operation: { kind: "PutObjectTagging", tagSet: tags.slice(0, 10) } }),
    );
    assert.equal(ten.status, 201, ten.text);
    const twice = await alice.post(
      "/api/v1/jobs",
      createRequest({
        tags: [
          { key: "a", value: "1" },
          { key: "a", value: "2" },
        ],
      }),
    );
    assertProblem(twice, 400, "validation");
    assert.equal(twice.json.errors[0].pointer, "/tags/1/key");
  });
});

describe("GET /api/v1/jobs/{id}", () => {
  it("describes the account's job; another account's job and a missing one answer the same 404", async () => {
    const job = await createJob(alice, { description: "mine" });
    const mine = await alice.get(`/api/v1/jobs/${job.jobId}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.json.description, "mine");
    assert.deepEqual(mine.json, job);

    const theirs = await bob.get(`/api/v1/jobs/${job.jobId}`);
    const missing = await bob.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000");
    assertProblem(theirs, 404, "no-such-job");
    assertProblem(missing, 404, "no-such-job");
    assert.equal(theirs.json.title, missing.json.title);
    assert.equal(theirs.json.detail.replace(job.jobId, "ID"), missing.json.detail.replace(/[0-9a-f-]{36}/, "ID"));
    assertProblem(await alice.get(`/api/v1/jobs/${"x".repeat(65)}`), 404, "no-such-job");
  });

  it("describes a job created through another dialect, naming that dialect", async () => {
    const jobId = "s3control-made-0001";
    await store.store.insertJob({
      jobId,
      creationTime: Date.now(),
      requestFingerprint: "f",
      spec: {
        accountId: ALICE.accountId,
        dialect: "s3control",
        clientRequestToken: "from-s3control",
        confirmationRequired: false,
        priority: 5,
        roleArn: "arn:aws:iam::111111111111:role/r",
        operation: { kind: "PutObjectTagging", tagSet: [{ key: "a", value: "b" }] },
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: {
            objectArn: "arn:aws:s3:::src/m.csv",
            bucket: { arn: "arn:aws:s3:::src", bucket: "src" },
            key: "m.csv",
            etag: "e",
          },
        },
        report: { enabled: false },
      },
    });
    const r = await alice.get(`/api/v1/jobs/${jobId}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.dialect, "s3control");
    assert.deepEqual(r.json.operation, { kind: "PutObjectTagging", tagSet: [{ key: "a", value: "b" }] });
    assert.equal(r.json.manifest.location.bucket, "arn:aws:s3:::src");
  });
});

describe("PATCH /api/v1/jobs/{id}", () => {
  it("changes the priority and the description, and the listing shows the new description", async () => {
    const job = await createJob(alice, { description: "before", priority: 1 });
    const r = await alice.patch(`/api/v1/jobs/${job.jobId}`, { priority: 7, description: "after" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.priority, 7);
    assert.equal(r.json.description, "after");
    const again = await alice.get(`/api/v1/jobs/${job.jobId}`);
    assert.equal(again.json.description, "after");
    const listed = await alice.get("/api/v1/jobs", { q: "after" });
    assert.ok(
      listed.json.jobs.some(
        (j: { jobId: string; description: string }) => j.jobId === job.jobId && j.description === "after",
      ),
    );
  });

  it("refuses an empty change, unknown fields and another account's job", async () => {
    const job = await createJob(alice);
    assertProblem(await alice.patch(`/api/v1/jobs/${job.jobId}`, {}), 400, "validation");
    const unknown = await alice.patch(`/api/v1/jobs/${job.jobId}`, { status: "Ready" });
    assertProblem(unknown, 400, "validation");
    assert.equal(unknown.json.errors[0].pointer, "/status");
    assertProblem(await bob.patch(`/api/v1/jobs/${job.jobId}`, { priority: 1 }), 404, "no-such-job");
    assert.equal((await alice.get(`/api/v1/jobs/${job.jobId}`)).json.priority, 10);
  });

  it("refuses a priority change of a finished job with 409, and changes nothing", async () => {
    const job = await createJob(alice, { description: "done" });
    await moveJob(job.jobId, ["New", "Cancelling", "Cancelled"]);
    const r = await alice.patch(`/api/v1/jobs/${job.jobId}`, { priority: 3, description: "changed" });
    assertProblem(r, 409, "job-finished");
    assert.equal((await alice.get(`/api/v1/jobs/${job.jobId}`)).json.description, "done");
    const d = await alice.patch(`/api/v1/jobs/${job.jobId}`, { description: "notes after the fact" });
    assert.equal(d.status, 200);
    assert.equal(d.json.description, "notes after the fact");
  });
});

describe("POST /api/v1/jobs/{id}/confirm and /cancel", () => {
  it("confirms a Suspended job with a reason, and refuses to confirm it twice", async () => {
    const job = await createJob(alice, { confirmationRequired: true });
    await moveJob(job.jobId, ["New", "Preparing", "Suspended"]);
    const r = await alice.post(`/api/v1/jobs/${job.jobId}/confirm`, { reason: "looks right" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, "Ready");
    assert.equal(r.json.statusUpdateReason, "looks right");
    assertProblem(await alice.post(`/api/v1/jobs/${job.jobId}/confirm`), 409, "illegal-status-change");
  });

  it("cancels a job without a body; a finished job cannot be cancelled; another account's cannot be touched", async () => {
    const job = await createJob(alice);
    assertProblem(await bob.post(`/api/v1/jobs/${job.jobId}/cancel`), 404, "no-such-job");
    const r = await alice.post(`/api/v1/jobs/${job.jobId}/cancel`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, "Cancelling");
    await moveJob(job.jobId, ["Cancelling", "Cancelled"]);
    assertProblem(await alice.post(`/api/v1/jobs/${job.jobId}/cancel`), 409, "illegal-status-change");
    const badReason = await alice.post(`/api/v1/jobs/${job.jobId}/cancel`, { reason: 5 });
    assertProblem(badReason, 400, "validation");
  });
});

describe("POST /api/v1/jobs/{id}/pause and /resume (D31)", () => {
  it("pauses a Ready job straight to Paused for its user, idempotently, and resumes it into the queue", async () => {
    const job = await createJob(alice);
    await moveJob(job.jobId, ["New", "Preparing", "Ready"]);
    const r = await alice.post(`/api/v1/jobs/${job.jobId}/pause`, { reason: "wait for Monday" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, "Paused");
    assert.equal(r.json.pausedByUser, true);
    assert.equal(r.json.statusUpdateReason, "Paused by the user: wait for Monday");
    const again = await alice.post(`/api/v1/jobs/${job.jobId}/pause`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.statusUpdateReason, "Paused by the user: wait for Monday", "changes nothing");
    assert.equal(
      await store.store.transition(job.jobId, "Paused", "Active", Date.now()),
      false,
      "the engine cannot resume it",
    );

    const resumed = await alice.post(`/api/v1/jobs/${job.jobId}/resume`, { reason: "Monday" });
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.status, "Paused", "back in the queue: the engine resumes it by priority");
    assert.equal(resumed.json.pausedByUser, false);
    assert.equal(resumed.json.statusUpdateReason, "Resumed by the user: Monday");
    assertProblem(await alice.post(`/api/v1/jobs/${job.jobId}/resume`), 409, "illegal-status-change");
    assert.ok(await store.store.transition(job.jobId, "Paused", "Active", Date.now()), "and now the engine can");
  });

  it("pauses an Active job to Pausing, and holds a job paused for a higher-priority one where it stands", async () => {
    const active = await createJob(alice);
    await moveJob(active.jobId, ["New", "Preparing", "Ready", "Active"]);
    const r = await alice.post(`/api/v1/jobs/${active.jobId}/pause`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      [r.json.status, r.json.pausedByUser, r.json.statusUpdateReason],
      ["Pausing", true, "Paused by the user"],
    );

    const preempted = await createJob(alice);
    await moveJob(preempted.jobId, ["New", "Preparing", "Ready", "Active", "Pausing", "Paused"]);
    const before = (await alice.get(`/api/v1/jobs/${preempted.jobId}`)).json;
    assert.equal(before.pausedByUser, false, "paused for a higher-priority job: not by a user");
    assertProblem(await alice.post(`/api/v1/jobs/${preempted.jobId}/resume`), 409, "illegal-status-change");
    const held = await alice.post(`/api/v1/jobs/${preempted.jobId}/pause`);
    assert.deepEqual([held.json.status, held.json.pausedByUser], ["Paused", true]);
  });

  it("refuses the statuses that cannot pause with 409, and another account's job with 404", async () => {
    const fresh = await createJob(alice);
    assertProblem(await bob.post(`/api/v1/jobs/${fresh.jobId}/pause`), 404, "no-such-job");
    assertProblem(await bob.post(`/api/v1/jobs/${fresh.jobId}/resume`), 404, "no-such-job");
    assertProblem(await alice.post(`/api/v1/jobs/${fresh.jobId}/pause`), 409, "illegal-status-change");
    const suspended = await createJob(alice, { confirmationRequired: true });
    await moveJob(suspended.jobId, ["New", "Preparing", "Suspended"]);
    assertProblem(await alice.post(`/api/v1/jobs/${suspended.jobId}/pause`), 409, "illegal-status-change");
    assertProblem(await alice.post(`/api/v1/jobs/${suspended.jobId}/resume`), 409, "illegal-status-change");
    const done = await createJob(alice);
    await moveJob(done.jobId, ["New", "Preparing", "Ready", "Active", "Completing", "Complete"]);
    assertProblem(await alice.post(`/api/v1/jobs/${done.jobId}/pause`), 409, "illegal-status-change");
    assertProblem(await alice.post("/api/v1/jobs/no-such-job/pause"), 404, "no-such-job");
    assertProblem(await alice.post(`/api/v1/jobs/${done.jobId}/pause`, { reason: 5 }), 400, "validation");
  });
});

describe("tags", () => {
  it("reads, replaces and deletes a job's tags", async () => {
    const job = await createJob(alice, { tags: [{ key: "a", value: "1" }] });
    const path = `/api/v1/jobs/${job.jobId}/tags`;
    assert.deepEqual((await alice.get(path)).json, { tags: [{ key: "a", value: "1" }] });
    const put = await alice.put(path, {
      tags: [
        { key: "b", value: "2" },
        { key: "c", value: "" },
      ],
    });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json.tags, [
      { key: "b", value: "2" },
      { key: "c", value: "" },
    ]);
    assert.deepEqual((await alice.get(`/api/v1/jobs/${job.jobId}`)).json.tags, put.json.tags);
    const del = await alice.delete(path);
    assert.equal(del.status, 204);
    assert.equal(del.text, "");
    assert.deepEqual((await alice.get(path)).json, { tags: [] });
  });

  it("refuses bad tag sets and another account's job", async () => {
    const job = await createJob(alice, { tags: [{ key: "keep", value: "me" }] });
    const path = `/api/v1/jobs/${job.jobId}/tags`;
    assertProblem(await alice.put(path, { tags: [{ key: "", value: "x" }] }), 400, "validation");
    assertProblem(await alice.put(path, [{ key: "a", value: "b" }]), 400, "validation");
    assertProblem(await bob.get(path), 404, "no-such-job");
    assertProblem(await bob.put(path, { tags: [] }), 404, "no-such-job");
    assertProblem(await bob.delete(path), 404, "no-such-job");
    assert.deepEqual((await alice.get(path)).json.tags, [{ key: "keep", value: "me" }]);
  });
});

describe("DELETE /api/v1/jobs/{id}", () => {
  it("deletes a finished job (204, then 404) and refuses an unfinished one with 409", async () => {
    const job = await createJob(alice);
    const refused = await alice.delete(`/api/v1/jobs/${job.jobId}`);
    assertProblem(refused, 409, "job-not-finished");
    assert.match(refused.json.detail, /is New/);
    assertProblem(await bob.delete(`/api/v1/jobs/${job.jobId}`), 404, "no-such-job");
    await moveJob(job.jobId, ["New", "Cancelling", "Cancelled"]);
    assertProblem(await bob.delete(`/api/v1/jobs/${job.jobId}`), 404, "no-such-job");
    const r = await alice.delete(`/api/v1/jobs/${job.jobId}`);
    assert.equal(r.status, 204);
    assertProblem(await alice.get(`/api/v1/jobs/${job.jobId}`), 404, "no-such-job");
  });
});

describe("the account's cap on unfinished jobs", () => {
  it("answers 429 too-many-jobs at the cap", async () => {
    // The server's cap is 50 unfinished jobs per account; the third account starts from none.
    const carol = { accountId: "333333333333", accessKeyId: "AKIAJSONCAROL0000003", secretAccessKey: "c" };
    const carolStore = await sqliteTestStore();
    const carolServer = await startJsonApiServer(carolStore, [carol], { maxUnfinishedJobs: 2 });
    try {
      const client = new JsonApiClient(carolServer.url, carol, checker);
      for (let i = 0; i < 2; i++) assert.equal((await client.post("/api/v1/jobs", createRequest())).status, 201);
      assertProblem(await client.post("/api/v1/jobs", createRequest()), 429, "too-many-jobs");
    } finally {
      await carolServer.close();
      await carolStore.dispose();
    }
  });
});

describe("routes and methods", () => {
  it("answers an unknown path under /api/v1 with 404 and a known path's other method with 405 and Allow", async () => {
    assertProblem(await alice.get("/api/v1/nothing-here"), 404, "no-such-route");
    assertProblem(await alice.get("/api/v1/jobs/x/y/z"), 404, "no-such-route");
    const r = await alice.call({ method: "PUT", path: "/api/v1/jobs" });
    assertProblem(r, 405, "method-not-allowed");
    assert.equal(r.headers.allow, "GET, POST, HEAD");
    const unsigned = await alice.call({ method: "GET", path: "/api/v1/nothing-here", unsigned: true });
    assertProblem(unsigned, 404, "no-such-route");
  });

  it("refuses a body on a route that takes none", async () => {
    const job = await createJob(alice);
    assertProblem(
      await alice.call({ method: "DELETE", path: `/api/v1/jobs/${job.jobId}/tags`, body: { a: 1 } }),
      400,
      "validation",
    );
    assert.equal((await alice.get(`/api/v1/jobs/${job.jobId}`)).status, 200);
  });

  it("leaves the dialects as they were: an unknown path outside /api/v1 is not a problem+json", async () => {
    const r = await fetch(`${server.url}/api/v2/jobs`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get("content-type") ?? "", /xml/);
  });
});

after(() => {
  // Every answer above went through the document checker.
  assert.ok(checker.checked.size >= 20, `checked ${[...checker.checked.keys()].join(", ")}`);
});
