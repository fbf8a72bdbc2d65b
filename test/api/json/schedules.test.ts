/**
 * The JSON API's schedule routes (D43) over real HTTP, inside the real server, on a real SQLite store: create
 * (the template checked as POST /jobs checks a job, problems under /job), list with a cursor, get, pause, resume,
 * delete, and the jobs a schedule made (a real Scheduler ticked by hand with the service's injected clock). Every
 * answer is checked against the server's OpenAPI document (helpers/json-api.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { scheduledJobSpec } from "../../../src/api/json/schedule-template.js";
import { Scheduler } from "../../../src/schedules/scheduler.js";
import { StoreSchedules } from "../../../src/store/schedules/store-schedules.js";
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

const T0 = Date.parse("2026-06-01T12:00:30.000Z");
let clock = T0;
let store: TestStore;
let server: JsonApiServer;
let alice: JsonApiClient;
let bob: JsonApiClient;

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store, [ALICE, BOB], { now: () => clock, maxSchedulesPerAccount: 3 });
  const checker = await DocumentChecker.load(server.url);
  alice = new JsonApiClient(server.url, ALICE, checker);
  bob = alice.as(BOB);
});

after(async () => {
  await server.close();
  await store.dispose();
});

const EXPIRY = {
  operation: { kind: "DeleteObject" },
  manifestGenerator: {
    kind: "S3JobManifestGenerator",
    sourceBucket: "arn:aws:s3:::logs",
    enableManifestOutput: false,
    filter: { createdBeforeRelative: "P30D" },
  },
  report: { enabled: false },
};

function nightly(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { description: "expire old logs", cron: "0 2 * * *", timeZone: "Europe/Paris", job: EXPIRY, ...overrides };
}

function assertProblem(r: { status: number; json: Json }, status: number, type: string): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
}

function pointers(r: { json: Json }): string[] {
  return (r.json.errors as { pointer: string }[]).map((e) => e.pointer).sort();
}

describe("POST /api/v1/schedules", () => {
  it("creates a schedule (201, Location) with its next due time in its time zone and the template as given", async () => {
    const r = await alice.post("/api/v1/schedules", nightly());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers.location, `/api/v1/schedules/${r.json.scheduleId}`);
    assert.deepEqual(
      { ...r.json, scheduleId: undefined },
      {
        scheduleId: undefined,
        description: "expire old logs",
        cron: "0 2 * * *",
        timeZone: "Europe/Paris",
        catchUp: "latest",
        paused: false,
        nextDueAt: "2026-06-02T00:00:00.000Z", // 02:00 in Paris, summer time
        lastRun: null,
        job: EXPIRY,
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
      },
    );
    await alice.delete(`/api/v1/schedules/${r.json.scheduleId}`);
  });

  it("refuses a template with the problems POST /jobs gives its job, each under /job", async () => {
    const noManifest = await alice.post(
      "/api/v1/schedules",
      nightly({ job: { ...EXPIRY, manifestGenerator: undefined } }),
    );
    assertProblem(noManifest, 400, "validation");
    assert.deepEqual(pointers(noManifest), ["/job"]);
    const asJob = await alice.post("/api/v1/jobs", createRequest({ manifest: undefined }));
    assert.equal(asJob.json.errors[0].detail, noManifest.json.errors[0].detail, "the same words as POST /jobs");

    const badBucket = await alice.post(
      "/api/v1/schedules",
      nightly({ job: { ...EXPIRY, manifestGenerator: { ...EXPIRY.manifestGenerator, sourceBucket: "qcs::cos:x" } } }),
    );
    assertProblem(badBucket, 400, "validation");
    assert.deepEqual(pointers(badBucket), ["/job/manifestGenerator/sourceBucket"]);

    const unknownField = await alice.post(
      "/api/v1/schedules",
      nightly({ job: { ...EXPIRY, clientRequestToken: "t" } }),
    );
    assertProblem(unknownField, 400, "validation");
    assert.ok(
      pointers(unknownField).some((p) => p.startsWith("/job")),
      JSON.stringify(unknownField.json),
    );

    const filter = (f: Record<string, unknown>) => ({
      job: { ...EXPIRY, manifestGenerator: { ...EXPIRY.manifestGenerator, filter: f } },
    });
    const both = await alice.post(
      "/api/v1/schedules",
      nightly(filter({ createdBeforeRelative: "P30D", createdBefore: "2026-01-01T00:00:00Z" })),
    );
    assertProblem(both, 400, "validation");
    assert.deepEqual(pointers(both), ["/job/manifestGenerator/filter/createdBeforeRelative"]);
    const months = await alice.post("/api/v1/schedules", nightly(filter({ createdAfterRelative: "P1M" })));
    assertProblem(months, 400, "validation");
    assert.deepEqual(pointers(months), ["/job/manifestGenerator/filter/createdAfterRelative"]);
    assert.match(months.json.errors[0].detail, /years and months are not accepted/);
  });

  it("refuses a cron expression or a time zone it cannot evaluate, and a body without a cron", async () => {
    const cron = await alice.post("/api/v1/schedules", nightly({ cron: "every night" }));
    assertProblem(cron, 400, "validation");
    assert.deepEqual(pointers(cron), ["/cron"]);
    const zone = await alice.post("/api/v1/schedules", nightly({ timeZone: "Mars/Olympus" }));
    assertProblem(zone, 400, "validation");
    assert.deepEqual(pointers(zone), ["/timeZone"]);
    const missing = await alice.post("/api/v1/schedules", { job: EXPIRY });
    assertProblem(missing, 400, "validation");
    assert.deepEqual(pointers(missing), ["/cron"]);
  });

  it("refuses an account's schedule past its cap (429 too-many-schedules)", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await bob.post("/api/v1/schedules", nightly());
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.scheduleId);
    }
    assertProblem(await bob.post("/api/v1/schedules", nightly()), 429, "too-many-schedules");
    for (const id of ids) assert.equal((await bob.delete(`/api/v1/schedules/${id}`)).status, 204);
  });
});

describe("a schedule's life through the API", () => {
  it("lists, gets, pauses, resumes, lists its jobs and deletes; another account sees none of it", async () => {
    clock = T0;
    const first = (await alice.post("/api/v1/schedules", nightly({ cron: "* * * * *", catchUp: "all" }))).json;
    const second = (await alice.post("/api/v1/schedules", nightly({ paused: true }))).json;
    assert.equal(second.paused, true);
    assert.equal(second.nextDueAt, null);

    const page1 = await alice.get("/api/v1/schedules", { limit: "1" });
    assert.equal(page1.status, 200);
    assert.equal(page1.json.schedules.length, 1);
    assert.ok(page1.json.nextCursor);
    const page2 = await alice.get("/api/v1/schedules", { limit: "1", cursor: page1.json.nextCursor });
    const listed = [...page1.json.schedules, ...page2.json.schedules].map((s: Json) => s.scheduleId).sort();
    assert.deepEqual(listed, [first.scheduleId, second.scheduleId].sort());
    assert.equal(page2.json.nextCursor, null);
    assert.deepEqual((await bob.get("/api/v1/schedules")).json.schedules, []);
    assertProblem(await bob.get(`/api/v1/schedules/${first.scheduleId}`), 404, "no-such-schedule");
    assertProblem(await bob.post(`/api/v1/schedules/${first.scheduleId}/pause`), 404, "no-such-schedule");
    assertProblem(await bob.delete(`/api/v1/schedules/${first.scheduleId}`), 404, "no-such-schedule");
    assertProblem(await alice.get("/api/v1/schedules", { cursor: "nonsense" }), 400, "validation");

    // Two minutes pass; a scheduler over the server's store makes the jobs of 12:01 and 12:02.
    const scheduler = new Scheduler({
      schedules: new StoreSchedules(store.connection!),
      createJob: (due, dueAt) =>
        server.service.createJob(scheduledJobSpec(due.template, due.accountId, due.scheduleId, dueAt), "reuse"),
      now: () => clock,
      log: pino({ level: "silent" }),
    });
    clock = T0 + 2 * 60_000;
    await scheduler.tick();
    await scheduler.tick();
    const jobs = await alice.get(`/api/v1/schedules/${first.scheduleId}/jobs`);
    assert.equal(jobs.status, 200, jobs.text);
    assert.deepEqual(
      jobs.json.runs.map((r: Json) => [r.dueAt, r.outcome, r.jobStatus]),
      [
        ["2026-06-01T12:02:00.000Z", "created", "New"],
        ["2026-06-01T12:01:00.000Z", "created", "New"],
      ],
    );
    const job = await alice.get(`/api/v1/jobs/${jobs.json.runs[1].jobId}`);
    assert.equal(job.status, 200);
    assert.equal(job.json.manifestGenerator.filter.createdBefore, "2026-05-02T12:01:00.000Z");
    const paged = await alice.get(`/api/v1/schedules/${first.scheduleId}/jobs`, { limit: "1" });
    const rest = await alice.get(`/api/v1/schedules/${first.scheduleId}/jobs`, { cursor: paged.json.nextCursor });
    assert.deepEqual(
      [...paged.json.runs, ...rest.json.runs].map((r: Json) => r.jobId),
      jobs.json.runs.map((r: Json) => r.jobId),
    );
    assertProblem(await bob.get(`/api/v1/schedules/${first.scheduleId}/jobs`), 404, "no-such-schedule");
    const got = await alice.get(`/api/v1/schedules/${first.scheduleId}`);
    assert.deepEqual(got.json.lastRun, {
      dueAt: "2026-06-01T12:02:00.000Z",
      jobId: jobs.json.runs[0].jobId,
      outcome: "created",
    });
    assert.equal(got.json.nextDueAt, "2026-06-01T12:03:00.000Z");

    const paused = await alice.post(`/api/v1/schedules/${first.scheduleId}/pause`);
    assert.equal(paused.status, 200);
    assert.equal(paused.json.paused, true);
    assert.equal(paused.json.nextDueAt, null);
    clock = T0 + 10 * 60_000;
    await scheduler.tick();
    assert.equal((await alice.get(`/api/v1/schedules/${first.scheduleId}/jobs`)).json.runs.length, 2);
    const resumed = await alice.post(`/api/v1/schedules/${first.scheduleId}/resume`);
    assert.equal(resumed.json.paused, false);
    assert.equal(resumed.json.nextDueAt, "2026-06-01T12:11:00.000Z");

    assert.equal((await alice.delete(`/api/v1/schedules/${first.scheduleId}`)).status, 204);
    assertProblem(await alice.get(`/api/v1/schedules/${first.scheduleId}`), 404, "no-such-schedule");
    assertProblem(await alice.delete(`/api/v1/schedules/${first.scheduleId}`), 404, "no-such-schedule");
    assert.equal((await alice.get(`/api/v1/jobs/${jobs.json.runs[0].jobId}`)).status, 200, "its jobs stay");
    await alice.delete(`/api/v1/schedules/${second.scheduleId}`);
  });
});
