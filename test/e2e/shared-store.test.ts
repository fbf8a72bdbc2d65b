/**
 * Two objbatch servers, each with its own engine, sharing one PostgreSQL job store and one data dir: a job
 * created on one is run by both (chunks leased with SKIP LOCKED), and every task is counted and reported once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import { createPgDatabase } from "../helpers/stores.js";
import { createJob, dropFiles, makeBuckets, readReport, waitForStatus, writeManifest } from "./helpers.js";

describe("two servers on one PostgreSQL store", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let first: TestApp;
  let second: TestApp;

  before(async () => {
    database = await createPgDatabase();
    const engine = { chunkSize: 50, chunkSlots: 2, taskConcurrency: 4 };
    first = await startTestApp({ storeUrl: database.url, engine });
    second = await startTestApp({ storeUrl: database.url, engine, dataDir: first.dataDir });
  });
  after(async () => {
    await second.close();
    await first.dispose();
    await database.drop();
  });

  it("runs one job on both engines and counts every task once", { timeout: 120_000 }, async () => {
    await makeBuckets(first, "src", "dst", "reports");
    const keys = Array.from({ length: 3000 }, (_, i) => `shared/${i}.txt`);
    await dropFiles(first, "src", Object.fromEntries(keys.map((k) => [k, k])));
    await writeManifest(first, "src", "shared.csv", "src", keys);
    const jobId = await createJob(first, {
      manifest: "src/shared.csv",
      operation: "<COSPutObjectCopy><TargetResource>dst</TargetResource></COSPutObjectCopy>",
      report: { bucket: "reports", prefix: "shared" },
    });

    // The other server sees the job at once: the store is shared.
    const seen = await cosRequest(second.url, "GET", `/jobs/${jobId}`);
    assert.equal(seen.status, 200, seen.text);

    const job = await waitForStatus(second, jobId, undefined, 90_000);
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.deepEqual(job.ProgressSummary, {
      NumberOfTasksFailed: "0",
      NumberOfTasksSucceeded: "3000",
      TotalNumberOfTasks: "3000",
    });
    const report = await readReport(first, "reports", "shared", jobId);
    assert.equal(report.rows.length, 3000);
    assert.equal(new Set(report.rows.map((r) => r.key)).size, 3000);
    assert.deepEqual(await first.store.sumChunkCounters(jobId), { succeeded: 3000, failed: 0, records: 3000 });
    const [a, b] = [first.engine!.stats.chunksRecorded, second.engine!.stats.chunksRecorded];
    assert.equal(a + b, 60, "60 chunks of 50 tasks, each recorded once");
    assert.ok(a > 0 && b > 0, `both engines ran chunks (${a} and ${b})`);
  });
});
