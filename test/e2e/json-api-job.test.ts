/**
 * A job created through the JSON API runs on the real engine (objbatch as `serve` runs it: SQLite store, local
 * directories) to Complete, watched through GET /api/v1/jobs/{id}: its progress ends exact, its report is
 * written, and the S3 Control dialect describes the same job. Every JSON answer is checked against the document.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { XMLParser } from "fast-xml-parser";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { signedCall } from "../helpers/s3control-client.js";
import { dropFiles, makeBuckets, readReport, writeManifest } from "./helpers.js";

const KEYS = Array.from({ length: 25 }, (_, i) => `photos/${i}.jpg`);

describe("a JSON API job on the engine", () => {
  let app: TestApp;
  let client: JsonApiClient;

  before(async () => {
    app = await startTestApp({ engine: { chunkSize: 10 } });
    client = new JsonApiClient(app.url, ROOT, await DocumentChecker.load(app.url));
  });
  after(async () => {
    await app.dispose();
  });

  it("copies every object, counts each once, reports them, and is the same job in S3 Control", async () => {
    await makeBuckets(app, "src", "dst", "reports");
    await dropFiles(app, "src", Object.fromEntries(KEYS.map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", [...KEYS, "photos/missing.jpg"]);

    const created = await client.post("/api/v1/jobs", {
      operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst", targetKeyPrefix: "copied" },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::src", key: "manifest.csv" },
      },
      report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "reports" },
      description: "json e2e",
    });
    assert.equal(created.status, 201, created.text);
    const { jobId } = created.json;

    let job: Json;
    const deadline = Date.now() + 60_000;
    do {
      await sleep(50);
      job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
      const p = job.progress;
      assert.ok(p.succeeded + p.failed <= (p.total ?? Number.POSITIVE_INFINITY), JSON.stringify(p));
    } while (!["Complete", "Cancelled", "Failed"].includes(job.status) && Date.now() < deadline);

    assert.equal(job.status, "Complete", JSON.stringify(job));
    assert.equal(job.progress.total, KEYS.length + 1);
    assert.equal(job.progress.succeeded, KEYS.length);
    assert.equal(job.progress.failed, 1);
    assert.equal(job.progress.inFlight, 0);
    assert.equal(job.progress.etaSeconds, 0);
    assert.ok(job.terminationTime);

    const { rows } = await readReport(app, "reports", "reports", jobId);
    assert.equal(rows.length, KEYS.length + 1);
    assert.equal(rows.filter((r) => r.status === "succeeded").length, KEYS.length);

    const listed = await client.get("/api/v1/jobs", { operation: "PutObjectCopy", status: "Complete" });
    assert.deepEqual(
      listed.json.jobs.map((j: Json) => [j.jobId, j.progress.succeeded]),
      [[jobId, KEYS.length]],
    );

    const described = await signedCall(app.url, {
      path: `/v20180820/jobs/${jobId}`,
      credentials: { accountId: ROOT.accountId, accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
    });
    assert.equal(described.status, 200, described.text);
    const xml = new XMLParser({ parseTagValue: false }).parse(described.text).DescribeJobResult.Job;
    assert.equal(xml.Status, "Complete");
    assert.equal(xml.Description, "json e2e");
    assert.equal(xml.ProgressSummary.NumberOfTasksSucceeded, String(KEYS.length));
  });
});
