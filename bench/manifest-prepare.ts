/**
 * Benchmark: prepare (count and chunk) a 10,000,000-line CSV manifest on the local backend, as the engine's
 * preparer does: stream the object once, cut it into chunks, record the chunks in the SQLite job store.
 * Prints the time, lines per second and peak RSS of this process.
 *   npx tsx bench/manifest-prepare.ts [lines=10000000]
 * Goal: peak RSS under 300 MB.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { StaticAccountRegistry } from "../src/accounts/types.js";
import { DEFAULT_ENGINE_OPTIONS } from "../src/engine/options.js";
import { prepareJob } from "../src/engine/preparer.js";
import { JobService } from "../src/service/job-service.js";
import { LocalStorage } from "../src/storage/local/local-storage.js";
import { openSqlite } from "../src/store/connect.js";
import { JobStore } from "../src/store/job-store.js";

const LINES = Number(process.argv[2] ?? 10_000_000);

async function writeManifest(file: string) {
  const out = createWriteStream(file);
  let batch = "";
  for (let i = 0; i < LINES; i++) {
    batch += `bench-src,dir${i % 1000}/object-${i}.bin\n`;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, "drain");
      batch = "";
    }
  }
  out.end(batch);
  await once(out, "finish");
}

const dataDir = await mkdtemp(join(tmpdir(), "objbatch-prepare-"));
try {
  await mkdir(join(dataDir, "buckets", "bench-src"), { recursive: true });
  const manifestFile = join(dataDir, "buckets", "bench-src", "manifest.csv");
  process.stdout.write(`writing a ${LINES}-line manifest ...\n`);
  await writeManifest(manifestFile);
  const size = (await stat(manifestFile)).size;

  const accounts = new StaticAccountRegistry([{ id: "1", keys: [], buckets: ["*"] }]);
  const store = new JobStore(await openSqlite(join(dataDir, "jobs.sqlite")));
  const storage = new LocalStorage({ dataDir });
  const service = new JobService({ store, accounts, maxUnfinishedJobs: 10 });
  const { jobId } = await service.createJob(
    {
      accountId: "1",
      dialect: "cos",
      clientRequestToken: "bench",
      confirmationRequired: false,
      priority: 1,
      roleArn: "r",
      operation: { kind: "DeleteObject" },
      manifest: {
        format: "COSBatchOperations_CSV_V1",
        fields: ["Bucket", "Key"],
        location: { bucket: { arn: "bench-src", bucket: "bench-src" }, key: "manifest.csv" },
      },
      report: { enabled: false },
    },
    "reject",
  );
  // The local backend computes the ETag (MD5) on first use; do it before timing, as a stored object has one.
  await storage.head("bench-src", "manifest.csv");

  const start = process.hrtime.bigint();
  await prepareJob(
    {
      store,
      storage,
      accounts,
      options: DEFAULT_ENGINE_OPTIONS,
      log: pino({ level: "warn" }),
      now: Date.now,
      owner: "bench",
    },
    jobId,
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const job = await service.describeJob("1", jobId);
  const status = await readFile("/proc/self/status", "utf8");
  const peakMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const chunks = await store.countChunks(jobId, Date.now());
  process.stdout.write(
    [
      `manifest:        ${LINES} lines, ${(size / 1e6).toFixed(0)} MB`,
      `job:             ${job.status}, TotalNumberOfTasks ${job.progress.total}, ${chunks.pending} chunks`,
      `prepare time:    ${seconds.toFixed(2)} s (${Math.round(LINES / seconds).toLocaleString("en")} lines/s)`,
      `peak RSS:        ${peakMb.toFixed(0)} MB (goal < 300 MB)`,
    ].join("\n") + "\n",
  );
  await store.close();
  await storage.close();
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
