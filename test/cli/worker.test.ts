/**
 * `objbatch worker` and `objbatch serve --no-engine` as real processes: the API server alone accepts a job, two
 * workers on the same PostgreSQL run it to Complete with every task counted and reported exactly once, each
 * worker answers /healthz and /metrics on its own port (objbatch's own metrics: the tasks its runner threads ran,
 * which add up to the job's over both workers, its storage requests, the jobs by status) and serves no job API. A SQLite file is shared by a
 * worker on the same machine; an in-memory store, which no other process can see, is refused.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { workerStoreProblem } from "../../src/app.js";
import { cosRequest } from "../helpers/cos-client.js";
import {
  assertCompletedExactlyOnce,
  createOutageJob,
  describeJob,
  waitFor,
  writeOutageObjects,
} from "../helpers/outage-job.js";
import { freePort, rootAccountEnv, waitUntilHealthy } from "../helpers/process.js";
import { parseMetrics, samples, sumOf } from "../helpers/prometheus.js";
import { signedCall } from "../helpers/s3control-client.js";
import { createPgDatabase } from "../helpers/stores.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const TASKS = 1000;

interface Child {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  readonly exited: Promise<number | null>;
}

const children: Child[] = [];

/** `objbatch <command> ...` from the sources, as a user starts it; resolves once it answers /healthz. */
async function start(command: "serve" | "worker", args: string[], env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", command, "--host", "127.0.0.1", "--port", String(port), ...args],
    {
      cwd: REPO,
      env: {
        ...process.env,
        ...rootAccountEnv(),
        LOG_LEVEL: "warn",
        OBJBATCH_CHUNK_SIZE: "50",
        OBJBATCH_TASK_CONCURRENCY: "4",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started: Child = { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
  children.push(started);
  await waitUntilHealthy(started.url, child, { output: () => out, name: `objbatch ${command}` });
  return started;
}

after(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill("SIGTERM");
      await c.exited;
    }
  }
});

/** Creates the copy job on the API server and waits until the workers finish it; asserts exactly-once. */
async function runJobThroughWorkers(dataDir: string, api: Child) {
  const jobId = await createOutageJob(api.url, `worker-${Date.now()}`);
  const job = await waitFor(
    "the workers to finish the job",
    async () => {
      const j = await describeJob(api.url, jobId);
      return j && ["Complete", "Failed", "Cancelled"].includes(j.Status) ? j : undefined;
    },
    120_000,
  );
  await assertCompletedExactlyOnce(dataDir, job!, jobId, TASKS);
}

describe("objbatch worker", () => {
  it("two workers and serve --no-engine on one PostgreSQL run a job exactly once; workers serve no job API", {
    timeout: 180_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "objbatch-workers-pg-"));
    const pg = await createPgDatabase();
    try {
      await writeOutageObjects(dataDir, TASKS);
      // Idle workers keep looking every 250 ms (no idle backoff, D19): the job is small, and both must see it
      // while it runs for both to take part.
      const env = { OBJBATCH_STORE_URL: pg.url, OBJBATCH_IDLE_POLL_MS: "250" };
      const api = await start("serve", ["--no-engine", "--data-dir", dataDir], env);
      const workers = [
        await start("worker", ["--data-dir", dataDir], env),
        await start("worker", ["--data-dir", dataDir], env),
      ];
      assert.match(
        workers[0]!.output(),
        /objbatch worker: health and metrics on http:\/\/127\.0\.0\.1:\d+ \(no job API\)/,
      );

      await runJobThroughWorkers(dataDir, api);

      let copies = 0;
      for (const worker of workers) {
        const health = await fetch(`${worker.url}/healthz`);
        assert.equal(health.status, 200);
        assert.deepEqual(await health.json(), { status: "ok" });
        const metrics = await fetch(`${worker.url}/metrics`);
        assert.equal(metrics.status, 200);
        const text = await metrics.text();
        assert.match(text, /^objbatch_process_cpu_seconds_total/m);
        // objbatch's own: the tasks this worker's runner threads ran, its storage requests, the store's jobs.
        const parsed = await parseMetrics(text);
        copies += sumOf(parsed, "objbatch_tasks_total", { operation: "PutObjectCopy", status: "succeeded" });
        assert.equal(sumOf(parsed, "objbatch_tasks_total", { status: "failed" }), 0);
        assert.deepEqual(samples(parsed, "objbatch_tasks_in_flight"), [{ labels: {}, value: 0 }]);
        assert.ok(sumOf(parsed, "objbatch_storage_requests_total", { backend: "local", operation: "copy" }) > 0);
        assert.equal(samples(parsed, "objbatch_jobs").length, 13);
        // No job API in any dialect.
        const cos = await cosRequest(worker.url, "GET", "/jobs");
        assert.equal(cos.status, 404, cos.text);
        const aws = await signedCall(worker.url, { method: "GET", path: "/v20180820/jobs" });
        assert.equal(aws.status, 404, aws.text);
      }
      // Both workers ran the job's tasks; a chunk run again after a lease ran out would count again.
      assert.ok(copies >= TASKS, `${copies} copies counted`);
      // And it stops cleanly on SIGTERM.
      workers[0]!.child.kill("SIGTERM");
      assert.equal(await workers[0]!.exited, 0, workers[0]!.output());
    } finally {
      for (const c of children.splice(0)) {
        if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
        await c.exited;
      }
      await pg.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("shares a SQLite file with serve --no-engine on the same machine", { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "objbatch-workers-sqlite-"));
    try {
      await writeOutageObjects(dataDir, TASKS);
      // The same data dir: both open its objbatch.sqlite.
      const api = await start("serve", ["--no-engine", "--data-dir", dataDir], {});
      await start("worker", ["--data-dir", dataDir], {});
      await runJobThroughWorkers(dataDir, api);
    } finally {
      for (const c of children.splice(0)) {
        if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGTERM");
        await c.exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("tells a shared store from one only its own process sees", () => {
    assert.equal(workerStoreProblem("postgres://u@db:5432/objbatch"), undefined);
    assert.equal(workerStoreProblem("postgresql://u@db/objbatch"), undefined);
    assert.equal(workerStoreProblem("sqlite:/var/lib/objbatch/objbatch.sqlite"), undefined);
    assert.equal(workerStoreProblem("/var/lib/objbatch/objbatch.sqlite"), undefined);
    for (const url of ["sqlite::memory:", "sqlite:", ":memory:", "sqlite:file::memory:?cache=shared"]) {
      assert.match(
        workerStoreProblem(url) ?? "",
        /^store: objbatch worker needs a job store the API server shares/,
        url,
      );
    }
  });

  it("refuses a store no other process can share, naming the setting", { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "objbatch-workers-memory-"));
    try {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "worker", "--data-dir", dataDir, "--store", "sqlite::memory:"],
        { cwd: REPO, env: { ...process.env, LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let err = "";
      child.stderr?.on("data", (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      assert.equal(code, 2, err);
      assert.match(err, /^objbatch: store: objbatch worker needs a job store the API server shares/m);
      assert.match(err, /--store postgres:\/\//);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
