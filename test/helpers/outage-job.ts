/**
 * For the store-outage tests (test/e2e/store-outage-*.test.ts): a copy job over objects in a data dir that
 * child-process servers share, the calls that watch it, and the checks that it ended with every task counted
 * and reported exactly once.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createJobXml, parseRow } from "../e2e/helpers.js";
import { cosRequest } from "./cos-client.js";

export const OUTAGE_BUCKETS = { src: "src", dst: "dst", reports: "reports" } as const;
const keyOf = (i: number) => `objects/${String(i).padStart(5, "0")}.txt`;

/** `tasks` small objects in `src` and a manifest listing them; `dst` and `reports` empty. */
export async function writeOutageObjects(dataDir: string, tasks: number): Promise<void> {
  const src = join(dataDir, "buckets", OUTAGE_BUCKETS.src);
  await mkdir(join(src, "objects"), { recursive: true });
  await mkdir(join(dataDir, "buckets", OUTAGE_BUCKETS.dst), { recursive: true });
  await mkdir(join(dataDir, "buckets", OUTAGE_BUCKETS.reports), { recursive: true });
  for (let i = 0; i < tasks; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, tasks - i) }, (_, j) =>
        writeFile(join(src, keyOf(i + j)), `object ${i + j}\n`),
      ),
    );
  }
  const lines = Array.from({ length: tasks }, (_, i) => `${OUTAGE_BUCKETS.src},${keyOf(i)}`);
  await writeFile(join(src, "manifest.csv"), `${lines.join("\n")}\n`);
}

export async function createOutageJob(url: string, token: string): Promise<string> {
  const r = await cosRequest(url, "POST", "/jobs", {
    body: createJobXml({
      token,
      manifest: `${OUTAGE_BUCKETS.src}/manifest.csv`,
      operation: `<COSPutObjectCopy><TargetResource>${OUTAGE_BUCKETS.dst}</TargetResource></COSPutObjectCopy>`,
      report: { bucket: OUTAGE_BUCKETS.reports, prefix: "outage" },
    }),
  });
  assert.equal(r.status, 200, r.text);
  return r.xml.CreateJobResult.JobId;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed XML
export type JobXml = Record<string, any>;

/** DescribeJob; undefined when the server does not answer 200 (the store is down). */
export async function describeJob(url: string, jobId: string): Promise<JobXml | undefined> {
  const r = await cosRequest(url, "GET", `/jobs/${jobId}`);
  return r.status === 200 ? r.xml.DescribeJobResult.Job : undefined;
}

export function succeededOf(job: JobXml | undefined): number {
  return Number(job?.ProgressSummary?.NumberOfTasksSucceeded ?? -1);
}

/** Polls until `probe` returns a value; fails after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export async function healthStatus(url: string): Promise<number> {
  const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
  await r.arrayBuffer();
  return r.status;
}

/** The job is Complete, its ProgressSummary exact, every task in the report once and every object copied. */
export async function assertCompletedExactlyOnce(dataDir: string, job: JobXml, jobId: string, tasks: number) {
  assert.equal(job.Status, "Complete", JSON.stringify(job));
  assert.deepEqual(job.ProgressSummary, {
    NumberOfTasksFailed: "0",
    NumberOfTasksSucceeded: String(tasks),
    TotalNumberOfTasks: String(tasks),
  });
  const base = join(dataDir, "buckets", OUTAGE_BUCKETS.reports);
  const manifest = JSON.parse(await readFile(join(base, "outage", `job-${jobId}`, "manifest.json"), "utf8"));
  const keys: string[] = [];
  for (const result of manifest.Results) {
    const text = await readFile(join(base, result.Key), "utf8");
    for (const line of text.split("\n").filter(Boolean)) {
      const row = parseRow(line);
      assert.equal(row.status, "succeeded", line);
      keys.push(row.key);
    }
  }
  assert.equal(keys.length, tasks, "one report row per task");
  assert.deepEqual(
    keys,
    Array.from({ length: tasks }, (_, i) => keyOf(i)),
    "each task reported once, in order",
  );
  for (const i of [0, Math.floor(tasks / 2), tasks - 1]) {
    assert.equal(await readFile(join(dataDir, "buckets", OUTAGE_BUCKETS.dst, keyOf(i)), "utf8"), `object ${i}\n`);
  }
}
