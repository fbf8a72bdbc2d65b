/**
 * Failures by cause (D27) end to end, on a real objbatch (engine, local directories) over SQLite and over
 * PostgreSQL: a copy job whose tasks fail in three ways (missing keys: 404 NoSuchKey; a bucket that does not
 * exist: 404 NoSuchBucket; a bucket the account may not use: 403 AccessDenied) shows each cause with its exact
 * count and sample keys through GET /api/v1/jobs/{id}/failures, and the job's FailureReasons name them in the
 * dialects' DescribeJob; a copy to a missing target bucket, whose every task fails, says why. Another account's
 * job answers 404 like a missing one. Every JSON answer is checked against the OpenAPI document.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { XMLParser } from "fast-xml-parser";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { type Credentials, DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { signedCall } from "../helpers/s3control-client.js";
import { createPgDatabase } from "../helpers/stores.js";
import { describe as describeCos, dropFiles, makeBuckets, readReport } from "./helpers.js";

const TEAM: Credentials = { accountId: "1300000000", accessKeyId: "AKIDTEAMFAILURES", secretAccessKey: "team-secret" };
const ROOT_JSON: Credentials = { ...ROOT };

const STORES: { name: string; open(): Promise<{ url?: string; drop(): Promise<void> }> }[] = [
  { name: "SQLite", open: async () => ({ url: undefined, drop: async () => {} }) },
  { name: "PostgreSQL", open: createPgDatabase },
];

for (const kind of STORES) {
  describe(`failures by cause on the engine (${kind.name})`, () => {
    let app: TestApp;
    let store: { url?: string; drop(): Promise<void> };
    let team: JsonApiClient;
    let root: JsonApiClient;

    before(async () => {
      store = await kind.open();
      app = await startTestApp({
        storeUrl: store.url,
        engine: { chunkSize: 4 },
        configFile: {
          accounts: [
            {
              id: TEAM.accountId,
              accessKeyId: TEAM.accessKeyId,
              secretAccessKey: TEAM.secretAccessKey,
              buckets: ["team-*"],
            },
          ],
        },
      });
      const checker = await DocumentChecker.load(app.url);
      team = new JsonApiClient(app.url, TEAM, checker);
      root = team.as(ROOT_JSON);
    });
    after(async () => {
      await app.dispose();
      await store.drop();
    });

    async function runJob(body: Json): Promise<Json> {
      const created = await team.post("/api/v1/jobs", body);
      assert.equal(created.status, 201, created.text);
      const { jobId } = created.json;
      const deadline = Date.now() + 60_000;
      let job: Json;
      do {
        await sleep(50);
        job = (await team.get(`/api/v1/jobs/${jobId}`)).json;
      } while (!["Complete", "Cancelled", "Failed"].includes(job.status) && Date.now() < deadline);
      return job;
    }

    const copyJob = (target: string, manifestKey: string) => ({
      operation: { kind: "PutObjectCopy", targetResource: `arn:aws:s3:::${target}` },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::team-src", key: manifestKey },
      },
      report: { enabled: true, bucket: "arn:aws:s3:::team-reports", prefix: "r", scope: "FailedTasksOnly" },
    });

    it("counts each cause exactly, with samples, and names them in FailureReasons", async () => {
      await makeBuckets(app, "team-src", "team-dst", "team-reports", "other-bucket");
      const present = Array.from({ length: 5 }, (_, i) => `present-${i}`);
      const missing = Array.from({ length: 7 }, (_, i) => `missing-${i}`);
      await dropFiles(app, "team-src", Object.fromEntries(present.map((k) => [k, k])));
      await dropFiles(app, "other-bucket", { "theirs-0": "x", "theirs-1": "x" });
      // Interleaved, so every cause spans several chunks of four.
      const rows = [
        ...present.map((k) => `team-src,${k}`),
        ...missing.map((k) => `team-src,${k}`),
        "team-gone,g-0",
        "team-gone,g-1",
        "team-gone,g-2",
        "other-bucket,theirs-0",
        "other-bucket,theirs-1",
      ];
      const shuffled = rows.map((r, i) => [(i * 7) % rows.length, r] as const).sort(([a], [b]) => a - b);
      await dropFiles(app, "team-src", { "m.csv": `${shuffled.map(([, r]) => r).join("\n")}\n` });

      const job = await runJob(copyJob("team-dst", "m.csv"));
      assert.equal(job.status, "Complete", JSON.stringify(job));
      assert.deepEqual([job.progress.succeeded, job.progress.failed], [5, 12]);

      const failures = await team.get(`/api/v1/jobs/${job.jobId}/failures`);
      assert.equal(failures.status, 200, failures.text);
      assert.equal(failures.json.total, 12);
      const causes = failures.json.causes as Json[];
      assert.deepEqual(
        causes.map((c) => [c.httpStatus, c.errorCode, c.count]),
        [
          [404, "NoSuchKey", 7],
          [404, "NoSuchBucket", 3],
          [403, "AccessDenied", 2],
        ],
      );
      assert.equal(causes[0].sampleKeys.length, 5, "at most five samples");
      for (const sample of causes[0].sampleKeys) {
        assert.equal(sample.bucket, "team-src");
        assert.ok(missing.includes(sample.key), sample.key);
      }
      assert.deepEqual(causes[1].sampleKeys.map((s: Json) => `${s.bucket}/${s.key}`).sort(), [
        "team-gone/g-0",
        "team-gone/g-1",
        "team-gone/g-2",
      ]);
      assert.deepEqual(causes[2].sampleKeys.map((s: Json) => `${s.bucket}/${s.key}`).sort(), [
        "other-bucket/theirs-0",
        "other-bucket/theirs-1",
      ]);

      // The report agrees, row for row.
      const report = await readReport(app, "team-reports", "r", job.jobId);
      const byCode = new Map<string, number>();
      for (const r of report.rows) byCode.set(r.errorCode, (byCode.get(r.errorCode) ?? 0) + 1);
      assert.deepEqual(Object.fromEntries(byCode), { NoSuchKey: 7, NoSuchBucket: 3, AccessDenied: 2 });

      const expected = [
        /^7 tasks failed: 404 NoSuchKey \(e\.g\. team-src\/missing-\d\)$/,
        /^3 tasks failed: 404 NoSuchBucket \(e\.g\. team-gone\/g-\d\)$/,
        /^2 tasks failed: 403 AccessDenied \(e\.g\. other-bucket\/theirs-\d\)$/,
      ];
      const reasons = job.failureReasons as Json[];
      assert.deepEqual(
        reasons.map((r) => r.code),
        ["TasksFailed", "TasksFailed", "TasksFailed"],
      );
      for (const [i, r] of reasons.entries()) assert.match(r.reason, expected[i]);

      // S3 Control's DescribeJob says the same.
      const described = await signedCall(app.url, { path: `/v20180820/jobs/${job.jobId}`, credentials: TEAM });
      assert.equal(described.status, 200, described.text);
      const xml = new XMLParser({ parseTagValue: false }).parse(described.text).DescribeJobResult.Job;
      const members = [xml.FailureReasons.member].flat();
      assert.deepEqual(
        members.map((m: Json) => m.FailureCode),
        ["TasksFailed", "TasksFailed", "TasksFailed"],
      );
      for (const [i, m] of members.entries()) assert.match(m.FailureReason, expected[i]);
    });

    it("says why a copy to a missing bucket failed every task (COS DescribeJob)", async () => {
      await dropFiles(app, "team-src", { "a.txt": "a", "b.txt": "b", "two.csv": "team-src,a.txt\nteam-src,b.txt\n" });
      const job = await runJob(copyJob("team-nowhere", "two.csv"));
      assert.equal(job.status, "Complete", JSON.stringify(job));
      assert.deepEqual([job.progress.succeeded, job.progress.failed], [0, 2]);
      const failures = await team.get(`/api/v1/jobs/${job.jobId}/failures`);
      assert.deepEqual(failures.json.total, 2);
      assert.deepEqual(
        failures.json.causes.map((c: Json) => [c.httpStatus, c.errorCode, c.count]),
        [[404, "NoSuchBucket", 2]],
      );
      const cos = await describeCos(app, job.jobId, {
        appId: TEAM.accountId,
        secretId: TEAM.accessKeyId,
        secretKey: TEAM.secretAccessKey,
      });
      const entry = [cos.FailureReasons.JobFailure].flat()[0];
      assert.equal(entry.FailureCode, "TasksFailed");
      assert.match(entry.FailureReason, /^2 tasks failed: 404 NoSuchBucket \(e\.g\. team-src\/[ab]\.txt\)$/);
    });

    it("answers another account's job, and a missing one, with 404; a job with no failures has none", async () => {
      await dropFiles(app, "team-src", { "ok.csv": "team-src,a.txt\n" });
      const job = await runJob(copyJob("team-dst", "ok.csv"));
      assert.equal(job.status, "Complete", JSON.stringify(job));
      const none = await team.get(`/api/v1/jobs/${job.jobId}/failures`);
      assert.equal(none.status, 200, none.text);
      assert.deepEqual(none.json, { total: 0, causes: [] });
      assert.deepEqual(job.failureReasons, []);

      const theirs = await root.get(`/api/v1/jobs/${job.jobId}/failures`);
      const nobody = await root.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/failures");
      for (const answer of [theirs, nobody]) {
        assert.equal(answer.status, 404, answer.text);
        assert.match(String(answer.headers["content-type"]), /^application\/problem\+json/);
        assert.equal(answer.json.type, "urn:objbatch:problem:no-such-job");
      }
    });
  });
}
