/**
 * The worker-thread executor on a real local data dir: chunks run in workers with their own storage, statuses
 * reach them, and abort cuts chunks short.
 */
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import type { Job } from "../../src/domain/job.js";
import { DEFAULT_ENGINE_OPTIONS } from "../../src/engine/options.js";
import { WorkerPoolExecutor } from "../../src/engine/worker-pool-executor.js";
import { activeJob, copySpec } from "../helpers/specs.js";
import { niceOfThread } from "../helpers/thread-nice.js";

function activeJobOf(dataDirManifest: { bucket: string; key: string }, jobId = "job-1"): Job {
  const spec = copySpec(
    {
      manifest: {
        format: "COSBatchOperations_CSV_V1",
        fields: ["Bucket", "Key"],
        location: { bucket: { arn: dataDirManifest.bucket, bucket: dataDirManifest.bucket }, key: dataDirManifest.key },
      },
      report: { enabled: true, bucket: { arn: "src", bucket: "src" } },
    },
    { kind: "PutObjectCopy", targetResource: { arn: "dst", bucket: "dst" } },
  );
  return activeJob(jobId, spec, 3);
}

describe("WorkerPoolExecutor", () => {
  let dataDir: string;
  let executor: WorkerPoolExecutor;
  const manifest = "src,a.txt\nsrc,b%20c.txt\nsrc,missing.txt\n";
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-workers-"));
    await mkdir(join(dataDir, "buckets", "src"), { recursive: true });
    await mkdir(join(dataDir, "buckets", "dst"), { recursive: true });
    await writeFile(join(dataDir, "buckets", "src", "a.txt"), "a");
    await writeFile(join(dataDir, "buckets", "src", "b c.txt"), "bc");
    await writeFile(join(dataDir, "buckets", "src", "m.csv"), manifest);
    executor = new WorkerPoolExecutor(
      {
        storage: { kind: "local", dataDir },
        accounts: [{ id: "1250000000", keys: [], buckets: ["*"] }],
        options: DEFAULT_ENGINE_OPTIONS,
        logLevel: "silent",
      },
      2,
      pino({ level: "silent" }),
    );
  });
  after(async () => {
    await executor.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs a chunk in a worker and returns its counts and report rows", async () => {
    const execution = await executor.execute(activeJobOf({ bucket: "src", key: "m.csv" }), {
      seq: 0,
      startByte: 0,
      endByte: Buffer.byteLength(manifest),
      firstRecord: 0,
    });
    assert.equal(execution.kind, "done");
    if (execution.kind !== "done") return;
    assert.equal(execution.results.succeeded, 2);
    assert.equal(execution.results.failed, 1);
    assert.match(execution.results.succeededRows ?? "", /^src,b%20c.txt,,succeeded,200,,Successful$/m);
    assert.match(execution.results.failedRows ?? "", /^src,missing.txt,,failed,404,NoSuchKey,/m);
  });

  it("runs a dry run's chunk in a worker without touching the storage (D45)", async () => {
    const job = { ...activeJobOf({ bucket: "src", key: "m.csv" }, "job-dry"), dryRun: true };
    const dst = join(dataDir, "buckets", "dst");
    const files = () => readdirSync(dst).map((f) => `${f}:${statSync(join(dst, f)).ino}`);
    const before = files();
    const execution = await executor.execute(job, {
      seq: 0,
      startByte: 0,
      endByte: Buffer.byteLength(manifest),
      firstRecord: 0,
    });
    assert.equal(execution.kind, "done");
    if (execution.kind !== "done") return;
    assert.deepEqual([execution.results.succeeded, execution.results.failed], [3, 0]);
    assert.match(execution.results.succeededRows ?? "", /^src,missing.txt,,succeeded,200,,Dry run: not acted on$/m);
    assert.deepEqual(files(), before, "nothing was copied (a copy would replace the files)");
  });

  it("runs its threads runnerNice levels below the main thread (Linux)", { skip: process.platform !== "linux" }, () => {
    const main = niceOfThread(String(process.pid));
    const lowered = readdirSync("/proc/self/task").filter(
      (tid) => niceOfThread(tid) === Math.min(19, main + DEFAULT_ENGINE_OPTIONS.runnerNice),
    );
    assert.ok(lowered.length >= 1, "the worker that ran the chunk above is lowered");
    assert.ok(lowered.length <= 2, "no thread but the two workers");
  });

  it("runs chunks on both workers at once and keeps their results apart", async () => {
    const job = activeJobOf({ bucket: "src", key: "m.csv" });
    const first = { seq: 0, startByte: 0, endByte: 10, firstRecord: 0 };
    const rest = { seq: 1, startByte: 10, endByte: Buffer.byteLength(manifest), firstRecord: 1 };
    const [a, b] = await Promise.all([executor.execute(job, first), executor.execute(job, rest)]);
    assert.deepEqual(
      [a, b].map((e) => (e.kind === "done" ? [e.results.succeeded, e.results.failed] : e.kind)),
      [
        [1, 0],
        [1, 1],
      ],
    );
  });

  it("passes a manifest read failure back as a StorageError", async () => {
    await assert.rejects(
      executor.execute(activeJobOf({ bucket: "src", key: "gone.csv" }, "job-3"), {
        seq: 0,
        startByte: 0,
        endByte: 5,
        firstRecord: 0,
      }),
      (e: { code?: string; httpStatus?: number }) => e.code === "NoSuchKey" && e.httpStatus === 404,
    );
  });

  it("stops starting tasks of a job that is no longer Active", async () => {
    executor.updateStatuses(new Map([["job-2", "Cancelling"]]));
    const execution = await executor.execute(activeJobOf({ bucket: "src", key: "m.csv" }, "job-2"), {
      seq: 0,
      startByte: 0,
      endByte: Buffer.byteLength(manifest),
      firstRecord: 0,
    });
    assert.deepEqual(
      execution.kind === "done" ? [execution.results.succeeded, execution.results.failed] : execution.kind,
      [0, 0],
    );
  });
});
