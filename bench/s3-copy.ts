/**
 * Benchmark: copy 5,000 objects of 1 KiB from one bucket to another on the same S3 server, server-side, four
 * ways in one run, each into a fresh target bucket, each verified to have copied every object:
 *
 *   objbatch   an S3 Control copy job through objbatch's real API and engine (worker threads, SQLite store,
 *              completion report), its storage configured for the S3 server
 *   raw        the ceiling: the AWS SDK alone issuing CopyObject, the same number in flight
 *   rclone     Debian's rclone, server-side copy (provider Other, path style, --transfers N --checkers N)
 *   aws        the AWS CLI, `aws s3 cp --recursive` with max_concurrent_requests N
 *
 * It prints each time and objbatch's speed relative to each (their time / objbatch's time; above 1 means
 * objbatch was faster). Goal: objbatch >= 0.9 of the raw ceiling, and faster than rclone and the AWS CLI.
 *
 *   npm run bench:s3 [-- --ceph] [--objects 5000] [--concurrency 32] [--only objbatch,raw] [--rounds 1]
 *                    [--engine '{"runnerThreads":1}'] [--s3 '{"maxSockets":64}']
 *
 * The S3 server is s3rver (in a child process) by default; with --ceph (or OBJBATCH_BENCH_S3=ceph) the RADOS
 * Gateway of scripts/ceph/start.sh (OBJBATCH_CEPH_* variables as in test-ceph/helpers.ts). With --rounds > 1
 * the contenders take turns and the medians count.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CopyObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DescribeJobCommand, type JobDescriptor } from "@aws-sdk/client-s3-control";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { ROOT_S3CONTROL } from "../test/helpers/s3control-client.js";
import { type S3rverHandle, startS3rver } from "../test/helpers/s3rver.js";
import {
  CEPH,
  cephGateway,
  createBuckets,
  putManifest,
  putObjects,
  removeBuckets,
  startCephApp,
} from "../test-ceph/helpers.js";

const { values: args } = parseArgs({
  options: {
    ceph: { type: "boolean", default: process.env.OBJBATCH_BENCH_S3 === "ceph" },
    objects: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
    only: { type: "string", default: "raw,objbatch,rclone,aws" },
    rounds: { type: "string", default: "1" },
    engine: { type: "string", default: "{}" },
    s3: { type: "string", default: "{}" },
  },
});
const OBJECTS = Number(args.objects);
const N = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const WARMUP = Math.min(500, OBJECTS);
/** When the last objbatch job was first seen in each status (seconds after CreateJob answered). */
let lastPhases = "";
const CONTENDERS = args.only.split(",") as Contender[];
type Contender = "objbatch" | "raw" | "rclone" | "aws";

interface Server {
  readonly label: string;
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly client: S3Client;
  stop(): Promise<void>;
}

async function openServer(): Promise<Server> {
  if (args.ceph) {
    const client = await cephGateway();
    return { label: `radosgw at ${CEPH.endpoint}`, ...CEPH, client, stop: async () => client.destroy() };
  }
  const s3rver: S3rverHandle = await startS3rver();
  const config = s3rver.storageConfig();
  return {
    label: "s3rver 3.7 (child process)",
    endpoint: s3rver.endpoint,
    accessKeyId: config.accessKeyId!,
    secretAccessKey: config.secretAccessKey!,
    region: config.region,
    client: s3rver.client,
    stop: () => s3rver.stop(),
  };
}

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} failed: ${error.message}\n${stderr}\n${stdout}`.slice(0, 4000)));
      else resolve();
    });
  });
}

async function countKeys(client: S3Client, Bucket: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket, ContinuationToken: token, MaxKeys: 1000 }));
    n += page.KeyCount ?? page.Contents?.length ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

/** Environment for the CLI tools: the server's keys, nothing of the caller's AWS setup. */
function toolEnv(server: Server, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("AWS_") || k.startsWith("RCLONE_")) delete env[k];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    ...extra,
  };
}

const SRC = `bench-src-${process.pid}`;
const MANIFESTS = `bench-manifests-${process.pid}`;
const keys = Array.from({ length: OBJECTS }, (_, i) => `d${String(i % 100).padStart(2, "0")}/obj-${i}.bin`);

const server = await openServer();
const work = await mkdtemp(join(tmpdir(), "objbatch-bench-s3-"));
const created: string[] = [SRC, MANIFESTS];
try {
  process.stdout.write(`server: ${server.label}\nputting ${OBJECTS} objects of 1 KiB ...\n`);
  await createBuckets(server.client, [SRC, MANIFESTS]);
  const body = Buffer.alloc(1024, "x");
  await putObjects(server.client, SRC, keys, () => body, 48);
  const manifest = await putManifest(
    server.client,
    MANIFESTS,
    "manifest.csv",
    keys.map((key) => ({ bucket: SRC, key })),
  );

  const engine = { ...JSON.parse(args.engine) } as Record<string, unknown>;
  // The same number of copies in flight as the other contenders. A job whose buckets are all on S3 runs in the
  // engine's event loop (engine/placing-executor.ts), whose task limit is taskConcurrency.
  engine.taskConcurrency ??= N;
  const objbatch = await startCephApp({
    endpoint: server.endpoint,
    s3: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, ...JSON.parse(args.s3) },
    app: { engine: engine },
  });
  const rcloneConfig = join(work, "rclone.conf");
  await writeFile(rcloneConfig, "");
  const awsConfig = join(work, "aws-config");
  await writeFile(
    awsConfig,
    `[default]\nregion = ${server.region}\ns3 =\n  max_concurrent_requests = ${N}\n  max_queue_size = ${Math.max(1000, N * 10)}\n  addressing_style = path\n`,
  );

  const contenders: Record<
    Contender,
    (dst: string, list?: readonly string[], listManifest?: typeof manifest) => Promise<void>
  > = {
    async objbatch(dst, list = keys, listManifest = manifest) {
      const jobId = await objbatch.createJob({
        Manifest: listManifest,
        Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${dst}` } },
        Report: {
          Bucket: `arn:aws:s3:::${MANIFESTS}`,
          Enabled: true,
          Format: "Report_CSV_20180820",
          Prefix: dst,
          ReportScope: "AllTasks",
        },
      });
      // Polls DescribeJob itself to tell where the time went: preparing, running the tasks, finishing the report.
      const start = Date.now();
      const seen = new Map<string, number>();
      let job: JobDescriptor | undefined;
      while (Date.now() - start < 600_000) {
        job = (
          await objbatch.control.send(new DescribeJobCommand({ AccountId: ROOT_S3CONTROL.accountId, JobId: jobId }))
        ).Job;
        const phase = job?.ProgressSummary?.NumberOfTasksSucceeded === list.length ? "tasks done" : (job?.Status ?? "");
        if (!seen.has(phase)) seen.set(phase, Date.now() - start);
        if (["Complete", "Failed", "Cancelled"].includes(job?.Status ?? "")) break;
        await sleep(200);
      }
      const p = job?.ProgressSummary;
      if (job?.Status !== "Complete" || p?.NumberOfTasksSucceeded !== list.length) {
        throw new Error(`objbatch job ended ${job?.Status}: ${JSON.stringify(p)}`);
      }
      lastPhases = [...seen].map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)}`).join(", ");
    },
    async raw(dst, list = keys) {
      const client = new S3Client({
        endpoint: server.endpoint,
        region: server.region,
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: N }) }),
      });
      let next = 0;
      await Promise.all(
        Array.from({ length: N }, async () => {
          while (next < list.length) {
            const Key = list[next++]!;
            await client.send(new CopyObjectCommand({ Bucket: dst, Key, CopySource: `${SRC}/${Key}` }));
          }
        }),
      );
      client.destroy();
    },
    async rclone(dst) {
      await run(
        "rclone",
        [
          "copy",
          `bench:${SRC}`,
          `bench:${dst}`,
          "--transfers",
          String(N),
          "--checkers",
          String(N),
          "--config",
          rcloneConfig,
        ],
        toolEnv(server, {
          RCLONE_CONFIG_BENCH_TYPE: "s3",
          RCLONE_CONFIG_BENCH_PROVIDER: "Other",
          RCLONE_CONFIG_BENCH_ENDPOINT: server.endpoint,
          RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: server.accessKeyId,
          RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: server.secretAccessKey,
          RCLONE_CONFIG_BENCH_REGION: server.region,
          RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: "true",
        }),
      );
    },
    async aws(dst) {
      await run(
        "/usr/bin/aws",
        [
          "s3",
          "cp",
          "--recursive",
          "--only-show-errors",
          `s3://${SRC}`,
          `s3://${dst}`,
          "--endpoint-url",
          server.endpoint,
        ],
        toolEnv(server, { AWS_CONFIG_FILE: awsConfig, AWS_SHARED_CREDENTIALS_FILE: join(work, "no-credentials") }),
      );
    },
  };

  // objbatch is a long-running server and the raw client runs in this warmed-up process: both get one untimed
  // warm-up of WARMUP copies first (worker threads started, code compiled), as a server that has run a job has.
  // rclone and the AWS CLI are started afresh each time, as they are used.
  const warmKeys = keys.slice(0, WARMUP);
  const warmManifest = await putManifest(
    server.client,
    MANIFESTS,
    "warmup.csv",
    warmKeys.map((key) => ({ bucket: SRC, key })),
  );
  for (const name of CONTENDERS.filter((c) => c === "objbatch" || c === "raw")) {
    const dst = `bench-warmup-${name}-${process.pid}`;
    await createBuckets(server.client, [dst]);
    created.push(dst);
    await contenders[name](dst, warmKeys, warmManifest);
  }

  const times: Partial<Record<Contender, number[]>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of CONTENDERS) {
      if (!(name in contenders)) throw new Error(`unknown contender ${name}; use objbatch, raw, rclone, aws`);
      const dst = `bench-${name}-${round}-${process.pid}`;
      await createBuckets(server.client, [dst]);
      created.push(dst);
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      await contenders[name](dst);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpu = process.cpuUsage(cpuStart);
      const copied = await countKeys(server.client, dst);
      if (copied !== OBJECTS) throw new Error(`${name} copied ${copied} of ${OBJECTS} objects`);
      times[name] = [...(times[name] ?? []), seconds];
      // objbatch and raw run in this process (objbatch on its worker threads): its CPU time is theirs.
      const phases = name === "objbatch" ? ` (${lastPhases})` : "";
      const ownCpu =
        name === "objbatch" || name === "raw" ? `, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s here` : "";
      process.stdout.write(
        `  ${name.padEnd(9)} round ${round + 1}: ${seconds.toFixed(2)} s${ownCpu}, all ${OBJECTS} copied${phases}\n`,
      );
      if (args.ceph) {
        await removeBuckets(server.client, [dst]);
        created.pop();
      }
    }
  }
  await objbatch.dispose();

  const median = (runs: number[]) => {
    const sorted = [...runs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const lines = [`${OBJECTS} objects of 1 KiB, ${N} in flight, ${server.label}, ${ROUNDS} round(s)`];
  const job = times.objbatch ? median(times.objbatch) : undefined;
  const labels: Record<Contender, string> = {
    objbatch: "objbatch job (S3 Control CreateJob to Complete, report written)",
    raw: "raw ceiling (AWS SDK CopyObject)",
    rclone: "rclone copy (server-side)",
    aws: "aws s3 cp --recursive",
  };
  for (const name of CONTENDERS) {
    const t = median(times[name]!);
    let line = `${labels[name].padEnd(64)} ${t.toFixed(2).padStart(7)} s  ${Math.round(OBJECTS / t)
      .toString()
      .padStart(5)} copies/s`;
    if (job !== undefined && name !== "objbatch") line += `  objbatch relative: ${(t / job).toFixed(2)}x`;
    lines.push(line);
  }
  if (job !== undefined && times.raw) lines.push(`goal: objbatch >= 0.90x of the raw ceiling, > 1x rclone and aws`);
  process.stdout.write(`\n${lines.join("\n")}\n`);
} finally {
  if (args.ceph) await removeBuckets(server.client, created);
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
