/**
 * Jobs driven by a manifest generator, end to end: a real objbatch (engine on worker threads, SQLite or
 * PostgreSQL store, local storage), the job created through the service as every dialect does, run to
 * Complete, its effect checked on the objects, its report and its generated manifest checked.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Job, JobSpec } from "../../src/domain/job.js";
import { ROOT, startTestApp, type TestApp } from "../helpers/app.js";
import { TEST_STORES, type TestStore } from "../helpers/stores.js";
import { dropFiles, makeBuckets, readReport } from "./helpers.js";

const ref = (bucket: string) => ({ arn: `arn:aws:s3:::${bucket}`, bucket });

async function waitForEnd(app: TestApp, jobId: string, timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let job: Job | undefined;
  while (Date.now() < deadline) {
    job = await app.service.describeJob(ROOT.accountId, jobId);
    if (["Complete", "Failed", "Cancelled"].includes(job.status)) return job;
    await sleep(25);
  }
  assert.fail(`job ${jobId} did not end; last seen ${JSON.stringify(job)}`);
}

function taggingJob(overrides: Partial<JobSpec>): JobSpec {
  return {
    accountId: ROOT.accountId,
    dialect: "s3control",
    clientRequestToken: `gen-${Date.now()}-${Math.random()}`,
    confirmationRequired: false,
    priority: 10,
    roleArn: "arn:aws:iam::123456789012:role/batch",
    operation: { kind: "PutObjectTagging", tagSet: [{ key: "swept", value: "yes" }] },
    report: { enabled: true, bucket: ref("gen-reports"), prefix: "r", scope: "AllTasks" },
    ...overrides,
  };
}

for (const open of TEST_STORES) {
  describe(`jobs with a manifest generator, end to end (${open.name})`, () => {
    let store: TestStore;
    let app: TestApp;
    before(async () => {
      store = await open(); // the app opens its own connection to the same database
      app = await startTestApp({ storeUrl: store.url, engine: { chunkSize: 4, pollMs: 20 } });
      await makeBuckets(app, "gen-src", "gen-reports", "gen-out");
      const files: Record<string, string> = {};
      for (let i = 0; i < 10; i++) files[`logs/day ${i}.log`] = "x".repeat(i + 1);
      files["keep/readme.txt"] = "keep";
      await dropFiles(app, "gen-src", files);
    });
    after(async () => {
      await app.dispose();
      await store.dispose();
    });

    it("S3JobManifestGenerator with a filter and manifest output: completes, report and manifest agree", async () => {
      const { jobId } = await app.service.createJob(
        taggingJob({
          manifestGenerator: {
            kind: "S3JobManifestGenerator",
            sourceBucket: ref("gen-src"),
            enableManifestOutput: true,
            manifestOutputLocation: {
              bucket: ref("gen-out"),
              manifestPrefix: "manifests",
              manifestFormat: "S3InventoryReport_CSV_20211130",
            },
            filter: { keyNameConstraint: { matchAnyPrefix: ["logs/"] }, objectSizeGreaterThanBytes: 3 },
          },
        }),
        "reuse",
      );
      const job = await waitForEnd(app, jobId);
      assert.equal(job.status, "Complete", JSON.stringify(job.failureReasons));
      assert.deepEqual(
        [job.progress.total, job.progress.succeeded, job.progress.failed],
        [7, 7, 0], // day 3 .. day 9 are longer than 3 bytes
      );
      const expected = [3, 4, 5, 6, 7, 8, 9].map((i) => `logs/day ${i}.log`);
      for (const key of expected) {
        assert.deepEqual(await app.storage.getTagging("gen-src", key), [{ key: "swept", value: "yes" }]);
      }
      assert.deepEqual(await app.storage.getTagging("gen-src", "logs/day 2.log"), []);
      assert.deepEqual(await app.storage.getTagging("gen-src", "keep/readme.txt"), []);

      const report = await readReport(app, "gen-reports", "r", jobId);
      assert.deepEqual(
        report.rows.map((r) => [r.bucket, r.key, r.status]).sort(),
        expected.map((k) => ["gen-src", k, "succeeded"]),
      );

      const key = `manifests/job-${jobId}/manifest.json`;
      assert.equal(job.generatedManifest?.location.key, key);
      assert.equal(job.generatedManifest?.location.objectArn, `arn:aws:s3:::gen-out/${key}`);
      assert.equal(job.generatedManifest?.location.etag, (await app.storage.head("gen-out", key)).etag);
      const manifest = JSON.parse(await readFile(join(app.dataDir, "buckets", "gen-out", key), "utf8"));
      assert.equal(manifest.files.length, 1);
    });

    it("OSS KeyPrefixManifestGenerator: completes over its prefix", async () => {
      const { jobId } = await app.service.createJob(
        taggingJob({
          dialect: "oss",
          operation: { kind: "DeleteObjectTagging" },
          manifestGenerator: {
            kind: "KeyPrefixManifestGenerator",
            sourceBucket: ref("gen-src"),
            enableManifestOutput: false,
            prefix: "keep/",
          },
        }),
        "reuse",
      );
      const job = await waitForEnd(app, jobId);
      assert.equal(job.status, "Complete");
      assert.equal(job.progress.total, 1);
      const report = await readReport(app, "gen-reports", "r", jobId);
      assert.deepEqual(
        report.rows.map((r) => [r.key, r.status]),
        [["keep/readme.txt", "succeeded"]],
      );
    });

    it("a generator that matches nothing ends Failed with the reason", async () => {
      const { jobId } = await app.service.createJob(
        taggingJob({
          manifestGenerator: {
            kind: "S3JobManifestGenerator",
            sourceBucket: ref("gen-src"),
            enableManifestOutput: false,
            filter: { matchAnyStorageClass: ["DEEP_ARCHIVE"] },
          },
        }),
        "reuse",
      );
      const job = await waitForEnd(app, jobId);
      assert.equal(job.status, "Failed");
      assert.equal(job.failureReasons[0].code, "NoMatchingKeys");
    });
  });
}
