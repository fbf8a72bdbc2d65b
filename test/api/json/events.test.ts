/**
 * GET /api/v1/jobs/{id}/events and GET /api/v1/events over real HTTP (SQLite store, the engine's moves made
 * through the store): a stream follows a job from creation to Complete with every status change in order and
 * progress while it runs; a reconnect with Last-Event-ID (header or query) loses no status change and repeats
 * none; another account's job is 404 before any stream; one account never sees another's events; a resume from
 * before what retention kept gets a reset; closing the server ends open streams instead of hanging.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import Value from "typebox/value";
import { JobEventSchema, ProgressEventSchema } from "../../../src/api/json/schemas/events.js";
import type { JobStatus } from "../../../src/domain/status.js";
import {
  ALICE,
  BOB,
  createRequest,
  DocumentChecker,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { dataOf, openSse, type SseConnection } from "../../helpers/sse-client.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

let store: TestStore;
let server: JsonApiServer;
let alice: JsonApiClient;
const open: SseConnection[] = [];

before(async () => {
  store = await sqliteTestStore();
  server = await startJsonApiServer(store, [ALICE, BOB], { heartbeatMs: 50 });
  alice = new JsonApiClient(server.url, ALICE, await DocumentChecker.load(server.url));
});

after(async () => {
  // Every event any stream of these tests read is what the document says (JobEvent, JobProgressEvent).
  let checkedEvents = 0;
  for (const c of open) {
    for (const e of c.events) {
      if (e.event === "reset") continue;
      const schema = e.event === "progress" ? ProgressEventSchema : JobEventSchema;
      assert.ok(Value.Check(schema, dataOf(e)), `${e.event}: ${e.data}`);
      if (e.event !== "progress") assert.equal(String(dataOf(e).id), e.id, "data.id is the SSE id");
      checkedEvents++;
    }
  }
  assert.ok(checkedEvents > 20, `checked ${checkedEvents} events`);
  for (const c of open) c.close();
  await server.close();
  await store.dispose();
});

async function stream(
  path: string,
  credentials = ALICE,
  extra: { headers?: Record<string, string>; query?: Record<string, string> } = {},
) {
  const c = await openSse(server.url, { path, credentials, ...extra });
  open.push(c);
  return c;
}

async function createJob(): Promise<string> {
  const r = await alice.post("/api/v1/jobs", createRequest());
  assert.equal(r.status, 201, r.text);
  return r.json.jobId;
}

/** The engine's moves, made through the store. */
async function move(jobId: string, ...path: JobStatus[]) {
  for (let i = 1; i < path.length; i++) {
    assert.ok(await store.store.transition(jobId, path[i - 1], path[i], Date.now()), `${path[i - 1]} -> ${path[i]}`);
  }
}

const statuses = (c: SseConnection) =>
  c
    .durable()
    .filter((e) => e.event === "job.status")
    .map((e) => `${dataOf(e).details.from}->${dataOf(e).details.to}`);

describe("GET /api/v1/jobs/{jobId}/events", () => {
  it("follows a job from creation to Complete: every status change in order, progress while it runs", async () => {
    const jobId = await createJob();
    const c = await stream(`/api/v1/jobs/${jobId}/events`);
    assert.equal(c.status, 200);
    assert.match(String(c.headers["content-type"]), /^text\/event-stream/);
    assert.equal(c.headers["cache-control"], "no-cache");
    await c.waitFor((s) => s.durable().length >= 1, "job.created");
    assert.equal(c.durable()[0].event, "job.created");
    assert.deepEqual(dataOf(c.durable()[0]).jobId, jobId);

    await move(jobId, "New", "Preparing", "Ready", "Active");
    await c.waitFor((s) => s.events.some((e) => e.event === "progress"), "a progress event while Active");
    const progress = c.events.find((e) => e.event === "progress");
    assert.equal(progress?.id, undefined, "progress carries no id");
    assert.equal(dataOf(progress!).jobId, jobId);
    assert.equal(dataOf(progress!).status, "Active");
    assert.equal(typeof dataOf(progress!).progress.tasksPerSecond, "number");

    await move(jobId, "Active", "Completing", "Complete");
    await c.waitFor((s) => statuses(s).includes("Completing->Complete"), "Complete");
    assert.deepEqual(statuses(c), [
      "New->Preparing",
      "Preparing->Ready",
      "Ready->Active",
      "Active->Completing",
      "Completing->Complete",
    ]);
    const ids = c.durable().map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(new Set(ids).size, ids.length, "no duplicate");
    await c.waitFor((s) => s.comments.includes("heartbeat"), "a heartbeat comment");
    // The end is told by the job.status events alone: no progress event says the job stopped running first.
    const told = c.events.filter((e) => e.event === "progress").map((e) => dataOf(e).status);
    assert.ok(
      told.every((status) => status === "Active" || status === "Pausing"),
      told.join(),
    );
    c.close();
  });

  it("resumes with Last-Event-ID mid-job: nothing lost, nothing repeated (header, then query)", async () => {
    const jobId = await createJob();
    const first = await stream(`/api/v1/jobs/${jobId}/events`);
    await move(jobId, "New", "Preparing", "Ready");
    await first.waitFor((s) => statuses(s).length === 2, "two status changes");
    const lastId = first.durable().at(-1)?.id as string;
    first.close();
    await first.ended;

    await move(jobId, "Ready", "Active", "Pausing", "Paused");
    const second = await stream(`/api/v1/jobs/${jobId}/events`, ALICE, { headers: { "last-event-id": lastId } });
    await move(jobId, "Paused", "Active", "Cancelling");
    await second.waitFor((s) => statuses(s).includes("Active->Cancelling"), "the live ones after the stored ones");
    assert.deepEqual(statuses(second), [
      "Ready->Active",
      "Active->Pausing",
      "Pausing->Paused",
      "Paused->Active",
      "Active->Cancelling",
    ]);
    assert.ok(second.durable().every((e) => Number(e.id) > Number(lastId)));

    const third = await stream(`/api/v1/jobs/${jobId}/events`, ALICE, { query: { lastEventId: lastId } });
    await third.waitFor((s) => statuses(s).length === 5, "the same five from the query parameter");
    assert.deepEqual(statuses(third), statuses(second));
    second.close();
    third.close();
  });

  it("refuses another account's job, an unknown one and a bad Last-Event-ID before any stream", async () => {
    const jobId = await createJob();
    const foreign = await stream(`/api/v1/jobs/${jobId}/events`, BOB);
    await foreign.ended;
    assert.equal(foreign.status, 404);
    assert.match(String(foreign.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(JSON.parse(foreign.body).type, "urn:objbatch:problem:no-such-job");
    const unknown = await stream("/api/v1/jobs/no-such-job/events");
    await unknown.ended;
    assert.equal(unknown.status, 404);
    const bad = await stream(`/api/v1/jobs/${jobId}/events`, ALICE, { headers: { "last-event-id": "abc" } });
    await bad.ended;
    assert.equal(bad.status, 400);
    const badQuery = await stream(`/api/v1/jobs/${jobId}/events`, ALICE, { query: { lastEventId: "-1" } });
    await badQuery.ended;
    assert.equal(badQuery.status, 400);
  });

  it("tells a reader that resumes from before what is kept to start over (reset)", async () => {
    const jobId = await createJob();
    const c = await stream(`/api/v1/jobs/${jobId}/events`);
    await c.waitFor((s) => s.durable().length === 1, "job.created");
    const createdId = Number(c.durable()[0].id);
    c.close();
    await move(jobId, "New", "Preparing");
    // Everything written so far is past retention.
    assert.ok((await store.store.purgeEventsBefore(Date.now() + 60_000, 1_000_000)) > 0);
    const resumed = await stream(`/api/v1/jobs/${jobId}/events`, ALICE, {
      headers: { "last-event-id": String(createdId - 1) },
    });
    await resumed.waitFor((s) => s.events.some((e) => e.event === "reset"), "a reset");
    const reset = resumed.events.find((e) => e.event === "reset");
    assert.deepEqual(dataOf(reset!), { reason: "expired" });
    assert.ok(Number(reset?.id) >= createdId, "the reset names where to go on from");
    await move(jobId, "Preparing", "Ready");
    await resumed.waitFor((s) => statuses(s).includes("Preparing->Ready"), "live events after the reset");
    const unknown = await stream(`/api/v1/jobs/${jobId}/events`, ALICE, { headers: { "last-event-id": "999999999" } });
    await unknown.waitFor((s) => s.events.some((e) => e.event === "reset"), "a reset for an id never issued");
    assert.equal(dataOf(unknown.events.find((e) => e.event === "reset")!).reason, "unknown-id");
    resumed.close();
    unknown.close();
  });
});

describe("GET /api/v1/events", () => {
  it("streams every job of the account, and none of another's", async () => {
    const aliceStream = await stream("/api/v1/events");
    const bobStream = await stream("/api/v1/events", BOB);
    await aliceStream.waitFor((s) => s.comments.includes("stream open"), "open");
    await bobStream.waitFor((s) => s.comments.includes("stream open"), "open");
    const one = await createJob();
    const two = await createJob();
    await move(two, "New", "Cancelling");
    const bobs = await new JsonApiClient(server.url, BOB, await DocumentChecker.load(server.url)).post(
      "/api/v1/jobs",
      createRequest(),
    );
    assert.equal(bobs.status, 201);
    await aliceStream.waitFor((s) => s.durable().length === 3, "alice's three events");
    await bobStream.waitFor((s) => s.durable().length === 1, "bob's one");
    assert.deepEqual(
      aliceStream.durable().map((e) => [e.event, dataOf(e).jobId]),
      [
        ["job.created", one],
        ["job.created", two],
        ["job.status", two],
      ],
    );
    assert.deepEqual(
      bobStream.durable().map((e) => dataOf(e).jobId),
      [bobs.json.jobId],
    );
    // Resumed from its first event, the account's stream sends the rest from the store.
    const resumed = await stream("/api/v1/events", ALICE, {
      headers: { "last-event-id": aliceStream.durable()[0].id as string },
    });
    await resumed.waitFor((s) => s.durable().length === 2, "the two after it");
    assert.deepEqual(
      resumed.durable().map((e) => e.id),
      aliceStream
        .durable()
        .slice(1)
        .map((e) => e.id),
    );
    aliceStream.close();
    bobStream.close();
    resumed.close();
  });

  it("lets go of a stream the client leaves", async () => {
    const listeners = async (n: number, what: string) => {
      const deadline = Date.now() + 30_000;
      while (server.events.feed.listenerCount !== n) {
        assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await listeners(0, "the streams the earlier tests closed to be let go");
    const c = await stream("/api/v1/events");
    await c.waitFor((s) => s.comments.includes("stream open"), "open");
    assert.equal(server.events.feed.listenerCount, 1);
    c.close();
    await listeners(0, "the stream to be let go");
  });

  it("ends open streams when the server closes, instead of waiting for them", async () => {
    const other = await sqliteTestStore();
    const closing = await startJsonApiServer(other, [ALICE]);
    try {
      const a = await openSse(closing.url, { path: "/api/v1/events", credentials: ALICE });
      const r = await new JsonApiClient(closing.url, ALICE, await DocumentChecker.load(closing.url)).post(
        "/api/v1/jobs",
        createRequest(),
      );
      const b = await openSse(closing.url, { path: `/api/v1/jobs/${r.json.jobId}/events`, credentials: ALICE });
      await b.waitFor((s) => s.durable().length === 1, "job.created");
      await closing.close();
      await Promise.all([a.ended, b.ended]);
      assert.ok(a.isEnded && b.isEnded);
    } finally {
      await other.dispose();
    }
  });
});
