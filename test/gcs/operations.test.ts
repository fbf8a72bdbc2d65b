/**
 * A Google job run by the engine, seen through the long-running operation CreateJob answered (polled until done,
 * as Google's clients do), the operations list, the job's bucket operation, and its counters; a job created
 * through objbatch's JSON API whose tasks fail, seen through the Google dialect with its errorSummaries; a Google
 * job seen and cancelled through the JSON API. Real objbatch with the engine on local directories, SQLite and
 * PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../helpers/app.js";
import { sendSigned } from "../helpers/json-api.js";
import { GCS_STORES, type GcsAnswer, type GcsTestApp, prefixJob, startGcsApp } from "./gcs-client.js";

const ROOT_CREDENTIALS = {
  accountId: ROOT.accountId,
  accessKeyId: ROOT.accessKeyId,
  secretAccessKey: ROOT.secretAccessKey,
};

async function until(what: string, probe: () => Promise<GcsAnswer>, done: (r: GcsAnswer) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await probe();
    if (done(r)) return r;
    if (Date.now() > deadline) throw new Error(`${what} did not happen: ${r.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (const store of GCS_STORES) {
  describe(`Google operations with the engine on ${store.name}`, () => {
    let g: GcsTestApp;
    let drop: () => Promise<void>;

    before(async () => {
      const db = await store.open();
      drop = db.drop;
      g = await startGcsApp({ storeUrl: db.url, runEngine: true });
      await g.app.storage.createBucket("photos").catch(() => undefined);
      for (const key of ["old/1.jpg", "old/2.jpg", "keep/3.jpg"])
        await g.app.storage.put("photos", key, `bytes of ${key}`);
    });
    after(async () => {
      await g.app.dispose();
      await drop();
    });

    it("runs a job to the end: the operation is done with the Job as its response, the objects are gone", async () => {
      const created = await g.call("POST", `${g.base}/jobs?jobId=delete-old`, {
        body: prefixJob("photos", { deleteObject: { permanentObjectDeletionEnabled: false } }, ["old/"]),
      });
      assert.equal(created.status, 200, created.text);
      const operationId = created.json.name.split("/").pop();
      const done = await until(
        "the operation finishing",
        () => g.call("GET", `${g.base}/operations/${operationId}`),
        (r) => r.json?.done === true,
      );
      assert.equal(done.json.name, created.json.name);
      assert.equal(done.json.error, undefined);
      assert.equal(done.json.response["@type"], "type.googleapis.com/google.cloud.storagebatchoperations.v1.Job");
      assert.equal(done.json.response.state, "SUCCEEDED");
      assert.deepEqual(done.json.response.counters, {
        totalObjectCount: "2",
        succeededObjectCount: "2",
        failedObjectCount: "0",
      });
      assert.match(done.json.response.completeTime, /Z$/);
      assert.match(done.json.metadata.endTime, /Z$/);
      await assert.rejects(g.app.storage.head("photos", "old/1.jpg"));
      await g.app.storage.head("photos", "keep/3.jpg");

      const listed = await g.call("GET", `${g.base}/operations`);
      assert.equal(listed.status, 200, listed.text);
      assert.ok(listed.json.operations.some((o: { name: string }) => o.name === created.json.name));
    });

    it("shows the job's one bucket operation", async () => {
      const list = await g.call("GET", `${g.base}/jobs/delete-old/bucketOperations`);
      assert.equal(list.status, 200, list.text);
      assert.equal(list.json.bucketOperations.length, 1);
      const op = list.json.bucketOperations[0];
      assert.equal(op.name, `projects/${ROOT.accountId}/locations/global/jobs/delete-old/bucketOperations/photos`);
      assert.equal(op.bucketName, "photos");
      assert.deepEqual(op.prefixList, { includedObjectPrefixes: ["old/"] });
      assert.deepEqual(op.deleteObject, { permanentObjectDeletionEnabled: false });
      assert.equal(op.state, "SUCCEEDED");
      const got = await g.call("GET", `${g.base}/jobs/delete-old/bucketOperations/photos`);
      assert.deepEqual(got.json, op);
      const other = await g.call("GET", `${g.base}/jobs/delete-old/bucketOperations/elsewhere`);
      assert.equal(other.status, 404, other.text);
      assert.equal(other.json.error.status, "NOT_FOUND");
    });

    it("shows a JSON API job whose tasks failed with its nearest transformation and errorSummaries by code", async () => {
      await g.app.storage.put("photos", "tags.csv", "photos,keep/3.jpg\nphotos,missing/a\nphotos,missing/b\n");
      const created = await sendSigned(g.app.url, {
        credentials: ROOT_CREDENTIALS,
        method: "POST",
        path: "/api/v1/jobs",
        body: {
          operation: { kind: "PutObjectTagging", tagSet: [{ key: "team", value: "photos" }] },
          manifest: {
            format: "S3BatchOperations_CSV_20180820",
            fields: ["Bucket", "Key"],
            location: { bucket: "photos", key: "tags.csv" },
          },
          report: { enabled: false },
        },
      });
      assert.equal(created.status, 201, created.text);
      const jobId = created.json.jobId as string;
      const job = await until(
        "the JSON API job finishing",
        () => g.call("GET", `${g.base}/jobs/${jobId}`),
        (r) => r.json?.state === "SUCCEEDED" || r.json?.state === "FAILED",
      );
      assert.equal(job.json.name, `projects/${ROOT.accountId}/locations/global/jobs/${jobId}`);
      assert.deepEqual(job.json.updateObjectCustomContext, {
        customContextUpdates: { updates: { team: { value: "photos" } } },
      });
      assert.deepEqual(job.json.objbatchOperation, { kind: "PutObjectTagging" });
      assert.deepEqual(job.json.bucketList, {
        buckets: [{ bucket: "photos", manifest: { manifestLocation: "gs://photos/tags.csv" } }],
      });
      assert.deepEqual(job.json.counters, { totalObjectCount: "3", succeededObjectCount: "1", failedObjectCount: "2" });
      assert.equal(job.json.errorSummaries.length, 1, job.text);
      const [summary] = job.json.errorSummaries;
      assert.equal(summary.errorCode, "NOT_FOUND");
      assert.equal(summary.errorCount, "2");
      assert.deepEqual(summary.errorLogEntries.map((e: { objectUri: string }) => e.objectUri).sort(), [
        "gs://photos/missing/a",
        "gs://photos/missing/b",
      ]);
      assert.match(summary.errorLogEntries[0].errorDetails[0], /^HTTP 404/);

      // The operation of a finished job can be deleted: that deletes the job.
      const deleted = await g.call("DELETE", `${g.base}/operations/${jobId}`);
      assert.equal(deleted.status, 200, deleted.text);
      assert.equal((await g.call("GET", `${g.base}/jobs/${jobId}`)).status, 404);
    });

    it("lets the JSON API see and cancel a Google job, which then shows CANCELED through both", async () => {
      // A job over a bucket the engine must list: it may run before the cancel lands; either end is fine.
      const created = await g.call("POST", `${g.base}/jobs?jobId=cancel-me`, {
        body: prefixJob("photos", { deleteObject: { permanentObjectDeletionEnabled: true } }, ["nothing-here/"]),
      });
      assert.equal(created.status, 200, created.text);
      const jobId = created.json.name.split("/").pop();
      const described = await sendSigned(g.app.url, { credentials: ROOT_CREDENTIALS, path: `/api/v1/jobs/${jobId}` });
      assert.equal(described.status, 200, described.text);
      assert.equal(described.json.jobId, jobId);
      assert.equal(described.json.dialect, "gcs");
      await sendSigned(g.app.url, {
        credentials: ROOT_CREDENTIALS,
        method: "POST",
        path: `/api/v1/jobs/${jobId}/cancel`,
      });
      const finished = await until(
        "the job finishing",
        () => g.call("GET", `${g.base}/jobs/cancel-me`),
        (r) => ["CANCELED", "FAILED", "SUCCEEDED"].includes(r.json?.state),
      );
      assert.ok(["CANCELED", "FAILED"].includes(finished.json.state), finished.text);
      const cancelAgain = await g.call("POST", `${g.base}/jobs/cancel-me:cancel`);
      assert.equal(cancelAgain.status, 400, cancelAgain.text);
      assert.equal(cancelAgain.json.error.status, "FAILED_PRECONDITION");
      const deleted = await g.call("DELETE", `${g.base}/jobs/cancel-me`);
      assert.equal(deleted.status, 200, deleted.text);
      assert.deepEqual(deleted.json, {});
      assert.equal((await g.call("GET", `${g.base}/jobs/cancel-me`)).status, 404);
    });
  });
}
