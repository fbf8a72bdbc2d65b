/**
 * A dry run and Google's manifest CSV through the engine (D45), one tick at a time on real SQLite and PostgreSQL
 * stores and the real local backend: a dry run prepares and counts as any job, then records every task as not
 * acted on and leaves the storage untouched; a GCS_BatchOperations_CSV manifest's header row is no task, its
 * names are taken as they are and its generation is optional.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import type { JobSpec, Manifest } from "../../src/domain/job.js";
import { Engine } from "../../src/engine/engine.js";
import { InProcessExecutor } from "../../src/engine/in-process-executor.js";
import { reportManifestKey } from "../../src/report/report-writer.js";
import { TEST_STORES } from "../helpers/stores.js";
import {
  baseSpec,
  bucketRef,
  dropObjects,
  makeBucket,
  type PrepareEnv,
  prepareEnv,
  reportTo,
  writeCsvManifest,
} from "./helpers.js";

for (const open of TEST_STORES) {
  describe(`Google's jobs in the engine (${open.name})`, () => {
    let env: PrepareEnv;
    let clock = 1_700_000_000_000;
    let engine: Engine;

    before(async () => {
      env = await prepareEnv(open, { chunkSize: 2, chunkSlots: 1, maxActiveJobs: 1, runnerThreads: 0 }, () => clock);
      await makeBucket(env, "things");
      await makeBucket(env, "reports");
      const deps = { ...env.deps, owner: `engine-${randomUUID()}` };
      engine = new Engine({
        ...deps,
        executor: new InProcessExecutor(env.storage, deps.accounts, deps.options, deps.log),
      });
    });
    after(async () => {
      await engine.stop();
      await env.dispose();
    });

    const job = async (jobId: string) => (await env.t.store.getJob(jobId, clock))!;

    /** Ticks until the job is finished (each tick waits for what it started). */
    async function runToEnd(jobId: string) {
      for (let i = 0; i < 20; i++) {
        await engine.tick();
        await engine.settled();
        clock += 1_000;
        const status = (await job(jobId)).status;
        if (status === "Complete" || status === "Failed" || status === "Cancelled") return job(jobId);
      }
      throw new Error(`job ${jobId} did not finish: ${(await job(jobId)).status}`);
    }

    /** The report's rows of every results file, in the order the files are listed. */
    async function reportRows(jobId: string): Promise<string[]> {
      const manifest = JSON.parse(
        (await buffer(await env.storage.get("reports", reportManifestKey(jobId, "reports")))).toString("utf8"),
      ) as { Results: { Key: string }[] };
      const rows: string[] = [];
      for (const r of manifest.Results) {
        const text = await readFile(join(env.dataDir, "buckets", "reports", r.Key), "utf8");
        rows.push(...text.split("\n").filter((l) => l !== ""));
      }
      return rows.sort();
    }

    it("a dry run counts every task, records each as not acted on, and writes nothing to the storage", async () => {
      await dropObjects(env, "things", { "dry/a": "a", "dry/b": "b", "dry/c": "c" });
      await env.storage.putTagging("things", "dry/a", [{ key: "keep", value: "1" }]);
      const before = await Promise.all(["dry/a", "dry/b", "dry/c"].map((k) => env.storage.head("things", k)));
      const manifest = await writeCsvManifest(env, "things", `${randomUUID()}.csv`, [
        "dry/a",
        "dry/b",
        "dry/c",
        "dry/none",
      ]);
      const spec: JobSpec = baseSpec({
        manifest,
        operation: { kind: "DeleteObject", allVersions: true },
        report: reportTo("reports"),
        dryRun: true,
      });
      const { jobId } = await env.service.createJob(spec, "reuse");
      const done = await runToEnd(jobId);
      assert.equal(done.status, "Complete", JSON.stringify(done.failureReasons));
      assert.equal(done.dryRun, true);
      assert.deepEqual([done.progress.total, done.progress.succeeded, done.progress.failed], [4, 4, 0]);
      const after = await Promise.all(["dry/a", "dry/b", "dry/c"].map((k) => env.storage.head("things", k)));
      assert.deepEqual(after, before, "every object is as it was");
      assert.deepEqual(await env.storage.getTagging("things", "dry/a"), [{ key: "keep", value: "1" }]);
      assert.deepEqual(await reportRows(jobId), [
        "things,dry/a,,succeeded,200,,Dry run: not acted on",
        "things,dry/b,,succeeded,200,,Dry run: not acted on",
        "things,dry/c,,succeeded,200,,Dry run: not acted on",
        "things,dry/none,,succeeded,200,,Dry run: not acted on",
      ]);
    });

    it("a dry run still fails a manifest row that cannot become a task", async () => {
      const key = `${randomUUID()}.csv`;
      await dropObjects(env, "things", { [key]: "things,dry/a\nthings,\n" });
      const manifest: Manifest = {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: bucketRef("things"), key },
      };
      const { jobId } = await env.service.createJob(
        baseSpec({ manifest, operation: { kind: "DeleteObject" }, dryRun: true }),
        "reuse",
      );
      const done = await runToEnd(jobId);
      assert.deepEqual([done.progress.succeeded, done.progress.failed], [1, 1]);
      assert.equal(await env.storage.head("things", "dry/a").then(() => "there"), "there");
    });

    it("reads Google's manifest: header skipped, names as they are, generation optional, refused on a store without versions", async () => {
      await dropObjects(env, "things", { "g/a+b%20c": "1", "g/plain": "2", "g/with,comma": "3", "g/versioned": "4" });
      const key = `${randomUUID()}.csv`;
      await dropObjects(env, "things", {
        [key]:
          "project,bucket,name,generation\n" +
          "p,things,g/a+b%20c,\n" +
          "p,things,g/plain\n" +
          'p,things,"g/with,comma",\n' +
          "p,things,g/versioned,1700000000000000\n",
      });
      const manifest: Manifest = {
        format: "GCS_BatchOperations_CSV",
        fields: ["Ignore", "Bucket", "Key", "VersionId"],
        location: { bucket: bucketRef("things"), key },
      };
      const { jobId } = await env.service.createJob(
        baseSpec({
          manifest,
          operation: { kind: "UpdateObjectCustomContext", set: [{ key: "ctx", value: "v" }] },
          report: reportTo("reports"),
        }),
        "reuse",
      );
      const done = await runToEnd(jobId);
      assert.equal(done.status, "Complete", JSON.stringify(done.failureReasons));
      assert.deepEqual([done.progress.total, done.progress.succeeded, done.progress.failed], [4, 3, 1]);
      for (const k of ["g/a+b%20c", "g/plain", "g/with,comma"]) {
        assert.deepEqual(await env.storage.getTagging("things", k), [{ key: "ctx", value: "v" }], k);
      }
      assert.deepEqual(await env.storage.getTagging("things", "g/versioned"), []);
      const rows = await reportRows(jobId);
      assert.equal(rows.length, 4, "the header is no task");
      assert.ok(
        rows.some((r) => r.startsWith("things,g/versioned,1700000000000000,failed,404,NoSuchVersion,")),
        rows.join("\n"),
      );
    });
  });
}
