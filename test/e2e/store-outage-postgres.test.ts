/**
 * Issue 9, item 1: PostgreSQL goes away while a job runs on two objbatch servers sharing it, and comes back.
 * Neither server exits; while the store is down the API answers COS's ServiceUnavailable (503) and /healthz
 * 503; once it is back the job carries on by itself and ends Complete, every task counted and reported once.
 * The servers are child processes (a crash shows as an exit) on a PostgreSQL of the test's own, so the
 * machine's shared server is never touched. The job's request rate is capped, so it is still running when the
 * store goes away, however fast the machine. Prints how long the job took to move again after the restart.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cosRequest } from "../helpers/cos-client.js";
import { ossRequest } from "../helpers/oss-client.js";
import {
  assertCompletedExactlyOnce,
  createOutageJob,
  describeJob,
  healthStatus,
  succeededOf,
  waitFor,
  writeOutageObjects,
} from "../helpers/outage-job.js";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/private-postgres.js";
import { freePort, type ServeProcess, startServe } from "../helpers/process.js";
import { signedCall } from "../helpers/s3control-client.js";
import { createJobXml } from "./helpers.js";

const TASKS = 3000;

describe("a PostgreSQL restart while a job runs on two servers", () => {
  let dataDir: string;
  let postgres: PrivatePostgres;
  const servers: ServeProcess[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-pg-outage-"));
    await writeOutageObjects(dataDir, TASKS);
    postgres = await startPrivatePostgres();
  });
  after(async () => {
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill("SIGTERM");
        await s.exited;
      }
    }
    await postgres?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("survives on both servers, answers 503 meanwhile, and the job completes exactly once", {
    timeout: 180_000,
  }, async () => {
    const env = {
      OBJBATCH_STORE_URL: postgres.url,
      OBJBATCH_CHUNK_SIZE: "100",
      OBJBATCH_CHUNK_SLOTS: "2",
      OBJBATCH_TASK_CONCURRENCY: "4",
      OBJBATCH_LEASE_MS: "3000",
      // Both servers together copy at most about 400 objects a second: the job lasts several seconds at least.
      OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "200",
    };
    for (let i = 0; i < 2; i++) servers.push(await startServe(dataDir, await freePort(), env));
    const [first, second] = servers;
    const exits: string[] = [];
    for (const s of servers) void s.exited.then((e) => exits.push(`${JSON.stringify(e)}\n${s.output().slice(-2000)}`));

    const jobId = await createOutageJob(first.url, "pg-outage-1");
    const before = await waitFor(
      "the job to make progress",
      async () => {
        const job = await describeJob(second.url, jobId);
        return job?.Status === "Active" && succeededOf(job) > 0 ? job : undefined;
      },
      60_000,
    );
    assert.ok(succeededOf(before) < TASKS, "the job is still running when the store goes away");

    await postgres.stop();
    const downAt = Date.now();
    try {
      // Both servers still up, and saying so in each dialect's way.
      for (const s of servers) {
        assert.equal(await healthStatus(s.url), 503, "/healthz says unhealthy while the store is down");
        const r = await cosRequest(s.url, "GET", `/jobs/${jobId}`);
        assert.equal(r.status, 503, r.text);
        assert.equal(r.xml.Error.Code, "ServiceUnavailable", r.text);
        assert.equal(r.headers.get("retry-after"), "5");
        const oss = await ossRequest(s.url, { subres: "batchJob", query: { batchJobId: jobId }, v4: true });
        assert.equal(oss.status, 503, oss.text);
        assert.equal(oss.xml.Error.Code, "ServiceUnavailable", oss.text);
        const aws = await signedCall(s.url, { method: "GET", path: `/v20180820/jobs/${jobId}` });
        assert.equal(aws.status, 503, aws.text);
        assert.match(aws.text, /<Type>Receiver<\/Type><Code>ServiceUnavailable<\/Code>/);
      }
      const created = await cosRequest(first.url, "POST", "/jobs", {
        body: createJobXml({ manifest: "src/manifest.csv", operation: "<COSDeleteObject/>" }),
      });
      assert.equal(created.status, 503, created.text);
      assert.equal(created.xml.Error.Code, "ServiceUnavailable", created.text);
      assert.deepEqual(exits, [], "no server exited while the store was down");
    } finally {
      await postgres.start();
    }
    const backAt = Date.now();
    const lastSeen = await waitFor("a server to answer again", () => describeJob(first.url, jobId), 60_000);
    const moved = await waitFor(
      "the job to move again",
      async () => {
        const job = await describeJob(first.url, jobId);
        return job && (succeededOf(job) > succeededOf(lastSeen) || job.Status === "Complete") ? job : undefined;
      },
      60_000,
    );
    const recoveryMs = Date.now() - backAt;
    console.log(
      `PostgreSQL restart: down ${backAt - downAt} ms; the job moved again ${recoveryMs} ms after the store was back ` +
        `(${succeededOf(lastSeen)} -> ${succeededOf(moved)} tasks)`,
    );

    const job = await waitFor(
      "the job to finish",
      async () => {
        const j = await describeJob(second.url, jobId);
        return j && ["Complete", "Failed", "Cancelled"].includes(j.Status) ? j : undefined;
      },
      120_000,
    );
    await assertCompletedExactlyOnce(dataDir, job, jobId, TASKS);
    for (const s of servers) assert.equal(await healthStatus(s.url), 200);
    assert.deepEqual(exits, [], "both servers are still running");
  });
});
