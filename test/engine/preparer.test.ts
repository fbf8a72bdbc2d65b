/**
 * engine/preparer.ts on real SQLite and PostgreSQL stores and the real local backend: which jobs it prepares
 * (New, or Preparing with nobody's live claim), how it starts over after a preparer died, and how it fails a
 * job whose manifest it cannot use at all. The sources themselves are tested in prepare/.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ManifestFormat } from "../../src/domain/job.js";
import { prepareJob } from "../../src/engine/preparer.js";
import { TEST_STORES } from "../helpers/stores.js";
import {
  baseSpec,
  bucketRef,
  createAndPrepare,
  makeBucket,
  type PrepareEnv,
  prepareEnv,
  writeCsvManifest,
} from "./helpers.js";

for (const open of TEST_STORES) {
  describe(`prepareJob (${open.name})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open, { chunkSize: 2 });
      await makeBucket(env, "things");
    });
    after(() => env.dispose());

    async function createCsvJob(keys: string[]) {
      const manifest = await writeCsvManifest(env, "things", `${randomUUID()}.csv`, keys);
      return (await env.service.createJob(baseSpec({ manifest }), "reuse")).jobId;
    }

    it("fails a job with a manifest format it does not know, or with neither manifest nor generator", async () => {
      const bogus = await createAndPrepare(
        env,
        baseSpec({
          manifest: {
            format: "Bogus_CSV" as ManifestFormat,
            fields: ["Bucket", "Key"],
            location: { bucket: bucketRef("things"), key: "m.csv" },
          },
        }),
      );
      assert.equal(bogus.job.status, "Failing");
      assert.deepEqual(bogus.job.failureReasons, [
        { code: "UnsupportedManifestFormat", reason: "The manifest format Bogus_CSV is not supported." },
      ]);
      const neither = await createAndPrepare(env, baseSpec());
      assert.deepEqual(neither.job.failureReasons, [
        { code: "InvalidManifest", reason: "The job has neither a manifest nor a generator." },
      ]);
      assert.equal((await env.t.store.getJobState(neither.jobId))?.phaseClaim, undefined, "the claim is released");
    });

    it("leaves a job alone while another engine's claim on it is live", async () => {
      const jobId = await createCsvJob(["a", "b", "c"]);
      assert.ok(await env.t.store.transition(jobId, "New", "Preparing", Date.now()));
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", "another-engine", Date.now(), 60_000));
      await prepareJob(env.deps, jobId);
      const job = (await env.t.store.getJob(jobId))!;
      assert.equal(job.status, "Preparing");
      assert.equal(job.progress.total, -1);
      assert.equal((await env.t.store.sumChunkCounters(jobId)).records, 0);
    });

    it("starts over after a preparer died: the chunks it left are replaced", async () => {
      const jobId = await createCsvJob(["a", "b", "c"]);
      assert.ok(await env.t.store.transition(jobId, "New", "Preparing", Date.now()));
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", "dead-engine", 1, 1), "a claim long expired");
      await env.t.store.insertChunks(
        jobId,
        Array.from({ length: 9 }, (_, i) => ({ seq: i, startByte: 0, endByte: 1, firstRecord: i, records: 1 })),
      );
      await prepareJob(env.deps, jobId);
      const job = (await env.t.store.getJob(jobId))!;
      assert.equal(job.status, "Ready");
      assert.equal(job.progress.total, 3);
      assert.deepEqual(await env.t.store.sumChunkCounters(jobId), { succeeded: 0, failed: 0, records: 3 });
      assert.equal((await env.t.store.getJobState(jobId))?.phaseClaim, undefined);
    });

    it("prepares only New and Preparing jobs", async () => {
      const jobId = await createCsvJob(["a"]);
      await env.service.updateJobStatus(baseSpec().accountId, jobId, "Cancelled", undefined);
      await prepareJob(env.deps, jobId);
      assert.equal((await env.t.store.getJob(jobId))?.status, "Cancelling");
      assert.equal((await env.t.store.sumChunkCounters(jobId)).records, 0);
      await prepareJob(env.deps, "no-such-job");
    });
  });
}
