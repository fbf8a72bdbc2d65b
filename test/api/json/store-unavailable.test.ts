/**
 * While the job store cannot be reached, the JSON API answers 503 store-unavailable problems with Retry-After
 * (D14), never a 500, and serves again once the store is back. The store is a real PostgreSQL reached through a
 * TCP proxy of the test's own that goes away and comes back on the same port. Console sessions, which live in the
 * same store, are no different: signing in and using a session answer 503 too, and the session works again after.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openPostgres } from "../../../src/store/connect.js";
import { JobStore } from "../../../src/store/job-store.js";
import {
  ALICE,
  createRequest,
  DocumentChecker,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { type FreezableProxy, freezableProxy, throughPort } from "../../helpers/store-faults.js";
import { createPgDatabase, type TestStore } from "../../helpers/stores.js";

describe("the JSON API while the store is unavailable", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let proxy: FreezableProxy;
  let port: number;
  let store: TestStore;
  let server: JsonApiServer;
  let alice: JsonApiClient;

  before(async () => {
    database = await createPgDatabase();
    proxy = freezableProxy(new URL(database.url));
    port = await proxy.listen();
    const connection = await openPostgres(throughPort(database.url, port), 2);
    const jobStore = new JobStore(connection);
    store = { name: "postgres", store: jobStore, connection, url: database.url, dispose: () => jobStore.close() };
    server = await startJsonApiServer(store);
    alice = new JsonApiClient(server.url, ALICE, await DocumentChecker.load(server.url));
  });

  after(async () => {
    await server.close();
    await proxy.close().catch(() => undefined);
    await store.dispose().catch(() => undefined);
    await database.drop();
  });

  it("answers 503 with Retry-After for reads and writes, then serves again when the store is back", async () => {
    const created = await alice.post("/api/v1/jobs", createRequest());
    assert.equal(created.status, 201, created.text);
    const path = `/api/v1/jobs/${created.json.jobId}`;

    await proxy.close();
    for (const r of [
      await alice.get(path),
      await alice.get("/api/v1/jobs"),
      await alice.post("/api/v1/jobs", createRequest()),
      await alice.patch(path, { description: "x" }),
    ]) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.type, "urn:objbatch:problem:store-unavailable");
      assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
      assert.ok(Number(r.headers["retry-after"]) > 0, `Retry-After: ${r.headers["retry-after"]}`);
    }

    await proxy.listen(port);
    const again = await alice.get(path);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.description, undefined);
  });

  it("answers 503 to signing in and to a session's requests, and the session works again when the store is back", async () => {
    const credentials = { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey };
    const signIn = () =>
      alice.call({ method: "POST", path: "/api/v1/session", body: credentials, unsigned: true, payloadHash: "none" });
    const signedIn = await signIn();
    assert.equal(signedIn.status, 201, signedIn.text);
    const cookie = String(signedIn.headers["set-cookie"]).split(";")[0]!;
    const inSession = () => alice.call({ path: "/api/v1/jobs", unsigned: true, headers: { cookie } });

    await proxy.close();
    for (const r of [await signIn(), await inSession()]) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.type, "urn:objbatch:problem:store-unavailable");
      assert.ok(Number(r.headers["retry-after"]) > 0);
    }

    await proxy.listen(port);
    const again = await inSession();
    assert.equal(again.status, 200, again.text);
  });
});
