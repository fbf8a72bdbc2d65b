/**
 * Pacing end to end, over real HTTP: S3 Control copy jobs (AWS SDK) whose objects live on a real s3rver
 * reached through a small proxy that answers 503 SlowDown whenever more than N requests are in flight, the way
 * a busy S3 prefix does, and that timestamps every request it passes on.
 *
 * - Without a cap, the job's adaptive concurrency has to find N: the storage throttles it, the limit settles
 *   near N instead of the 64 the executor allows, and every task still succeeds, reported exactly once.
 * - With the `objbatch:max-requests-per-second` tag, the requests the storage sees stay under the cap, although
 *   the job's chunks run on two worker threads at once: no request reaches it sooner after the job was created
 *   than the cap allows (a bound that a slow or stalled test process cannot break, only loosen).
 *
 * Manifests and reports live in local buckets of the same objbatch, so the proxy sees task requests alone.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CreateJobCommand,
  DescribeJobCommand,
  type JobDescriptor,
  type S3ControlClient,
} from "@aws-sdk/client-s3-control";
import type { JobThrottleStats } from "../../src/engine/job-throttle.js";
import { RATE_TAG } from "../../src/engine/rate-limit.js";
import { dropFiles, makeBuckets, readReport } from "../e2e/helpers.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { ROOT_S3CONTROL, s3ControlClient } from "../helpers/s3control-client.js";
import { type S3rverHandle, startS3rver } from "../helpers/s3rver.js";

const N = 6;
const SRC = "paced-src";
const DST = "paced-dst";
const DST_CAPPED = "paced-capped";
const LOCAL = "paced-local";
const ACCOUNT = ROOT_S3CONTROL.accountId;

/** The proxy: at most `limit` requests reach s3rver at once, the others get 503 SlowDown. */
interface ThrottlingProxy {
  readonly url: string;
  limit: number;
  /** When each request passed on to s3rver was received (ms, performance.now()). */
  readonly forwarded: number[];
  slowDowns: number;
  peak: number;
  close(): Promise<void>;
}

async function startThrottlingProxy(target: string, limit: number): Promise<ThrottlingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.once("close", done);
    if (inFlight > proxy.limit) {
      proxy.slowDowns++;
      req.resume();
      req.once("end", () => {
        res.writeHead(503, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>' +
            "<Message>Please reduce your request rate.</Message></Error>",
        );
      });
      return;
    }
    proxy.peak = Math.max(proxy.peak, inFlight);
    proxy.forwarded.push(performance.now());
    // Passed on byte for byte, Host included: the SDK's SigV4 signature was made for the proxy's address.
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.once("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: ThrottlingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    limit,
    forwarded: [],
    slowDowns: 0,
    peak: 0,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

describe("job pacing against throttling S3 storage (s3rver behind a throttling proxy)", () => {
  let s3: S3rverHandle;
  let proxy: ThrottlingProxy;
  let app: TestApp;
  let control: S3ControlClient;
  const keys = Array.from({ length: 300 }, (_, i) => `obj/${String(i).padStart(4, "0")}.txt`);

  before(async () => {
    s3 = await startS3rver({ buckets: [SRC, DST, DST_CAPPED] });
    proxy = await startThrottlingProxy(s3.endpoint, N);
    // Route the S3 buckets to the proxy; a high limit while the objects are written.
    app = await startTestApp({
      engine: {
        chunkSize: 25,
        chunkSlots: 4,
        runnerThreads: 2,
        taskConcurrency: 64,
        pollMs: 20,
        // Storage this busy makes some tasks meet SlowDown several times in a row: 8 attempts instead of 5 keep
        // the odds of one exhausting them (and failing the test) negligible; shorter delays keep the test short.
        retry: { attempts: 8, baseDelayMs: 50, throttlingBaseDelayMs: 250, maxDelayMs: 2_000 },
      },
      configFile: {
        storage: [
          { buckets: ["paced-src", "paced-dst", "paced-capped"], ...s3.storageConfig({ endpoint: proxy.url }) },
        ],
      },
    });
    await makeBuckets(app, LOCAL);
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(
        keys
          .slice(i, i + 20)
          .map((Key) => s3.client.send(new PutObjectCommand({ Bucket: SRC, Key, Body: `body of ${Key}` }))),
      );
    }
    control = s3ControlClient(app.url, "direct");
  });
  after(async () => {
    control?.destroy();
    await app?.dispose();
    await proxy?.close();
    await s3?.stop();
  });

  async function copyJob(
    target: string,
    manifestKey: string,
    taskKeys: readonly string[],
    tags = [] as { Key: string; Value: string }[],
  ) {
    const body = `${taskKeys.map((k) => `${SRC},${k}`).join("\n")}\n`;
    await dropFiles(app, LOCAL, { [manifestKey]: body });
    const out = await control.send(
      new CreateJobCommand({
        AccountId: ACCOUNT,
        ConfirmationRequired: false,
        Operation: { S3PutObjectCopy: { TargetResource: `arn:aws:s3:::${target}` } },
        Manifest: {
          Spec: { Format: "S3BatchOperations_CSV_20180820", Fields: ["Bucket", "Key"] },
          Location: {
            ObjectArn: `arn:aws:s3:::${LOCAL}/${manifestKey}`,
            ETag: createHash("md5").update(body).digest("hex"),
          },
        },
        Report: {
          Bucket: `arn:aws:s3:::${LOCAL}`,
          Format: "Report_CSV_20180820",
          Enabled: true,
          Prefix: `reports-${target}`,
          ReportScope: "AllTasks",
        },
        Priority: 10,
        RoleArn: "arn:aws:iam::123456789012:role/batch-operations",
        Tags: tags,
      }),
    );
    assert.ok(out.JobId);
    return out.JobId;
  }

  /**
   * Waits for the job to end, sampling the engine's view of its pacing meanwhile (the engine forgets a job's
   * pacing once the job has ended).
   */
  async function finish(jobId: string) {
    const samples: number[] = [];
    let last: JobThrottleStats | undefined;
    const deadline = Date.now() + 120_000;
    let job: JobDescriptor | undefined;
    while (Date.now() < deadline) {
      job = (await control.send(new DescribeJobCommand({ AccountId: ACCOUNT, JobId: jobId }))).Job;
      const stats = app.engine?.stats.jobs.get(jobId);
      if (stats) {
        samples.push(stats.concurrency);
        last = stats;
      }
      if (["Complete", "Failed", "Cancelled"].includes(job?.Status ?? "")) return { job: job!, samples, last };
      await sleep(50);
    }
    assert.fail(`job ${jobId} did not end: ${JSON.stringify(job)}`);
  }

  async function assertEveryTaskSucceededOnce(
    jobId: string,
    job: JobDescriptor,
    target: string,
    taskKeys: readonly string[],
  ) {
    assert.equal(job.Status, "Complete", JSON.stringify(job));
    assert.equal(job.ProgressSummary?.NumberOfTasksSucceeded, taskKeys.length);
    assert.equal(job.ProgressSummary?.NumberOfTasksFailed, 0);
    const { rows } = await readReport(app, LOCAL, `reports-${target}`, jobId);
    assert.deepEqual(rows.map((r) => r.key).sort(), [...taskKeys].sort(), "one report row per task");
    assert.ok(rows.every((r) => r.status === "succeeded" && r.httpStatus === "200"));
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: target, MaxKeys: 1000 }));
    assert.equal(listed.KeyCount, taskKeys.length);
  }

  it("settles the job's concurrency near what the storage sustains and completes every task", async (t) => {
    proxy.limit = N;
    proxy.slowDowns = 0;
    const jobId = await copyJob(DST, "all.csv", keys);
    const { job, samples, last: stats } = await finish(jobId);
    t.diagnostic(`concurrency samples ${samples.join(",")}; ${proxy.slowDowns} SlowDown; ${JSON.stringify(stats)}`);
    await assertEveryTaskSucceededOnce(jobId, job, DST, keys);

    assert.ok(proxy.slowDowns > 0, "the storage throttled the job");
    assert.ok(stats, "the engine reports the job's pacing");
    assert.ok(stats.throttles > 0 && stats.decreases > 0, JSON.stringify(stats));
    assert.ok(stats.throttles <= proxy.slowDowns);
    // Two worker threads each pace the job: their limits added up, against N for the storage and 2 x 64 allowed.
    const settled = samples.slice(Math.floor(samples.length / 3));
    const mean = settled.reduce((a, b) => a + b, 0) / settled.length;
    assert.ok(
      mean >= 2 && mean <= 3 * N,
      `mean concurrency ${mean.toFixed(1)} for N=${N} (samples ${samples.join(",")})`,
    );
    // Far fewer throttled requests than tasks: the job stopped pushing once the storage pushed back.
    assert.ok(proxy.slowDowns < keys.length, `${proxy.slowDowns} SlowDown answers for ${keys.length} tasks`);
  });

  it("keeps the requests the storage sees under the job's tag cap across worker threads", async (t) => {
    const cap = 40;
    const burst = Math.max(1, cap / 10); // rate-limit.ts: a tenth of a second's worth may go at once
    proxy.limit = 1000;
    const from = proxy.forwarded.length;
    const capped = keys.slice(0, 120);
    const createdAt = performance.now();
    const jobId = await copyJob(DST_CAPPED, "capped.csv", capped, [{ Key: RATE_TAG, Value: String(cap) }]);
    const { job, last } = await finish(jobId);
    await assertEveryTaskSucceededOnce(jobId, job, DST_CAPPED, capped);

    const times = proxy.forwarded.slice(from);
    assert.ok(times.length >= capped.length, "every task reached the storage");
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    t.diagnostic(`${times.length} requests in ${seconds.toFixed(2)} s: ${((times.length - 1) / seconds).toFixed(1)}/s`);
    // The job's limiter began after createdAt, so its (i+1)-th request went no sooner than (i - burst) / cap s
    // after it, whichever worker thread sent it. The proxy notes a request when it gets to it, never before it was
    // sent: a stalled event loop here only makes the notes later, so this holds on a machine of any speed, and a
    // job that ignored its cap would break it within the first second's worth of requests (half a millisecond
    // apart on loopback instead of 25).
    const early = times.findIndex((at, i) => at - createdAt < ((i - burst - 1) / cap) * 1000);
    assert.equal(
      early,
      -1,
      `request ${early + 1} reached the storage ${(times[early] - createdAt).toFixed(0)} ms after the job was ` +
        `created, sooner than a cap of ${cap}/s allows`,
    );
    assert.equal(last?.maxRequestsPerSecond, cap);
  });
});
