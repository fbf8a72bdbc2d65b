/**
 * kill -9 while a 20,000-task job is Active and has written part of its report, start again: the job finishes,
 * and every task is counted exactly once in ProgressSummary and appears exactly once in the report.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { cosRequest } from "../helpers/cos-client.js";
import { freePort, startServe } from "../helpers/process.js";

const TASKS = 20_000;
const SRC = "src-1250000000";
const DST = "dst-1250000000";
const REPORTS = "reports-1250000000";
/** Long folder names make report rows of about 550 bytes: 11 MB of rows, two 5 MiB parts while the job runs. */
const FOLDER = "a-rather-long-folder-name-to-make-long-report-rows-".repeat(4).slice(0, 200);
const keyOf = (i: number) => `dir${i % 20}/${FOLDER}/${FOLDER}/file ${i}.txt`;

/** True once the local backend's upload area holds a part of some upload (uploads/<id>/<partNumber>). */
async function reportPartWritten(dataDir: string): Promise<boolean> {
  const area = join(dataDir, "uploads");
  if (!existsSync(area)) return false;
  for (const upload of await readdir(area)) {
    const entries = await readdir(join(area, upload)).catch(() => []);
    if (entries.some((e) => /^\d+$/.test(e))) return true;
  }
  return false;
}

function createJobXml(token: string) {
  return `<CreateJobRequest>
  <ClientRequestToken>${token}</ClientRequestToken>
  <Manifest>
    <Location><ObjectArn>qcs::cos:ap-chengdu::${SRC}/manifest.csv</ObjectArn></Location>
    <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec>
  </Manifest>
  <Operation><COSPutObjectCopy><TargetResource>qcs::cos:ap-chengdu:uid/1250000000:${DST}</TargetResource></COSPutObjectCopy></Operation>
  <Priority>10</Priority>
  <Report><Bucket>qcs::cos:ap-chengdu::${REPORTS}</Bucket><Enabled>true</Enabled><Format>Report_CSV_V1</Format><Prefix>reports</Prefix><ReportScope>AllTasks</ReportScope></Report>
  <RoleArn>qcs::cam::uin/100000000001:roleName/COS_Batch_QcsRole</RoleArn>
</CreateJobRequest>`;
}

describe("crash recovery (kill -9 of objbatch serve)", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-crash-"));
    const src = join(dataDir, "buckets", SRC);
    for (let d = 0; d < 20; d++) await mkdir(join(src, `dir${d}`, FOLDER, FOLDER), { recursive: true });
    await mkdir(join(dataDir, "buckets", DST), { recursive: true });
    await mkdir(join(dataDir, "buckets", REPORTS), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < TASKS; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => {
          const key = keyOf(i + j);
          lines.push(`${SRC},${encodeURIComponent(key).replace(/%2F/g, "/")}`);
          return writeFile(join(src, key), `object ${i + j}\n`);
        }),
      );
    }
    await writeFile(join(src, "manifest.csv"), `${lines.join("\n")}\n`);
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("finishes the job with every task counted and reported exactly once", { timeout: 240_000 }, async () => {
    const port = await freePort();
    const env = {
      OBJBATCH_LEASE_MS: "2000",
      OBJBATCH_CHUNK_SIZE: "250",
      OBJBATCH_TASK_CONCURRENCY: "8",
      OBJBATCH_REPORT_PART_BYTES: String(5 * 1024 * 1024),
      OBJBATCH_REPORT_FLUSH_INTERVAL_MS: "100",
    };
    const first = await startServe(dataDir, port, env);
    const created = await cosRequest(first.url, "POST", "/jobs", { body: createJobXml("crash-1") });
    assert.equal(created.status, 200, created.text);
    const jobId: string = created.xml.CreateJobResult.JobId;

    // Wait until the job is well under way and a part of its report is written, then kill the server without
    // warning.
    let before = 0;
    let partWritten = false;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(50)) {
      const d = await cosRequest(first.url, "GET", `/jobs/${jobId}`);
      before = Number(d.xml.DescribeJobResult.Job.ProgressSummary.NumberOfTasksSucceeded);
      partWritten = await reportPartWritten(dataDir);
      if (d.xml.DescribeJobResult.Job.Status === "Active" && before >= 1500 && partWritten) break;
    }
    assert.ok(partWritten, "a report part was written before the kill");
    assert.ok(before >= 1500 && before < TASKS, `killed mid-job (at ${before} tasks)`);
    first.child.kill("SIGKILL");
    const { signal } = await first.exited;
    assert.equal(signal, "SIGKILL");

    const second = await startServe(dataDir, port, env);
    try {
      // biome-ignore lint/suspicious/noExplicitAny: parsed XML
      let job: Record<string, any> = {};
      for (const deadline = Date.now() + 180_000; Date.now() < deadline; await sleep(200)) {
        const d = await cosRequest(second.url, "GET", `/jobs/${jobId}`);
        job = d.xml.DescribeJobResult.Job;
        if (["Complete", "Failed", "Cancelled"].includes(job.Status)) break;
      }
      assert.equal(job.Status, "Complete", JSON.stringify(job));
      assert.deepEqual(job.ProgressSummary, {
        NumberOfTasksFailed: "0",
        NumberOfTasksSucceeded: String(TASKS),
        TotalNumberOfTasks: String(TASKS),
      });

      const reportDir = join(dataDir, "buckets", REPORTS, "reports", `job-${jobId}`);
      const manifest = JSON.parse(await readFile(join(reportDir, "manifest.json"), "utf8"));
      const rows: string[] = [];
      for (const result of manifest.Results) {
        const text = await readFile(join(dataDir, "buckets", REPORTS, result.Key), "utf8");
        rows.push(...text.split("\n").filter((l) => l !== ""));
      }
      assert.equal(rows.length, TASKS, "one report row per task");
      const keys = new Set(rows.map((r) => decodeURIComponent(r.split(",")[1])));
      assert.equal(keys.size, TASKS, "no task reported twice");
      assert.ok(rows.every((r) => r.split(",")[3] === "succeeded"));
      assert.deepEqual(
        rows.map((r) => decodeURIComponent(r.split(",")[1])),
        Array.from({ length: TASKS }, (_, i) => keyOf(i)),
        "rows in manifest order across parts and restarts",
      );
      for (const result of manifest.Results) {
        const body = await readFile(join(dataDir, "buckets", REPORTS, result.Key));
        assert.equal(result.MD5Checksum, createHash("md5").update(body).digest("hex"));
      }
      for (const i of [0, 1234, 9999, TASKS - 1]) {
        assert.ok(existsSync(join(dataDir, "buckets", DST, keyOf(i))));
      }
      const copied = (
        await Promise.all(
          Array.from({ length: 20 }, (_, d) => readdir(join(dataDir, "buckets", DST, `dir${d}`, FOLDER, FOLDER))),
        )
      ).flat();
      assert.equal(copied.length, TASKS);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
