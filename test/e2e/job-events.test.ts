/**
 * A job's event stream on the real engine (objbatch as `serve` runs it: SQLite store, local directories): opened
 * right after the job is created, it shows every status change the engine makes, in order, to Complete, each
 * once, with increasing ids; deleting the job ends with job.deleted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { DocumentChecker, JsonApiClient } from "../helpers/json-api.js";
import { dataOf, openSse } from "../helpers/sse-client.js";
import { dropFiles, makeBuckets, writeManifest } from "./helpers.js";

const KEYS = Array.from({ length: 30 }, (_, i) => `in/${i}.txt`);

describe("a job's events on the engine", () => {
  let app: TestApp;
  let client: JsonApiClient;

  before(async () => {
    app = await startTestApp({ engine: { chunkSize: 10 } });
    client = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
  });
  after(async () => {
    await app.dispose();
  });

  it("follows the job from creation to Complete, every status change once and in order", async () => {
    await makeBuckets(app, "src", "dst");
    await dropFiles(app, "src", Object.fromEntries(KEYS.map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", KEYS);
    const created = await client.post("/api/v1/jobs", {
      operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst" },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::src", key: "manifest.csv" },
      },
      report: { enabled: false },
    });
    assert.equal(created.status, 201, created.text);
    const { jobId } = created.json;
    const credentials = {
      accountId: ROOT.accountId,
      accessKeyId: ROOT.accessKeyId,
      secretAccessKey: ROOT.secretAccessKey,
    };
    const stream = await openSse(app.url, { path: `/api/v1/jobs/${jobId}/events`, credentials });
    assert.equal(stream.status, 200);
    const moves = () =>
      stream
        .durable()
        .filter((e) => e.event === "job.status")
        .map((e) => `${dataOf(e).details.from}->${dataOf(e).details.to}`);
    await stream.waitFor((s) => s.durable().some((e) => dataOf(e).status === "Complete"), "Complete", 60_000);
    assert.equal(stream.durable()[0].event, "job.created");
    assert.deepEqual(moves(), [
      "New->Preparing",
      "Preparing->Ready",
      "Ready->Active",
      "Active->Completing",
      "Completing->Complete",
    ]);
    const ids = stream.durable().map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(new Set(ids).size, ids.length);
    const complete = stream.durable().at(-1);
    assert.deepEqual(dataOf(complete!).details.counts, { total: KEYS.length, succeeded: KEYS.length, failed: 0 });
    for (const p of stream.events.filter((e) => e.event === "progress")) {
      assert.equal(dataOf(p).jobId, jobId);
      assert.ok(dataOf(p).progress.succeeded <= KEYS.length);
    }

    assert.equal((await client.delete(`/api/v1/jobs/${jobId}`)).status, 204);
    await stream.waitFor((s) => s.durable().some((e) => e.event === "job.deleted"), "job.deleted");
    stream.close();
  });
});
