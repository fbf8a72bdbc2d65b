/**
 * A job's completion report through the JSON API (D29), on the real engine (SQLite store, local directories):
 * GET /api/v1/jobs/{id}/report lists the results files the engine wrote and, once the job is finished, its
 * manifest.json; each completed results file downloads as exactly the CSV on disk. A job without a report, a
 * file still being written, another account, an account that may not use the report bucket, a results file
 * gone from the bucket and hostile paths each get a problem, never a file. Every answer is checked against the
 * OpenAPI document (helpers/json-api.ts), including the text/csv download.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { type Answer, type Credentials, DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { type S3rverHandle, startS3rver } from "../helpers/s3rver.js";
import { dropFiles, makeBuckets, parseRow, writeManifest } from "./helpers.js";

const OTHER: Credentials = {
  accountId: "1300000007",
  accessKeyId: "AKIDREPORTOTHER00001",
  secretAccessKey: "report-other-secret",
};
/** May use src and dst but not the report bucket. */
const LIMITED: Credentials = {
  accountId: "1300000008",
  accessKeyId: "AKIDREPORTLIMITED001",
  secretAccessKey: "report-limited-secret",
};

const KEYS = Array.from({ length: 60 }, (_, i) => `photos/${String(i).padStart(3, "0")}.jpg`);
const MISSING = ["photos/missing-1.jpg", "photos/missing-2.jpg"];

function assertProblem(r: Answer, status: number, type?: string) {
  assert.equal(r.status, status, r.text.slice(0, 500));
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  if (type !== undefined) assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
}

async function waitFinished(client: JsonApiClient, jobId: string): Promise<Json> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
    if (["Complete", "Cancelled", "Failed"].includes(job.status)) return job;
    if (Date.now() > deadline) assert.fail(`job ${jobId} did not finish: ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

function copyJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst", targetKeyPrefix: "copied" },
    manifest: {
      format: "S3BatchOperations_CSV_20180820",
      fields: ["Bucket", "Key"],
      location: { bucket: "arn:aws:s3:::src", key: "manifest.csv" },
    },
    report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "out/reports" },
    ...overrides,
  };
}

describe("a job's report through the JSON API", () => {
  let app: TestApp;
  let checker: DocumentChecker;
  let root: JsonApiClient;
  let other: JsonApiClient;
  let limited: JsonApiClient;
  let jobId: string;
  let report: Json;

  before(async () => {
    app = await startTestApp({
      engine: {
        chunkSize: 10,
        // Small parts and two parts a file: each status's rows roll over into several results files.
        reportPartBytes: 600,
        reportMaxPartsPerFile: 2,
        reportFlushIntervalMs: 20,
      },
      configFile: {
        accounts: [
          {
            id: OTHER.accountId,
            accessKeyId: OTHER.accessKeyId,
            secretAccessKey: OTHER.secretAccessKey,
            buckets: ["*"],
          },
          {
            id: LIMITED.accountId,
            accessKeyId: LIMITED.accessKeyId,
            secretAccessKey: LIMITED.secretAccessKey,
            buckets: ["src", "dst"],
          },
        ],
      },
    });
    checker = await DocumentChecker.load(app.url);
    root = new JsonApiClient(app.url, { ...ROOT }, checker);
    other = root.as(OTHER);
    limited = root.as(LIMITED);
    await makeBuckets(app, "src", "dst", "reports");
    await dropFiles(app, "src", Object.fromEntries(KEYS.map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", [...KEYS, ...MISSING]);

    const created = await root.post("/api/v1/jobs", copyJob());
    assert.equal(created.status, 201, created.text);
    jobId = created.json.jobId;
    const job = await waitFinished(root, jobId);
    assert.equal(job.status, "Complete", JSON.stringify(job));
    const r = await root.get(`/api/v1/jobs/${jobId}/report`);
    assert.equal(r.status, 200, r.text);
    report = r.json;
  });
  after(async () => {
    await app?.dispose();
  });

  it("lists the finished job's report: its settings, every results file and the manifest", async () => {
    assert.equal(report.jobId, jobId);
    assert.equal(report.enabled, true);
    assert.equal(report.bucket, "reports");
    assert.equal(report.prefix, "out/reports");
    assert.equal(report.format, "Report_CSV_20180820");
    assert.equal(report.scope, "AllTasks");
    assert.equal(report.state, "complete");

    const manifest = JSON.parse(
      await readFile(join(app.dataDir, "buckets", "reports", "out/reports", `job-${jobId}`, "manifest.json"), "utf8"),
    );
    const { key, ...contents } = report.manifest;
    assert.equal(key, `out/reports/job-${jobId}/manifest.json`);
    assert.deepEqual(contents, manifest);

    const succeeded = report.files.filter((f: Json) => f.taskStatus === "succeeded");
    const failed = report.files.filter((f: Json) => f.taskStatus === "failed");
    assert.ok(succeeded.length >= 2, `the succeeded rows rolled over into several files: ${succeeded.length}`);
    assert.ok(failed.length >= 1);
    assert.deepEqual(
      succeeded.map((f: Json) => f.index),
      succeeded.map((_: Json, i: number) => i),
    );
    // The files listed are exactly the manifest's, in its order, with its MD5s.
    assert.deepEqual(
      report.files.map((f: Json) => [f.taskStatus, f.key, f.md5]),
      manifest.Results.map((r: Json) => [r.TaskExecutionStatus, r.Key, r.MD5Checksum]),
    );
    for (const f of report.files) {
      assert.equal(f.completed, true);
      assert.equal(f.downloadPath, `/api/v1/jobs/${jobId}/report/files/${f.taskStatus}/${f.index}`);
      const onDisk = await readFile(join(app.dataDir, "buckets", "reports", f.key));
      assert.equal(f.bytes, onDisk.length);
    }
  });

  it("downloads each results file as exactly the CSV the engine wrote, and all of them hold every task once", async () => {
    const seen: string[] = [];
    for (const f of report.files) {
      const r = await root.get(f.downloadPath);
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.match(String(r.headers["content-type"]), /^text\/csv/);
      const onDisk = await readFile(join(app.dataDir, "buckets", "reports", f.key), "utf8");
      assert.equal(r.text, onDisk);
      assert.equal(r.headers["content-length"], String(Buffer.byteLength(onDisk)));
      assert.equal(createHash("md5").update(r.text).digest("hex"), f.md5);
      assert.match(String(r.headers.etag), /^"[^"]+"$/);
      assert.match(String(r.headers["content-disposition"]), /^attachment; filename="job-/);
      for (const line of r.text.split("\n").filter(Boolean)) {
        const row = parseRow(line);
        assert.equal(row.status, f.taskStatus);
        seen.push(row.key);
      }
    }
    assert.deepEqual(seen.sort(), [...KEYS, ...MISSING].sort());
  });

  it("answers another account exactly as for a missing job, on both routes", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const path of [`/api/v1/jobs/${jobId}/report`, `/api/v1/jobs/${jobId}/report/files/succeeded/0`]) {
      const theirs = await other.get(path);
      const none = await other.get(path.replace(jobId, missing));
      assertProblem(theirs, 404, "no-such-job");
      assertProblem(none, 404, "no-such-job");
      assert.equal(theirs.json.detail.replace(jobId, missing), none.json.detail);
    }
  });

  it("refuses files the report does not have and hostile paths with a problem, never a file", async () => {
    const base = `/api/v1/jobs/${jobId}/report/files`;
    const last = report.files.filter((f: Json) => f.taskStatus === "succeeded").length;
    for (const path of [`${base}/succeeded/${last}`, `${base}/failed/999999`]) {
      assertProblem(await root.get(path), 404, "no-such-report-file");
    }
    const hostile = [
      `${base}/bogus/0`,
      `${base}/SUCCEEDED/0`,
      `${base}/succeeded/-1`,
      `${base}/succeeded/01`,
      `${base}/succeeded/1e3`,
      `${base}/succeeded/0x0`,
      `${base}/succeeded/99999999999999999999`,
      `${base}/succeeded/%2E%2E`,
      `${base}/succeeded/0%2F..%2F..%2Fmanifest.json`,
      `${base}/succeeded%2F0/0`,
      `${base}/..%2F..%2Fmanifest.json/0`,
      `${base}/succeeded/../../../../report`,
      `${base}/../../${jobId}/report/files/succeeded/0/..`,
      `${base}/succeeded/0/extra`,
      `${base}/succeeded`,
      `/api/v1/jobs/${encodeURIComponent(`${jobId}/../${jobId}`)}/report/files/succeeded/0`,
      `/api/v1/jobs/..%2F..%2Freports/report/files/succeeded/0`,
    ];
    for (const path of hostile) {
      const r = await root.get(path);
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.match(String(r.headers["content-type"]), /^application\/problem\+json/, path);
      assert.equal(r.json.status, r.status, path);
    }
  });

  it("answers a job without a report with enabled false and no files; nothing to download", async () => {
    const created = await root.post("/api/v1/jobs", copyJob({ report: { enabled: false } }));
    assert.equal(created.status, 201, created.text);
    const id = created.json.jobId;
    assert.equal((await waitFinished(root, id)).status, "Complete");
    const r = await root.get(`/api/v1/jobs/${id}/report`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.enabled, false);
    assert.equal(r.json.state, "none");
    assert.deepEqual(r.json.files, []);
    assert.equal(r.json.manifest, undefined);
    assertProblem(await root.get(`/api/v1/jobs/${id}/report/files/failed/0`), 404, "no-such-report-file");
  });

  it("shows an unfinished job's report as writing, and its file still being written is not downloadable", async () => {
    const created = await root.post("/api/v1/jobs", copyJob({ confirmationRequired: true }));
    assert.equal(created.status, 201, created.text);
    const id = created.json.jobId;
    // As a flusher that started the file and wrote one part would leave it.
    assert.ok(
      await app.store.startReportFile(id, {
        status: "succeeded",
        index: 0,
        key: `out/reports/job-${id}/results/partial.csv`,
        uploadId: "upload-1",
        parts: [{ partNumber: 1, etag: '"abc"' }],
        bytes: 123,
        throughSeq: 1,
        md5State: "",
        md5: null,
        completed: false,
      }),
    );
    const r = await root.get(`/api/v1/jobs/${id}/report`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, "writing");
    assert.equal(r.json.manifest, undefined);
    assert.deepEqual(r.json.files, [
      {
        taskStatus: "succeeded",
        index: 0,
        key: `out/reports/job-${id}/results/partial.csv`,
        bytes: 123,
        completed: false,
        downloadPath: null,
      },
    ]);
    const download = await root.get(`/api/v1/jobs/${id}/report/files/succeeded/0`);
    assertProblem(download, 404, "no-such-report-file");
    assert.match(download.json.detail, /still being written/);
    assert.equal((await root.post(`/api/v1/jobs/${id}/cancel`)).status, 200);
  });

  it("refuses an account that may not use the report bucket, as the engine does", async () => {
    const created = await limited.post("/api/v1/jobs", copyJob());
    assert.equal(created.status, 201, created.text);
    const id = created.json.jobId;
    const job = await waitFinished(limited, id);
    assert.ok(
      job.failureReasons.some((f: Json) => f.code === "ReportWriteFailed"),
      JSON.stringify(job.failureReasons),
    );
    assertProblem(await limited.get(`/api/v1/jobs/${id}/report`), 403, "report-access-denied");
    assertProblem(await limited.get(`/api/v1/jobs/${id}/report/files/failed/0`), 404, "no-such-report-file");
  });

  it("answers 502 when a completed results file is gone from the report bucket", async () => {
    const f = report.files[report.files.length - 1];
    await rm(join(app.dataDir, "buckets", "reports", f.key));
    const r = await root.get(f.downloadPath);
    assertProblem(r, 502, "report-storage-failed");
    assert.match(r.json.detail, /NoSuchKey/);
  });

  it("documents the new routes, and the suite checked their answers against the document", () => {
    const paths = checker.document.paths;
    const download = paths["/api/v1/jobs/{jobId}/report/files/{status}/{index}"].get;
    assert.ok(download.responses["200"].content["text/csv"]);
    assert.deepEqual(
      download.parameters.map((p: Json) => p.name),
      ["jobId", "status", "index"],
    );
    assert.ok(paths["/api/v1/jobs/{jobId}/report"].get.responses["200"].content["application/json"]);
    for (const key of [
      "GET /api/v1/jobs/{jobId}/report 200",
      "GET /api/v1/jobs/{jobId}/report 404",
      "GET /api/v1/jobs/{jobId}/report 403",
      "GET /api/v1/jobs/{jobId}/report/files/{status}/{index} 200",
      "GET /api/v1/jobs/{jobId}/report/files/{status}/{index} 404",
      "GET /api/v1/jobs/{jobId}/report/files/{status}/{index} 502",
    ]) {
      assert.ok((checker.checked.get(key) ?? 0) > 0, `${key} was checked: ${[...checker.checked.keys()].join(", ")}`);
    }
  });
});

describe("a job's report on S3 storage (s3rver) through the JSON API", () => {
  const REPORTS = "s3reports-report-api";
  let s3: S3rverHandle;
  let app: TestApp;
  let root: JsonApiClient;

  before(async () => {
    s3 = await startS3rver({ buckets: [REPORTS] });
    app = await startTestApp({
      engine: { chunkSize: 10, reportPartBytes: 300, reportFlushIntervalMs: 20 },
      configFile: { storage: [{ buckets: ["s3*"], ...s3.storageConfig() }] },
    });
    root = new JsonApiClient(app.url, { ...ROOT }, await DocumentChecker.load(app.url));
    await makeBuckets(app, "src", "dst");
    await dropFiles(app, "src", Object.fromEntries(KEYS.map((k) => [k, `body of ${k}`])));
    await writeManifest(app, "src", "manifest.csv", "src", [...KEYS, ...MISSING]);
  });
  after(async () => {
    await app?.dispose();
    await s3?.stop();
  });

  it("streams each results file from the S3 report bucket, byte for byte", { timeout: 90_000 }, async () => {
    const created = await root.post(
      "/api/v1/jobs",
      copyJob({ report: { enabled: true, bucket: `arn:aws:s3:::${REPORTS}`, prefix: "s3" } }),
    );
    assert.equal(created.status, 201, created.text);
    const jobId = created.json.jobId;
    assert.equal((await waitFinished(root, jobId)).status, "Complete");
    const r = await root.get(`/api/v1/jobs/${jobId}/report`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, "complete");
    assert.equal(r.json.manifest.key, `s3/job-${jobId}/manifest.json`);
    assert.equal(r.json.files.length, r.json.manifest.Results.length);
    let rows = 0;
    for (const f of r.json.files) {
      const download = await root.get(f.downloadPath);
      assert.equal(download.status, 200, download.text.slice(0, 300));
      const stored = await (
        await s3.client.send(new GetObjectCommand({ Bucket: REPORTS, Key: f.key }))
      ).Body!.transformToString();
      assert.equal(download.text, stored);
      assert.equal(createHash("md5").update(download.text).digest("hex"), f.md5);
      rows += download.text.split("\n").filter(Boolean).length;
    }
    assert.equal(rows, KEYS.length + MISSING.length);

    // With the S3 endpoint gone, a download is a problem (503 or 502), never a crash or a hang.
    await s3.stop();
    const gone = await root.get(r.json.files[0].downloadPath);
    assert.ok(gone.status === 503 || gone.status === 502, `${gone.status} ${gone.text.slice(0, 300)}`);
    assert.match(String(gone.headers["content-type"]), /^application\/problem\+json/);
  });
});
