/**
 * engine/prepare/csv.ts on real SQLite and PostgreSQL stores and the real local backend: a CSV manifest is
 * counted and cut into byte-range chunks pinned to its ETag, which a runner's ranged read turns back into the
 * manifest's tasks in order; a manifest that cannot be used fails the job with the reason (D10).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import type { JobSpec, Manifest } from "../../../src/domain/job.js";
import { parseChunk } from "../../../src/manifest/csv-manifest.js";
import { TEST_STORES } from "../../helpers/stores.js";
import { activate } from "../../store/helpers.js";
import {
  baseSpec,
  bucketRef,
  createAndPrepare,
  dropObjects,
  makeBucket,
  type PrepareEnv,
  prepareEnv,
  reportTo,
  writeCsvManifest,
} from "../helpers.js";

/** A Bucket,Key manifest at things/`key`, whatever is there. */
function manifestAt(key: string): Manifest {
  return {
    format: "S3BatchOperations_CSV_20180820",
    fields: ["Bucket", "Key"],
    location: { bucket: bucketRef("things"), key },
  };
}

for (const open of TEST_STORES) {
  describe(`preparing a CSV manifest (${open.name})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open, { chunkSize: 3 });
      await makeBucket(env, "things");
      await makeBucket(env, "reports");
    });
    after(() => env.dispose());

    const csvJob = async (keys: string[], spec: Partial<JobSpec> = {}) =>
      createAndPrepare(
        env,
        baseSpec({ manifest: await writeCsvManifest(env, "things", `${randomUUID()}.csv`, keys), ...spec }),
      );

    /** Makes the job Active, leases every chunk and reads its byte range of the manifest as the chunk runner does. */
    async function chunkKeys(jobId: string, manifest: Manifest, etag: string | undefined) {
      const chunks: string[][] = [];
      await activate(env.t.store, jobId, Date.now());
      for (;;) {
        const chunk = await env.t.store.leaseChunk(jobId, randomUUID(), Date.now(), 60_000);
        if (!chunk) return chunks;
        assert.equal(chunk.tasks, null, "a CSV chunk is a byte range, not inline tasks");
        const bytes = await buffer(
          await env.storage.get("things", manifest.location.key, {
            ifMatch: etag,
            range: { start: chunk.startByte, end: chunk.endByte - 1 },
          }),
        );
        const rows = parseChunk(bytes, manifest.fields, chunk.firstRecord);
        assert.equal(rows.length, chunk.records);
        chunks.push(rows.map((r) => r.task.key));
      }
    }

    it("counts the tasks and cuts byte-range chunks pinned to the manifest's ETag", async () => {
      const keys = ["a", "b c", "d/e", "f,g", "h", "i", "j"];
      const { jobId, job } = await csvJob(keys);
      assert.equal(job.status, "Ready", JSON.stringify(job.failureReasons));
      assert.equal(job.progress.total, 7);
      const info = await env.storage.head("things", job.manifest!.location.key);
      assert.equal(job.manifestEtag, info.etag);
      assert.deepEqual(await chunkKeys(jobId, job.manifest!, job.manifestEtag), [
        ["a", "b c", "d/e"],
        ["f,g", "h", "i"],
        ["j"],
      ]);
    });

    it("records chunks a batch at a time, however many there are", async () => {
      const keys = Array.from({ length: 1_601 }, (_, i) => `k${i}`);
      const { jobId, job } = await csvJob(keys);
      assert.equal(job.progress.total, 1_601);
      assert.deepEqual(await env.t.store.sumChunkCounters(jobId), { succeeded: 0, failed: 0, records: 1_601 });
      assert.equal((await env.t.store.countChunks(jobId, Date.now())).pending, 534);
    });

    it("reads a manifest larger than its read buffer: every record in its chunk, in order", async () => {
      // About 170 KB: records cross the 64 KiB pieces a local manifest is read in, through one buffer.
      const keys = Array.from({ length: 2_000 }, (_, i) => `k${i}${i % 7 === 0 ? ",q" : ""}-${"x".repeat(i % 150)}`);
      const { jobId, job } = await csvJob(keys);
      assert.equal(job.progress.total, keys.length, JSON.stringify(job.failureReasons));
      assert.deepEqual((await chunkKeys(jobId, job.manifest!, job.manifestEtag)).flat(), keys);
    });

    it("suspends a job that needs confirming, saying why", async () => {
      const { job } = await csvJob(["a"], { confirmationRequired: true });
      assert.equal(job.status, "Suspended");
      assert.equal(job.suspendedCause, "The job is awaiting confirmation (ConfirmationRequired).");
    });

    it("fails the job when the manifest's ETag is not the one the job names", async () => {
      const manifest = await writeCsvManifest(env, "things", "pinned.csv", ["a"]);
      const { job } = await createAndPrepare(
        env,
        baseSpec({ manifest: { ...manifest, location: { ...manifest.location, etag: '"not-it"' } } }),
      );
      assert.equal(job.status, "Failing");
      assert.equal(job.failureReasons[0].code, "ManifestETagMismatch");
      assert.match(job.failureReasons[0].reason, /^The manifest ETag "not-it" does not match the object's ETag /);
    });

    it("fails the job when the manifest or the report bucket is missing", async () => {
      const missing = await createAndPrepare(env, baseSpec({ manifest: manifestAt("missing.csv") }));
      assert.equal(missing.job.status, "Failing");
      assert.equal(missing.job.failureReasons[0].code, "NoSuchKey");
      assert.match(missing.job.failureReasons[0].reason, /^Reading the manifest things\/missing\.csv failed: /);

      const noReports = await csvJob(["a"], { report: reportTo("no-such-reports") });
      assert.equal(noReports.job.status, "Failing");
      assert.deepEqual(noReports.job.failureReasons, [
        { code: "NoSuchBucket", reason: "The report bucket no-such-reports does not exist." },
      ]);
      const withReports = await csvJob(["a"], { report: reportTo("reports") });
      assert.equal(withReports.job.status, "Ready");
    });

    it("fails the job on a record longer than a record can be (an unclosed quote)", async () => {
      await dropObjects(env, "things", { "runaway.csv": `things,a\nthings,"b${"x".repeat(1_100_000)}\n` });
      const { job } = await createAndPrepare(env, baseSpec({ manifest: manifestAt("runaway.csv") }));
      assert.equal(job.status, "Failing");
      assert.equal(job.failureReasons[0].code, "ManifestRecordTooLarge");
    });
  });
}
