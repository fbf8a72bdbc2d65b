/**
 * GET /api/v1/jobs on both stores (SQLite and PostgreSQL): newest first, pages joined by a cursor, filters by
 * status (repeatable), operation, text and creation time, one account never seeing another's jobs, and every
 * bad parameter a validation problem. The service's clock is the test's, so creation times are exact.
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
import { TEST_STORES, type TestStore } from "../../helpers/stores.js";

const T0 = Date.UTC(2026, 0, 1);

for (const openStore of TEST_STORES) {
  describe(`GET /api/v1/jobs (${openStore.name.replace("TestStore", "")})`, () => {
    let store: TestStore;
    let server: JsonApiServer;
    let alice: JsonApiClient;
    let bob: JsonApiClient;
    let clock = T0;
    /** Alice's jobs, oldest first: [jobId, description, operation kind, creation time]. */
    const made: { jobId: string; description: string; kind: string; time: number }[] = [];

    before(async () => {
      store = await openStore();
      server = await startJsonApiServer(store, [ALICE, BOB], { now: () => clock });
      const checker = await DocumentChecker.load(server.url);
      alice = new JsonApiClient(server.url, ALICE, checker);
      bob = alice.as(BOB);
      const kinds = ["DeleteObject", "DeleteObjectTagging", "ReplicateObject"];
      for (let i = 0; i < 9; i++) {
        clock = T0 + i * 60_000;
        const kind = kinds[i % 3]!;
        const description = i % 2 === 0 ? `Nightly Cleanup ${i}` : `copy batch ${i}`;
        const r = await alice.post("/api/v1/jobs", createRequest({ operation: { kind }, description }));
        assert.equal(r.status, 201, r.text);
        made.push({ jobId: r.json.jobId, description, kind, time: clock });
      }
      clock = T0 + 3_600_000;
      // Bob's job is the newest of all.
      assert.equal((await bob.post("/api/v1/jobs", createRequest({ description: "bob's" }))).status, 201);
      // Two of Alice's jobs are cancelled.
      for (const i of [1, 4]) assert.equal((await alice.post(`/api/v1/jobs/${made[i]!.jobId}/cancel`)).status, 200);
    });

    after(async () => {
      await server.close();
      await store.dispose();
    });

    const idsOf = (r: Json) => r.json.jobs.map((j: Json) => j.jobId);
    const newestFirst = (pick: (m: (typeof made)[number], i: number) => boolean) =>
      made
        .filter(pick)
        .reverse()
        .map((m) => m.jobId);

    it("lists the account's jobs newest first, 100 by default, with summaries", async () => {
      const r = await alice.get("/api/v1/jobs");
      assert.equal(r.status, 200);
      assert.deepEqual(
        idsOf(r),
        newestFirst(() => true),
      );
      assert.equal(r.json.nextCursor, null);
      const first = r.json.jobs.at(-1);
      assert.deepEqual(first, {
        jobId: made[0]!.jobId,
        status: "New",
        dialect: "json",
        operation: "DeleteObject",
        description: "Nightly Cleanup 0",
        priority: 10,
        creationTime: new Date(T0).toISOString(),
        progress: { total: null, succeeded: 0, failed: 0, elapsedActiveSeconds: 0 },
      });
      assert.deepEqual(idsOf(await bob.get("/api/v1/jobs")).length, 1, "Bob sees his one job and none of Alice's");
    });

    it("pages with limit and cursor, losing and repeating nothing", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: Json = await alice.get("/api/v1/jobs", { limit: "2", ...(cursor ? { cursor } : {}) });
        assert.equal(r.status, 200);
        assert.ok(r.json.jobs.length <= 2);
        seen.push(...idsOf(r));
        cursor = r.json.nextCursor;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.deepEqual(
        seen,
        newestFirst(() => true),
      );
      assert.equal(pages, 5);
      // Bob with Alice's cursor sees only his own jobs older than it: none.
      const mid = (await alice.get("/api/v1/jobs", { limit: "1" })).json.nextCursor;
      assert.deepEqual(idsOf(await bob.get("/api/v1/jobs", { cursor: mid })), []);
    });

    it("filters by status, repeated or comma-separated", async () => {
      const cancelling = newestFirst((_, i) => i === 1 || i === 4);
      assert.deepEqual(idsOf(await alice.get("/api/v1/jobs", { status: "Cancelling" })), cancelling);
      const both = await alice.get("/api/v1/jobs", { status: ["Cancelling", "New"], limit: "4" });
      assert.deepEqual(idsOf(both), newestFirst(() => true).slice(0, 4));
      assert.notEqual(both.json.nextCursor, null);
      const rest = await alice.get("/api/v1/jobs", { status: "New,Cancelling", cursor: both.json.nextCursor });
      assert.deepEqual(idsOf(rest), newestFirst(() => true).slice(4));
      assert.deepEqual(idsOf(await alice.get("/api/v1/jobs", { status: "Complete" })), []);
    });

    it("filters by operation and by text in the description or the id, case-insensitively", async () => {
      const deletes = await alice.get("/api/v1/jobs", { operation: "DeleteObjectTagging" });
      assert.deepEqual(
        idsOf(deletes),
        newestFirst((m) => m.kind === "DeleteObjectTagging"),
      );
      assert.deepEqual(
        idsOf(await alice.get("/api/v1/jobs", { q: "nightly cleanup" })),
        newestFirst((m) => m.description.startsWith("Nightly")),
      );
      const idPart = made[5]!.jobId.slice(9, 18);
      assert.deepEqual(idsOf(await alice.get("/api/v1/jobs", { q: idPart.toUpperCase() })), [made[5]!.jobId]);
      const combined = await alice.get("/api/v1/jobs", { q: "copy", operation: "ReplicateObject", status: "New" });
      assert.deepEqual(
        idsOf(combined),
        newestFirst((m, i) => m.description.startsWith("copy") && m.kind === "ReplicateObject" && i !== 1 && i !== 4),
      );
      assert.deepEqual(idsOf(await bob.get("/api/v1/jobs", { q: "Nightly" })), []);
    });

    it("filters by creation time, both bounds inclusive", async () => {
      const r = await alice.get("/api/v1/jobs", {
        createdAfter: new Date(T0 + 2 * 60_000).toISOString(),
        createdBefore: new Date(T0 + 5 * 60_000).toISOString(),
      });
      assert.deepEqual(
        idsOf(r),
        newestFirst((_, i) => i >= 2 && i <= 5),
      );
      const paged = await alice.get("/api/v1/jobs", {
        createdAfter: new Date(T0 + 2 * 60_000).toISOString(),
        limit: "3",
      });
      assert.deepEqual(idsOf(paged), newestFirst((_, i) => i >= 2).slice(0, 3));
      const next = await alice.get("/api/v1/jobs", {
        createdAfter: new Date(T0 + 2 * 60_000).toISOString(),
        limit: "3",
        cursor: paged.json.nextCursor,
      });
      assert.deepEqual(idsOf(next), newestFirst((_, i) => i >= 2).slice(3, 6));
    });

    it("finds a job by its changed description, in the listing and in the job alike", async () => {
      const target = made[7]!;
      const r = await alice.patch(`/api/v1/jobs/${target.jobId}`, { description: "Renamed Quarterly" });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(idsOf(await alice.get("/api/v1/jobs", { q: "quarterly" })), [target.jobId]);
      assert.deepEqual(idsOf(await alice.get("/api/v1/jobs", { q: target.description })), []);
      assert.equal((await alice.get(`/api/v1/jobs/${target.jobId}`)).json.description, "Renamed Quarterly");
      assert.equal(
        (await alice.patch(`/api/v1/jobs/${target.jobId}`, { description: target.description })).status,
        200,
      );
    });

    it("filters by a tag, key and value exactly, the value taken whole after the first colon", async () => {
      const tag = async (i: number, tags: { key: string; value: string }[]) =>
        assert.equal((await alice.put(`/api/v1/jobs/${made[i]!.jobId}/tags`, { tags })).status, 200);
      // Jobs 2 and 5 are ReplicateObject jobs, still New; job 1 is Cancelling (no engine runs here).
      await tag(1, [{ key: "team", value: "storage" }]);
      await tag(2, [{ key: "team", value: "storage" }]);
      await tag(5, [
        { key: "env", value: "a:b" },
        { key: "team", value: "storage" },
      ]);
      await tag(6, [{ key: "team", value: "storage-ops" }]);
      await tag(7, [{ key: "owner", value: "" }]);
      const ids = (...indexes: number[]) => indexes.map((i) => made[i]!.jobId);
      const list = async (query: Record<string, string>) => idsOf(await alice.get("/api/v1/jobs", query));
      try {
        assert.deepEqual(await list({ tag: "team:storage" }), ids(5, 2, 1));
        assert.deepEqual(await list({ tag: "env:a:b" }), ids(5));
        assert.deepEqual(await list({ tag: "env:a" }), []);
        assert.deepEqual(await list({ tag: "owner:" }), ids(7));
        assert.deepEqual(await list({ tag: "team:storage", status: "Cancelling" }), ids(1));
        assert.deepEqual(await list({ tag: "team:storage", operation: "ReplicateObject" }), ids(5, 2));
        assert.deepEqual(await list({ tag: "team:storage", operation: "DeleteObject" }), []);
        const page = await alice.get("/api/v1/jobs", { tag: "team:storage", limit: "2" });
        assert.deepEqual(idsOf(page), ids(5, 2));
        assert.deepEqual(
          idsOf(await alice.get("/api/v1/jobs", { tag: "team:storage", limit: "2", cursor: page.json.nextCursor })),
          ids(1),
        );
        assert.equal(page.json.jobs[0].tags, undefined, "a listing shows summaries, not the tags it filtered on");
        assert.deepEqual(idsOf(await bob.get("/api/v1/jobs", { tag: "team:storage" })), [], "Alice's tags are hers");
        for (const bad of [":storage", "team", ""]) {
          const problem = await alice.get("/api/v1/jobs", { tag: bad });
          assert.equal(problem.status, 400, `${bad}: ${problem.text}`);
          assert.deepEqual(
            problem.json.errors.map((e: Json) => e.pointer),
            ["?tag"],
          );
        }
      } finally {
        for (const i of [1, 2, 5, 6, 7]) {
          assert.equal((await alice.delete(`/api/v1/jobs/${made[i]!.jobId}/tags`)).status, 204);
        }
      }
    });

    it("answers each bad parameter with a validation problem naming it", async () => {
      const cases: [Record<string, string | string[]>, string][] = [
        [{ limit: "0" }, "?limit"],
        [{ limit: "1001" }, "?limit"],
        [{ limit: "ten" }, "?limit"],
        [{ status: ["New", "Finished"] }, "?status[1]"],
        [{ operation: "Copy" }, "?operation"],
        [{ createdAfter: "yesterday" }, "?createdAfter"],
        [{ cursor: "not-a-cursor" }, "?cursor"],
        [{ colour: "blue" }, "?colour"],
        [{ limit: ["1", "2"] }, "?limit"],
      ];
      for (const [query, pointer] of cases) {
        const r = await alice.get("/api/v1/jobs", query);
        assert.equal(r.status, 400, `${JSON.stringify(query)}: ${r.text}`);
        assert.equal(r.json.type, "urn:objbatch:problem:validation");
        assert.deepEqual(
          r.json.errors.map((e: Json) => e.pointer),
          [pointer],
          JSON.stringify(query),
        );
      }
    });
  });
}
