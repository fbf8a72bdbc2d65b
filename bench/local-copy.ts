/**
 * Benchmark: a COS copy job of 100,000 objects of 1 KiB on the local backend, against `cp -r` of the same tree
 * in the same run. Prints both times, the ratio, tasks per second and objbatch's peak RSS.
 *   npx tsx bench/local-copy.ts [objects=100000] [base-dir=os.tmpdir()]
 * cp -r and the job take turns for BENCH_ROUNDS rounds (default 3) and the medians count: this machine's disk
 * timing swings between runs.
 * Goal on a 2-core machine: the job within 2x of cp -r, peak RSS under 300 MB.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cosRequest } from "../test/helpers/cos-client.js";
import { freePort, startServe } from "../test/helpers/process.js";

const OBJECTS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_DIR = 1000;
const SRC = "bench-src";

async function generate(dataDir: string) {
  const src = join(dataDir, "buckets", SRC);
  const body = Buffer.alloc(1024, "x");
  const lines: string[] = [];
  for (let d = 0; d * PER_DIR < OBJECTS; d++) {
    const dir = join(src, `d${String(d).padStart(4, "0")}`);
    await mkdir(dir, { recursive: true });
    const n = Math.min(PER_DIR, OBJECTS - d * PER_DIR);
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const key = `d${String(d).padStart(4, "0")}/obj-${i}.bin`;
        lines.push(`${SRC},${key}`);
        return writeFile(join(src, key), body);
      }),
    );
  }
  await mkdir(join(dataDir, "buckets", "bench-dst"), { recursive: true });
  await mkdir(join(dataDir, "buckets", "bench-reports"), { recursive: true });
  await mkdir(join(dataDir, "buckets", "bench-manifests"), { recursive: true });
  await writeFile(join(dataDir, "buckets", "bench-manifests", "manifest.csv"), `${lines.join("\n")}\n`);
}

function createJobXml(round: number, dst: string) {
  return `<CreateJobRequest><ClientRequestToken>bench-${round}</ClientRequestToken>
    <Manifest><Location><ObjectArn>bench-manifests/manifest.csv</ObjectArn></Location>
    <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec></Manifest>
    <Operation><COSPutObjectCopy><TargetResource>${dst}</TargetResource></COSPutObjectCopy></Operation>
    <Priority>1</Priority>
    <Report><Bucket>bench-reports</Bucket><Enabled>true</Enabled><Format>Report_CSV_V1</Format><Prefix>r</Prefix><ReportScope>AllTasks</ReportScope></Report>
    <RoleArn>qcs::cam::uin/1:roleName/bench</RoleArn></CreateJobRequest>`;
}

const median = (runs: number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)];

function peakRssMb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, "utf8").then((s) => Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024);
}

const dataDir = await mkdtemp(join(process.argv[3] ?? tmpdir(), "objbatch-bench-"));
try {
  process.stdout.write(`generating ${OBJECTS} objects of 1 KiB in ${dataDir} ...\n`);
  await generate(dataDir);
  execFileSync("sync");

  execFileSync("npm", ["run", "-s", "build"], { stdio: "inherit" });
  const serve = await startServe(dataDir, await freePort(), { LOG_LEVEL: "warn" }, { dist: true });
  try {
    // cp -r and the job take turns, each on a fresh target after a sync: this machine's disk slows down under
    // sustained writes, so whatever ran later would otherwise look slower.
    const cpRuns: number[] = [];
    const jobRuns: number[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: parsed XML
    let job: Record<string, any> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const cpStart = process.hrtime.bigint();
      execFileSync("cp", ["-r", join(dataDir, "buckets", SRC), join(dataDir, "cp-copy")]);
      cpRuns.push(Number(process.hrtime.bigint() - cpStart) / 1e9);
      await rm(join(dataDir, "cp-copy"), { recursive: true, force: true });
      execFileSync("sync");

      const dst = `bench-dst-${round}`;
      await mkdir(join(dataDir, "buckets", dst), { recursive: true });
      const jobStart = process.hrtime.bigint();
      const created = await cosRequest(serve.url, "POST", "/jobs", { body: createJobXml(round, dst) });
      if (created.status !== 200) throw new Error(created.text);
      const jobId = created.xml.CreateJobResult.JobId;
      for (;;) {
        const d = await cosRequest(serve.url, "GET", `/jobs/${jobId}`);
        job = d.xml.DescribeJobResult.Job;
        if (["Complete", "Failed", "Cancelled"].includes(job.Status)) break;
        await sleep(20);
      }
      jobRuns.push(Number(process.hrtime.bigint() - jobStart) / 1e9);
      await rm(join(dataDir, "buckets", dst), { recursive: true, force: true });
      execFileSync("sync");
    }
    const rss = await peakRssMb(serve.child.pid!);
    const p = job.ProgressSummary;
    const cpSeconds = median(cpRuns);
    const jobSeconds = median(jobRuns);
    const list = (runs: number[]) => runs.map((r) => r.toFixed(2)).join(", ");
    process.stdout.write(
      [
        `objects:            ${OBJECTS} of 1 KiB, ${ROUNDS} rounds`,
        `last job:           ${job.Status} (succeeded ${p.NumberOfTasksSucceeded}, failed ${p.NumberOfTasksFailed})`,
        `cp -r:              ${cpSeconds.toFixed(2)} s (median of ${list(cpRuns)})`,
        `objbatch job:       ${jobSeconds.toFixed(2)} s (median of ${list(jobRuns)}; CreateJob to Complete, report written)`,
        `ratio job / cp -r:  ${(jobSeconds / cpSeconds).toFixed(2)}x (goal <= 2x)`,
        `tasks per second:   ${Math.round(OBJECTS / jobSeconds)}`,
        `peak RSS (server):  ${rss.toFixed(0)} MB (goal < 300 MB)`,
      ].join("\n") + "\n",
    );
  } finally {
    serve.child.kill("SIGTERM");
    await serve.exited;
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
