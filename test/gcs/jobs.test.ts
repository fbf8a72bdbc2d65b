/**
 * The Google dialect's jobs over raw HTTP (D46): create answers the Operation, get and list answer Job resources
 * with the fields the reference defines, jobId names and requestId idempotency, cancel and delete, on SQLite and
 * PostgreSQL. Real objbatch, engine off (a job stays QUEUED unless the test moves it).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../helpers/app.js";
import { GCS_STORES, type GcsTestApp, prefixJob, startGcsApp } from "./gcs-client.js";

for (const store of GCS_STORES) {
  describe(`Google jobs on ${store.name}`, () => {
    let g: GcsTestApp;
    let drop: () => Promise<void>;

    before(async () => {
      const db = await store.open();
      drop = db.drop;
      g = await startGcsApp({ storeUrl: db.url });
    });
    after(async () => {
      await g.app.dispose();
      await drop();
    });

    it("creates a job with a jobId and answers the long-running Operation with the Job in its metadata", async () => {
      const body = prefixJob("photos", { deleteObject: { permanentObjectDeletionEnabled: false } }, ["2024/"]);
      const r = await g.call("POST", `${g.base}/jobs?alt=json&jobId=cleanup-2024`, {
        body: { ...body, description: "old photos" },
      });
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.name, new RegExp(`^projects/${ROOT.accountId}/locations/global/operations/[0-9a-f-]{36}$`));
      assert.equal(r.json.done, false);
      const meta = r.json.metadata;
      assert.equal(meta["@type"], "type.googleapis.com/google.cloud.storagebatchoperations.v1.OperationMetadata");
      assert.equal(meta.operation, r.json.name);
      assert.equal(meta.apiVersion, "v1");
      assert.equal(meta.requestedCancellation, false);
      assert.match(meta.createTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
      assert.equal(meta.job.name, `projects/${ROOT.accountId}/locations/global/jobs/cleanup-2024`);
      assert.equal(meta.job.state, "QUEUED");
      assert.deepEqual(meta.job.deleteObject, { permanentObjectDeletionEnabled: false });
      assert.deepEqual(meta.job.bucketList, {
        buckets: [{ bucket: "photos", prefixList: { includedObjectPrefixes: ["2024/"] } }],
      });
    });

    it("gets the job by its name with its fields", async () => {
      const r = await g.call("GET", `${g.base}/jobs/cleanup-2024?alt=json`);
      assert.equal(r.status, 200, r.text);
      const job = r.json;
      assert.deepEqual(Object.keys(job).sort(), [
        "bucketList",
        "counters",
        "createTime",
        "deleteObject",
        "description",
        "name",
        "scheduleTime",
        "state",
      ]);
      assert.equal(job.description, "old photos");
      assert.deepEqual(job.counters, { succeededObjectCount: "0", failedObjectCount: "0" });
      assert.equal(job.createTime, job.scheduleTime);
      assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    });

    it("refuses a second job of the same name with ALREADY_EXISTS, whatever the body", async () => {
      const body = prefixJob("photos", { deleteObject: { permanentObjectDeletionEnabled: false } }, ["2024/"]);
      const r = await g.call("POST", `${g.base}/jobs?jobId=cleanup-2024`, {
        body: { ...body, description: "old photos" },
      });
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error.status, "ALREADY_EXISTS");
      assert.equal(r.json.error.code, 409);
      assert.match(r.json.error.message, /cleanup-2024 already exists/);
    });

    it("answers a retry with the same requestId and body with the same operation, another body with ALREADY_EXISTS", async () => {
      const requestId = "6f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f";
      const body = prefixJob("photos", { putObjectHold: { temporaryHold: "SET" } });
      const first = await g.call("POST", `${g.base}/jobs?jobId=hold-1&requestId=${requestId}`, { body });
      assert.equal(first.status, 200, first.text);
      const again = await g.call("POST", `${g.base}/jobs?jobId=hold-1&requestId=${requestId}`, { body });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.name, first.json.name);
      const other = await g.call("POST", `${g.base}/jobs?jobId=hold-1&requestId=${requestId}`, {
        body: prefixJob("photos", { putObjectHold: { temporaryHold: "UNSET" } }),
      });
      assert.equal(other.status, 409, other.text);
      assert.equal(other.json.error.status, "ALREADY_EXISTS");
      // Without a jobId, the requestId alone makes the create idempotent.
      const anonymous = prefixJob("photos", {
        rewriteObject: { kmsKey: "projects/p/locations/l/keyRings/r/cryptoKeys/k" },
      });
      const path = `${g.base}/jobs?requestId=7f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f`;
      const a1 = await g.call("POST", path, { body: anonymous });
      const a2 = await g.call("POST", path, { body: anonymous });
      assert.equal(a1.status, 200, a1.text);
      assert.equal(a2.json.name, a1.json.name);
      // Its Google job id is its objbatch id.
      const id = a1.json.name.split("/").pop();
      assert.equal(a1.json.metadata.job.name, `projects/${ROOT.accountId}/locations/global/jobs/${id}`);
      const got = await g.call("GET", `${g.base}/jobs/${id}`);
      assert.equal(got.status, 200, got.text);
      assert.deepEqual(got.json.rewriteObject, { kmsKey: "projects/p/locations/l/keyRings/r/cryptoKeys/k" });
    });

    it("lists the jobs newest first, paged, with a filter on state and either order", async () => {
      const r = await g.call("GET", `${g.base}/jobs?alt=json&pageSize=2`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.jobs.length, 2);
      assert.equal(typeof r.json.nextPageToken, "string");
      const rest = await g.call("GET", `${g.base}/jobs?alt=json&pageSize=2&pageToken=${r.json.nextPageToken}`);
      assert.equal(rest.status, 200, rest.text);
      const names = [...r.json.jobs, ...rest.json.jobs].map((j: { name: string }) => j.name.split("/").pop());
      assert.equal(names.length, 3);
      assert.equal(names[2], "cleanup-2024", "oldest last");
      assert.equal(rest.json.nextPageToken, undefined);
      const queued = await g.call("GET", `${g.base}/jobs?filter=${encodeURIComponent("state = QUEUED")}`);
      assert.equal(queued.json.jobs.length, 3);
      const done = await g.call(
        "GET",
        `${g.base}/jobs?filter=${encodeURIComponent("state = SUCCEEDED OR state = FAILED")}`,
      );
      assert.equal(done.status, 200, done.text);
      assert.equal(done.json.jobs, undefined, "no jobs: the field is left out, as proto3 JSON does");
      const oldest = await g.call("GET", `${g.base}/jobs?orderBy=create_time&pageSize=1`);
      assert.equal(oldest.status, 200, oldest.text);
      assert.equal(oldest.json.jobs[0].name.split("/").pop(), "cleanup-2024");
      const second = await g.call(
        "GET",
        `${g.base}/jobs?orderBy=create_time&pageSize=1&pageToken=${oldest.json.nextPageToken}`,
      );
      assert.equal(second.json.jobs[0].name.split("/").pop(), "hold-1");
      const mixed = await g.call("GET", `${g.base}/jobs?orderBy=create_time&pageToken=${r.json.nextPageToken}`);
      assert.equal(mixed.status, 400, mixed.text);
      assert.equal(mixed.json.error.status, "INVALID_ARGUMENT");
    });

    it("lists operations paged, takes locations/- when listing, and cancels a job through its operation", async () => {
      const first = await g.call("GET", `${g.base}/operations?pageSize=2`);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.operations.length, 2);
      const rest = await g.call("GET", `${g.base}/operations?pageSize=2&pageToken=${first.json.nextPageToken}`);
      assert.equal(rest.json.operations.length, 1);
      assert.equal(rest.json.nextPageToken, undefined);
      const all = [...first.json.operations, ...rest.json.operations];
      assert.ok(all.every((o: { done: boolean }) => o.done === false));
      const anywhere = await g.call("GET", `/v1/projects/${ROOT.accountId}/locations/-/jobs`);
      assert.equal(anywhere.status, 200, anywhere.text);
      assert.equal(anywhere.json.jobs.length, 3);
      const filtered = await g.call("GET", `${g.base}/operations?filter=done%3Dtrue`);
      assert.equal(filtered.status, 400, filtered.text);

      const cleanup = all.find((o: { metadata: { job: { name: string } } }) =>
        o.metadata.job.name.endsWith("/cleanup-2024"),
      );
      const operationId = cleanup.name.split("/").pop();
      const cancelled = await g.call("POST", `${g.base}/operations/${operationId}:cancel`);
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.deepEqual(cancelled.json, {});
      const after = await g.call("GET", `${g.base}/operations/${operationId}`);
      assert.equal(after.json.metadata.requestedCancellation, true, after.text);
      const notDone = await g.call("DELETE", `${g.base}/operations/${operationId}`);
      assert.equal(notDone.status, 400, notDone.text);
      assert.equal(notDone.json.error.status, "FAILED_PRECONDITION");
      assert.equal((await g.call("GET", `${g.base}/operations/not-an-operation`)).status, 404);
    });

    it("cancels an unfinished job, refuses to delete it until it has finished", async () => {
      const del = await g.call("DELETE", `${g.base}/jobs/hold-1`);
      assert.equal(del.status, 400, del.text);
      assert.equal(del.json.error.status, "FAILED_PRECONDITION");
      const cancel = await g.call("POST", `${g.base}/jobs/hold-1:cancel`, { body: {} });
      assert.equal(cancel.status, 200, cancel.text);
      assert.deepEqual(cancel.json, {});
      const job = await g.call("GET", `${g.base}/jobs/hold-1`);
      assert.ok(["RUNNING", "CANCELED"].includes(job.json.state), job.text);
    });
  });
}
