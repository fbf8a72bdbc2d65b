/**
 * Rerun, clone and task results (D35) end to end, on a real objbatch (engine, local directories) over SQLite and
 * PostgreSQL, through the JSON API: a copy job with 1,000 failures across three error codes (404 NoSuchKey, 404
 * NoSuchBucket, 403 AccessDenied) is rerun over exactly those 1,000 tasks, and over one code's; its manifest is
 * an object in the report bucket whose ETag the new job is pinned to, and the new job is tagged; a
 * clientRequestToken makes a retry (also one after the server died between writing the manifest and creating
 * the job) answer the same job; a cancelled job's unrun tasks (inline tasks of a generated listing) and a failed
 * job's (byte ranges of a CSV manifest) are covered exactly once by `notSucceeded`; a running job, a job without
 * a report and a job with nothing to rerun are 409s; another account's job is 404; a clone takes its overrides;
 * task results page through several results files with an error code filter, and a tampered cursor is refused.
 * Every JSON answer is checked against the OpenAPI document.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import { JobReports } from "../../src/service/job-report.js";
import { JobReruns } from "../../src/service/job-rerun.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type Answer, type Credentials, DocumentChecker, type Json, JsonApiClient } from "../helpers/json-api.js";
import { createPgDatabase } from "../helpers/stores.js";
import { dropFiles, encodeKey, makeBuckets, readReport } from "./helpers.js";

const TEAM: Credentials = { accountId: "1300000021", accessKeyId: "AKIDTEAMRERUN0001", secretAccessKey: "team-rerun" };
const OTHER: Credentials = { accountId: "1300000022", accessKeyId: "AKIDOTHERRERUN001", secretAccessKey: "other-rr" };

const STORES: { name: string; open(): Promise<{ url?: string; drop(): Promise<void> }> }[] = [
  { name: "SQLite", open: async () => ({ url: undefined, drop: async () => {} }) },
  { name: "PostgreSQL", open: createPgDatabase },
];

const PRESENT = Array.from({ length: 200 }, (_, i) => `present/${i}.txt`);
/** Keys that need encoding in a manifest: a space, a plus, a comma, non-ASCII. */
const MISSING = Array.from({ length: 500 }, (_, i) => `missing/file ${i}+x, ✓.txt`);
const GONE = Array.from({ length: 300 }, (_, i) => `g-${i}`);
const THEIRS = Array.from({ length: 200 }, (_, i) => `theirs-${i}`);

function assertProblem(r: Answer, status: number, type: string) {
  assert.equal(r.status, status, r.text.slice(0, 500));
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`, r.text);
}

const accountsOf = (...list: Credentials[]) =>
  list.map((c) => ({
    id: c.accountId,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    buckets: ["team-*"],
  }));

async function waitFinished(client: JsonApiClient, jobId: string): Promise<Json> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
    if (["Complete", "Cancelled", "Failed"].includes(job.status)) return job;
    if (Date.now() > deadline) assert.fail(`job ${jobId} did not finish: ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

async function waitStatus(client: JsonApiClient, jobId: string, status: string): Promise<Json> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = (await client.get(`/api/v1/jobs/${jobId}`)).json;
    if (job.status === status) return job;
    if (Date.now() > deadline) assert.fail(`job ${jobId} never became ${status}: ${JSON.stringify(job)}`);
    await sleep(50);
  }
}

const copyJob = (manifestKey: string, extra: Record<string, unknown> = {}) => ({
  operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::team-dst" },
  manifest: {
    format: "S3BatchOperations_CSV_20180820",
    fields: ["Bucket", "Key"],
    location: { bucket: "arn:aws:s3:::team-src", key: manifestKey },
  },
  report: { enabled: true, bucket: "arn:aws:s3:::team-reports", prefix: "r" },
  ...extra,
});

const objectName = (r: { bucket: string; key: string }) => `${r.bucket}/${r.key}`;

for (const kind of STORES) {
  describe(`rerun, clone and task results (${kind.name})`, () => {
    let app: TestApp;
    let store: { url?: string; drop(): Promise<void> };
    let team: JsonApiClient;
    let other: JsonApiClient;
    let sourceId: string;
    const failedOf = new Map<string, string[]>();

    before(async () => {
      store = await kind.open();
      app = await startTestApp({
        storeUrl: store.url,
        // Small parts, two to a file: the failed rows roll over into several results files.
        // No failure threshold (D7): most tasks of these jobs fail on purpose.
        engine: {
          chunkSize: 25,
          reportPartBytes: 4096,
          reportMaxPartsPerFile: 2,
          reportFlushIntervalMs: 20,
          failureThresholdTasks: 1_000_000,
        },
        configFile: { accounts: accountsOf(TEAM, OTHER) },
      });
      const checker = await DocumentChecker.load(app.url);
      team = new JsonApiClient(app.url, TEAM, checker);
      other = team.as(OTHER);
      await makeBuckets(app, "team-src", "team-dst", "team-reports", "other-bucket", "team-gen");
      await dropFiles(app, "team-src", Object.fromEntries(PRESENT.map((k) => [k, k])));
      await dropFiles(app, "other-bucket", Object.fromEntries(THEIRS.map((k) => [k, k])));
      const rows = [
        ...PRESENT.map((k) => `team-src,${encodeKey(k)}`),
        ...MISSING.map((k) => `team-src,${encodeKey(k)}`),
        ...GONE.map((k) => `team-gone,${k}`),
        ...THEIRS.map((k) => `other-bucket,${k}`),
      ];
      // Interleaved, so every cause spans many chunks.
      const shuffled = rows.map((r, i) => [(i * 7919) % rows.length, r] as const).sort(([a], [b]) => a - b);
      await dropFiles(app, "team-src", { "m.csv": `${shuffled.map(([, r]) => r).join("\n")}\n` });

      const created = await team.post("/api/v1/jobs", copyJob("m.csv", { tags: [{ key: "team", value: "a" }] }));
      assert.equal(created.status, 201, created.text);
      sourceId = created.json.jobId;
      const job = await waitFinished(team, sourceId);
      assert.equal(job.status, "Complete", JSON.stringify(job));
      assert.deepEqual([job.progress.succeeded, job.progress.failed], [200, 1000]);
      const report = await readReport(app, "team-reports", "r", sourceId);
      for (const row of report.rows.filter((r) => r.status === "failed")) {
        failedOf.set(row.errorCode, [...(failedOf.get(row.errorCode) ?? []), objectName(row)]);
      }
      assert.deepEqual([...failedOf].map(([code, names]) => [code, names.length]).sort(), [
        ["AccessDenied", 200],
        ["NoSuchBucket", 300],
        ["NoSuchKey", 500],
      ]);
    });
    after(async () => {
      await app?.dispose();
      await store?.drop();
    });

    /** The rerun job's report rows, each object once, as `bucket/key`. */
    async function reportedObjects(jobId: string, prefix = "r"): Promise<string[]> {
      const { rows } = await readReport(app, "team-reports", prefix, jobId);
      const names = rows.map(objectName);
      assert.equal(new Set(names).size, names.length, "no task reported twice");
      return names.sort();
    }

    it("reruns exactly the 1,000 failed tasks, from a manifest in the report bucket pinned by its ETag", async () => {
      // The missing objects exist now: those tasks succeed in the rerun, the others fail again.
      await dropFiles(app, "team-src", Object.fromEntries(MISSING.map((k) => [k, k])));
      const body = { scope: "failed", clientRequestToken: "rerun-all-1" };
      const r = await team.post(`/api/v1/jobs/${sourceId}/rerun`, body);
      assert.equal(r.status, 201, r.text);
      const rerun = r.json;
      assert.equal(r.headers.location, `/api/v1/jobs/${rerun.jobId}`);
      assert.notEqual(rerun.jobId, sourceId);
      assert.deepEqual(
        [...rerun.tags].sort((a: Json, b: Json) => a.key.localeCompare(b.key)),
        [
          { key: "objbatch:rerun-of", value: sourceId },
          { key: "team", value: "a" },
        ],
      );
      assert.deepEqual(rerun.operation, { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::team-dst" });
      assert.equal(rerun.report.bucket, "arn:aws:s3:::team-reports");
      assert.equal(rerun.priority, 10);

      const location = rerun.manifest.location;
      assert.equal(rerun.manifest.format, "S3BatchOperations_CSV_20180820");
      assert.deepEqual(rerun.manifest.fields, ["Bucket", "Key"]);
      assert.match(location.key, new RegExp(`^r/job-${sourceId}/rerun-[0-9a-f]{32}/manifest\\.csv$`));
      const onDisk = await readFile(join(app.dataDir, "buckets", "team-reports", location.key));
      assert.equal(location.etag.replaceAll('"', ""), createHash("md5").update(onDisk).digest("hex"));
      assert.equal(onDisk.toString("utf8").split("\n").filter(Boolean).length, 1000);

      const done = await waitFinished(team, rerun.jobId);
      assert.equal(done.status, "Complete", JSON.stringify(done));
      assert.deepEqual([done.progress.total, done.progress.succeeded, done.progress.failed], [1000, 500, 500]);
      const expected = [...failedOf.values()].flat().sort();
      assert.deepEqual(await reportedObjects(rerun.jobId), expected, "exactly the failed tasks, each once");
      const failures = (await team.get(`/api/v1/jobs/${rerun.jobId}/failures`)).json;
      assert.deepEqual(
        failures.causes.map((c: Json) => [c.errorCode, c.count]),
        [
          ["NoSuchBucket", 300],
          ["AccessDenied", 200],
        ],
      );

      // A retry with the token answers the same job; the token with another request is refused.
      const again = await team.post(`/api/v1/jobs/${sourceId}/rerun`, body);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.jobId, rerun.jobId);
      const reused = await team.post(`/api/v1/jobs/${sourceId}/rerun`, { ...body, errorCodes: ["NoSuchKey"] });
      assertProblem(reused, 409, "token-reused");
    });

    it("reruns only the failed tasks with the error codes asked for", async () => {
      const r = await team.post(`/api/v1/jobs/${sourceId}/rerun`, { scope: "failed", errorCodes: ["NoSuchBucket"] });
      assert.equal(r.status, 201, r.text);
      const done = await waitFinished(team, r.json.jobId);
      assert.deepEqual([done.progress.total, done.progress.succeeded, done.progress.failed], [300, 0, 300]);
      assert.deepEqual(await reportedObjects(r.json.jobId), [...(failedOf.get("NoSuchBucket") ?? [])].sort());
    });

    it("creates one job when the server died between writing the manifest and creating the job", async () => {
      const accounts = new StaticAccountRegistry([{ id: TEAM.accountId, keys: [TEAM], buckets: ["team-*"] }]);
      const reports = new JobReports({ store: app.store, accounts, storage: app.storage, now: Date.now });
      const dying = new JobReruns({
        store: app.store,
        reports,
        create: async () => {
          throw new Error("killed before the job was created");
        },
      });
      const request = { scope: "failed" as const, errorCodes: ["AccessDenied"], clientRequestToken: "crash-between" };
      await assert.rejects(dying.rerun(TEAM.accountId, sourceId, request), /killed before/);
      const written = join(app.dataDir, "buckets", "team-reports", "r", `job-${sourceId}`);
      const before = (await readdirNames(written)).filter((n) => n.startsWith("rerun-"));

      const r = await team.post(`/api/v1/jobs/${sourceId}/rerun`, request);
      assert.equal(r.status, 201, r.text);
      const after = (await readdirNames(written)).filter((n) => n.startsWith("rerun-"));
      assert.deepEqual(after, before, "the retry wrote the same manifest object again, no second one");
      const onDisk = await readFile(join(app.dataDir, "buckets", "team-reports", r.json.manifest.location.key));
      assert.equal(r.json.manifest.location.etag.replaceAll('"', ""), createHash("md5").update(onDisk).digest("hex"));
      const again = await team.post(`/api/v1/jobs/${sourceId}/rerun`, request);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.jobId, r.json.jobId);
      const done = await waitFinished(team, r.json.jobId);
      assert.deepEqual([done.progress.total, done.progress.failed], [200, 200]);
    });

    it("refuses a running job, a job without a report and a job with nothing to rerun (409)", async () => {
      await dropFiles(app, "team-src", {
        "small.csv": `${PRESENT.slice(0, 3)
          .map((k) => `team-src,${k}`)
          .join("\n")}\n`,
      });
      const waiting = await team.post("/api/v1/jobs", copyJob("small.csv", { confirmationRequired: true }));
      assert.equal(waiting.status, 201, waiting.text);
      await waitStatus(team, waiting.json.jobId, "Suspended");
      const running = await team.post(`/api/v1/jobs/${waiting.json.jobId}/rerun`, { scope: "failed" });
      assertProblem(running, 409, "job-not-finished");
      assert.match(running.json.detail, /Suspended/);
      await team.post(`/api/v1/jobs/${waiting.json.jobId}/cancel`);

      const unreported = await team.post("/api/v1/jobs", copyJob("small.csv", { report: { enabled: false } }));
      assert.equal((await waitFinished(team, unreported.json.jobId)).status, "Complete");
      const none = await team.post(`/api/v1/jobs/${unreported.json.jobId}/rerun`, { scope: "failed" });
      assertProblem(none, 409, "no-failed-tasks-report");
      assert.match(none.json.detail, /no completion report/);

      const clean = await team.post("/api/v1/jobs", copyJob("small.csv"));
      assert.equal((await waitFinished(team, clean.json.jobId)).status, "Complete");
      assertProblem(
        await team.post(`/api/v1/jobs/${clean.json.jobId}/rerun`, { scope: "failed" }),
        409,
        "nothing-to-rerun",
      );
      assertProblem(
        await team.post(`/api/v1/jobs/${sourceId}/rerun`, { scope: "failed", errorCodes: ["SlowDown"] }),
        409,
        "nothing-to-rerun",
      );
      assert.ok(!existsSync(join(app.dataDir, "buckets", "team-reports", "r", `job-${clean.json.jobId}`, "rerun-x")));
    });

    it("reruns a cancelled job's unrun tasks (a generated listing, inline chunks) exactly once", async () => {
      const keys = Array.from({ length: 60 }, (_, i) => `gen/${i} ✓.txt`);
      await dropFiles(app, "team-gen", Object.fromEntries(keys.map((k) => [k, k])));
      const created = await team.post("/api/v1/jobs", {
        operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::team-dst", targetKeyPrefix: "gen-copy" },
        manifestGenerator: {
          kind: "S3JobManifestGenerator",
          sourceBucket: "arn:aws:s3:::team-gen",
          enableManifestOutput: false,
        },
        report: { enabled: true, bucket: "arn:aws:s3:::team-reports", prefix: "g" },
        confirmationRequired: true,
      });
      assert.equal(created.status, 201, created.text);
      const id = created.json.jobId;
      assert.equal((await waitStatus(team, id, "Suspended")).progress.total, 60);
      await team.post(`/api/v1/jobs/${id}/cancel`);
      const cancelled = await waitFinished(team, id);
      assert.equal(cancelled.status, "Cancelled");
      assert.deepEqual([cancelled.progress.succeeded, cancelled.progress.failed], [0, 0]);

      assertProblem(await team.post(`/api/v1/jobs/${id}/rerun`, { scope: "failed" }), 409, "nothing-to-rerun");
      const r = await team.post(`/api/v1/jobs/${id}/rerun`, { scope: "notSucceeded" });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.confirmationRequired, false);
      const done = await waitFinished(team, r.json.jobId);
      assert.deepEqual([done.progress.total, done.progress.succeeded, done.progress.failed], [60, 60, 0]);
      const { rows } = await readReport(app, "team-reports", "g", r.json.jobId);
      assert.deepEqual(rows.map(objectName).sort(), keys.map((k) => `team-gen/${k}`).sort(), "each listed object once");
    });

    it("answers another account's job like a missing one (404) on every route", async () => {
      for (const [method, path] of [
        ["POST", `/api/v1/jobs/${sourceId}/rerun`],
        ["POST", `/api/v1/jobs/${sourceId}/clone`],
        ["GET", `/api/v1/jobs/${sourceId}/tasks`],
      ] as const) {
        const answer =
          method === "GET"
            ? await other.get(path)
            : await other.post(path, path.endsWith("rerun") ? { scope: "failed" } : {});
        assertProblem(answer, 404, "no-such-job");
      }
    });

    it("clones a job with overrides", async () => {
      const body = {
        description: "the same again",
        priority: 42,
        confirmationRequired: true,
        tags: [{ key: "run", value: "2" }],
        clientRequestToken: "clone-1",
      };
      const r = await team.post(`/api/v1/jobs/${sourceId}/clone`, body);
      assert.equal(r.status, 201, r.text);
      const source = (await team.get(`/api/v1/jobs/${sourceId}`)).json;
      assert.deepEqual(r.json.manifest, source.manifest);
      assert.deepEqual(r.json.operation, source.operation);
      assert.deepEqual(r.json.report, source.report);
      assert.equal(r.json.description, "the same again");
      assert.equal(r.json.priority, 42);
      assert.equal(r.json.confirmationRequired, true);
      assert.deepEqual(
        [...r.json.tags].sort((a: Json, b: Json) => a.key.localeCompare(b.key)),
        [
          { key: "objbatch:clone-of", value: sourceId },
          { key: "run", value: "2" },
          { key: "team", value: "a" },
        ],
      );
      const again = await team.post(`/api/v1/jobs/${sourceId}/clone`, body);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.jobId, r.json.jobId);
      assertProblem(await team.post(`/api/v1/jobs/${sourceId}/clone`, { ...body, priority: 1 }), 409, "token-reused");
      const plain = await team.post(`/api/v1/jobs/${sourceId}/clone`);
      assert.equal(plain.status, 201, plain.text);
      assert.equal(plain.json.priority, source.priority);
      for (const id of [r.json.jobId, plain.json.jobId]) await team.post(`/api/v1/jobs/${id}/cancel`);
    });

    it("pages through task results across results files with an error code filter; a tampered cursor is refused", async () => {
      const report = (await team.get(`/api/v1/jobs/${sourceId}/report`)).json;
      assert.ok(report.files.filter((f: Json) => f.taskStatus === "failed").length >= 3, "several failed files");
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      const cursors: string[] = [];
      do {
        const r = await team.get(`/api/v1/jobs/${sourceId}/tasks`, {
          status: "failed",
          errorCode: "NoSuchKey",
          limit: "120",
          ...(cursor ? { cursor } : {}),
        });
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.tasks.length <= 120);
        for (const t of r.json.tasks) {
          assert.deepEqual([t.status, t.httpStatus, t.errorCode, t.versionId], ["failed", 404, "NoSuchKey", null]);
          seen.push(objectName(t));
        }
        cursor = r.json.nextCursor ?? undefined;
        if (cursor) cursors.push(cursor);
        pages++;
      } while (cursor && pages < 100);
      assert.ok(pages >= 5, `several pages: ${pages}`);
      assert.equal(seen.length, 500);
      assert.deepEqual([...seen].sort(), [...(failedOf.get("NoSuchKey") ?? [])].sort(), "each NoSuchKey task once");

      const succeeded = await team.get(`/api/v1/jobs/${sourceId}/tasks`, { status: "succeeded", limit: "1000" });
      assert.equal(succeeded.status, 200, succeeded.text);
      assert.deepEqual(succeeded.json.tasks.map(objectName).sort(), PRESENT.map((k) => `team-src/${k}`).sort());
      assert.equal(succeeded.json.nextCursor, null);

      const good = cursors[1] as string;
      const [payload, mac] = good.split(".") as [string, string];
      const moved = Buffer.from(JSON.stringify([0, 7]), "utf8").toString("base64url");
      for (const bad of [`${moved}.${mac}`, `${payload}.${mac.slice(0, -2)}AA`, "garbage", `${payload}`]) {
        const r = await team.get(`/api/v1/jobs/${sourceId}/tasks`, {
          status: "failed",
          errorCode: "NoSuchKey",
          cursor: bad,
        });
        assertProblem(r, 400, "validation");
      }
      // A cursor is good only for the listing it came from: not with another filter, nor for another job.
      assertProblem(
        await team.get(`/api/v1/jobs/${sourceId}/tasks`, { status: "failed", errorCode: "AccessDenied", cursor: good }),
        400,
        "validation",
      );
      assertProblem(await team.get(`/api/v1/jobs/${sourceId}/tasks`, { limit: "0" }), 400, "validation");
    });
  });
}

describe("rerun of a job failed by the failure threshold: its failed and its unrun tasks (CSV byte ranges)", () => {
  let app: TestApp;
  let team: JsonApiClient;

  before(async () => {
    app = await startTestApp({
      engine: { chunkSize: 10, failureThresholdTasks: 20, failureRatio: 0.5 },
      configFile: { accounts: accountsOf(TEAM) },
    });
    team = new JsonApiClient(app.url, TEAM, await DocumentChecker.load(app.url));
    await makeBuckets(app, "team-src", "team-dst", "team-reports");
  });
  after(async () => {
    await app?.dispose();
  });

  it("covers every task that did not succeed exactly once", async () => {
    const missing = Array.from({ length: 100 }, (_, i) => `m/${i} a+b.txt`);
    const present = Array.from({ length: 300 }, (_, i) => `p/${i}.txt`);
    await dropFiles(app, "team-src", Object.fromEntries(present.map((k) => [k, k])));
    // Two failures to one success at first, so the job fails by the threshold with some tasks succeeded.
    const all = [
      ...Array.from({ length: 50 }, (_, i) => [missing[2 * i], missing[2 * i + 1], present[i]]).flat(),
      ...present.slice(50),
    ] as string[];
    await dropFiles(app, "team-src", { "t.csv": `${all.map((k) => `team-src,${encodeKey(k)}`).join("\n")}\n` });
    const created = await team.post("/api/v1/jobs", copyJob("t.csv"));
    assert.equal(created.status, 201, created.text);
    const source = await waitFinished(team, created.json.jobId);
    assert.equal(source.status, "Failed", JSON.stringify(source));
    const { succeeded, failed, total } = source.progress;
    assert.equal(total, 400);
    assert.ok(succeeded > 0, "some tasks succeeded");
    assert.ok(succeeded + failed < total, `some tasks never ran: ${succeeded} + ${failed} of ${total}`);
    const { rows } = await readReport(app, "team-reports", "r", source.jobId);
    const succeededKeys = new Set(rows.filter((r) => r.status === "succeeded").map((r) => r.key));
    assert.equal(succeededKeys.size, succeeded);

    await dropFiles(app, "team-src", Object.fromEntries(missing.map((k) => [k, k])));
    const r = await team.post(`/api/v1/jobs/${source.jobId}/rerun`, { scope: "notSucceeded" });
    assert.equal(r.status, 201, r.text);
    const done = await waitFinished(team, r.json.jobId);
    assert.equal(done.status, "Complete", JSON.stringify(done));
    assert.deepEqual([done.progress.total, done.progress.succeeded], [total - succeeded, total - succeeded]);
    const rerunRows = (await readReport(app, "team-reports", "r", r.json.jobId)).rows.map((row) => row.key);
    assert.equal(new Set(rerunRows).size, rerunRows.length, "no task twice");
    assert.deepEqual(rerunRows.sort(), all.filter((k) => !succeededKeys.has(k)).sort());
  });
});

async function readdirNames(dir: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  return (await readdir(dir)).sort();
}
