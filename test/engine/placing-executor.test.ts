/**
 * Jobs whose buckets all live on S3 run in the engine's event loop; the rest on the worker threads
 * (engine/placing-executor.ts), judged from the storage config's routes.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { StaticAccountRegistry } from "../../src/accounts/types.js";
import type { BucketRef } from "../../src/domain/job.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import { DEFAULT_ENGINE_OPTIONS } from "../../src/engine/options.js";
import { PlacingExecutor } from "../../src/engine/placing-executor.js";
import { JobService } from "../../src/service/job-service.js";
import type { StorageConfig } from "../../src/storage/open-storage.js";
import { openStorage } from "../../src/storage/open-storage.js";
import { storeKindResolver } from "../../src/storage/store-kind.js";
import { copySpec } from "../helpers/specs.js";
import { sqliteTestStore, type TestStore } from "../helpers/stores.js";

const s3 = {
  kind: "s3",
  endpoint: "http://127.0.0.1:1",
  region: "us-east-1",
  forcePathStyle: true,
} as const;

const ref = (bucket: string): BucketRef => ({ arn: `arn:aws:s3:::${bucket}`, bucket });

describe("storeKindResolver", () => {
  it("answers each bucket with the kind of the first route matching it", () => {
    const kindOf = storeKindResolver({
      kind: "routed",
      routes: [
        { buckets: ["logs-*", "archive"], store: s3 as never },
        { buckets: ["*"], store: { kind: "local", dataDir: "/tmp/x" } },
      ],
    });
    assert.equal(kindOf("logs-2026"), "s3");
    assert.equal(kindOf("archive"), "s3");
    assert.equal(kindOf("archive-old"), "local");
    assert.equal(kindOf("photos"), "local");
  });

  it("answers undefined for a bucket no route matches, and the one kind of an unrouted config", () => {
    const routed = storeKindResolver({ kind: "routed", routes: [{ buckets: ["a*"], store: s3 as never }] });
    assert.equal(routed("b"), undefined);
    assert.equal(storeKindResolver({ kind: "local", dataDir: "/tmp/x" })("anything"), "local");
  });
});

describe("PlacingExecutor", () => {
  let t: TestStore;
  let dir: string;
  let service: JobService;
  let threads: InProcessExecutor;
  let inline: InProcessExecutor;
  let placing: PlacingExecutor;
  const accounts = new StaticAccountRegistry([
    { id: "1250000000", keys: [{ accessKeyId: "AK", secretAccessKey: "SK" }], buckets: ["*"] },
  ]);

  before(async () => {
    t = await sqliteTestStore();
    dir = await mkdtemp(join(tmpdir(), "objbatch-placing-"));
    service = new JobService({ store: t.store, accounts, maxUnfinishedJobs: 100, now: Date.now });
    const config: StorageConfig = {
      kind: "routed",
      routes: [
        { buckets: ["s3-*"], store: s3 as never },
        { buckets: ["*"], store: { kind: "local", dataDir: dir } },
      ],
    };
    const storage = await openStorage({ kind: "local", dataDir: dir });
    const log = pino({ level: "silent" });
    // Two real executors; which one a job lands on is what is under test.
    threads = new InProcessExecutor(storage, accounts, DEFAULT_ENGINE_OPTIONS, log);
    inline = new InProcessExecutor(storage, accounts, DEFAULT_ENGINE_OPTIONS, log);
    placing = new PlacingExecutor(threads, inline, storeKindResolver(config));
  });

  after(async () => {
    await placing.close();
    await t.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function jobOf(buckets: { manifest: string; target: string; report: string }) {
    const base = copySpec();
    const spec = copySpec({
      manifest: { ...base.manifest!, location: { ...base.manifest!.location, bucket: ref(buckets.manifest) } },
      report: { ...base.report, bucket: ref(buckets.report) },
      operation: { kind: "PutObjectCopy", targetResource: ref(buckets.target) },
    });
    const { jobId } = await service.createJob(spec, "reuse");
    const job = await t.store.getJob(jobId);
    assert.ok(job);
    return job;
  }

  it("runs a job whose manifest, target and report buckets are all on S3 in the event loop", async () => {
    const job = await jobOf({ manifest: "s3-src", target: "s3-dst", report: "s3-reports" });
    assert.equal(placing.executorFor(job), inline);
  });

  it("runs a job with any of its buckets on a local route on the worker threads", async () => {
    for (const buckets of [
      { manifest: "local-src", target: "s3-dst", report: "s3-reports" },
      { manifest: "s3-src", target: "local-dst", report: "s3-reports" },
      { manifest: "s3-src", target: "s3-dst", report: "local-reports" },
    ]) {
      assert.equal(placing.executorFor(await jobOf(buckets)), threads, JSON.stringify(buckets));
    }
  });

  it("keeps a job where it was placed, and forgets it once the engine no longer lists it", async () => {
    const job = await jobOf({ manifest: "s3-src", target: "s3-dst", report: "s3-reports" });
    assert.equal(placing.executorFor(job), inline);
    placing.updateStatuses(new Map([[job.jobId, "Active"]]));
    assert.equal(placing.executorFor(job), inline);
    placing.updateStatuses(new Map());
    // Decided afresh: the same job id, now naming a local manifest bucket, goes to the threads.
    const manifest = { ...job.manifest!, location: { ...job.manifest!.location, bucket: ref("local-src") } };
    assert.equal(placing.executorFor({ ...job, manifest }), threads);
  });
});
