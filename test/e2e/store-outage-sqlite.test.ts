/**
 * Issue 9, item 1: the SQLite job store's filesystem fills up while a job runs ("database or disk is full"),
 * then space is freed. The server never exits; while writes fail /healthz answers 503 (a full disk still serves
 * reads, so health follows writes); once space is back the job finishes Complete, every task counted and
 * reported once. The store file alone lives on a small tmpfs of the test's own (the tests run as root); the
 * buckets stay in an ordinary data dir. The job's request rate is capped, so it is still running when the disk
 * fills, however fast the machine.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import {
  assertCompletedExactlyOnce,
  createOutageJob,
  describeJob,
  healthStatus,
  succeededOf,
  waitFor,
  writeOutageObjects,
} from "../helpers/outage-job.js";
import { freePort, type ServeProcess, startServe } from "../helpers/process.js";

const run = promisify(execFile);
const TASKS = 2000;

describe("the SQLite store's disk filling up while a job runs", () => {
  let dataDir: string;
  let mountPoint: string;
  let server: ServeProcess | undefined;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-sqlite-outage-"));
    await writeOutageObjects(dataDir, TASKS);
    mountPoint = await mkdtemp(join(tmpdir(), "objbatch-sqlite-tmpfs-"));
    await run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint]);
  });
  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await run("umount", [mountPoint]).catch(() => run("umount", ["-l", mountPoint]));
    await rm(mountPoint, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it("survives, says unhealthy while full, and completes the job exactly once after space is freed", {
    timeout: 180_000,
  }, async () => {
    server = await startServe(dataDir, await freePort(), {
      OBJBATCH_STORE_URL: `sqlite:${join(mountPoint, "objbatch.sqlite")}`,
      OBJBATCH_CHUNK_SIZE: "50",
      OBJBATCH_TASK_CONCURRENCY: "4",
      OBJBATCH_LEASE_MS: "3000",
      OBJBATCH_MAX_REQUESTS_PER_SECOND_PER_JOB: "200",
    });
    const { url } = server;
    let exit: string | undefined;
    void server.exited.then((e) => {
      exit = `${JSON.stringify(e)}\n${server?.output().slice(-2000)}`;
    });

    const jobId = await createOutageJob(url, "sqlite-outage-1");
    const before = await waitFor(
      "the job to make progress",
      async () => {
        const job = await describeJob(url, jobId);
        return job?.Status === "Active" && succeededOf(job) > 0 ? job : undefined;
      },
      60_000,
    );
    assert.ok(succeededOf(before) < TASKS, "the job is still running when the disk fills");

    // Fill every byte the tmpfs has left.
    const filler = join(mountPoint, "filler");
    await assert.rejects(writeFile(filler, Buffer.alloc(16 * 1024 * 1024)), { code: "ENOSPC" });
    await waitFor(
      "/healthz to say unhealthy",
      async () => {
        assert.equal(exit, undefined, "the server did not exit while the disk was full");
        return (await healthStatus(url)) === 503 ? true : undefined;
      },
      60_000,
    );
    const full = await describeJob(url, jobId); // reads still work on a full disk
    assert.ok(full, "DescribeJob still answers while only writes fail");
    assert.equal(exit, undefined, "the server did not exit while the disk was full");

    await rm(filler);
    const job = await waitFor(
      "the job to finish",
      async () => {
        const j = await describeJob(url, jobId);
        return j && ["Complete", "Failed", "Cancelled"].includes(j.Status) ? j : undefined;
      },
      120_000,
    );
    await assertCompletedExactlyOnce(dataDir, job, jobId, TASKS);
    assert.equal(await healthStatus(url), 200);
    assert.equal(exit, undefined, "the server is still running");
  });
});
