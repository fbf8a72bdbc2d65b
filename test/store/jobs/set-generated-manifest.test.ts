/**
 * store/jobs/set-generated-manifest.ts on real SQLite and PostgreSQL: where a generator wrote its manifest, as
 * the job's description shows it.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setGeneratedManifest } from "../../../src/store/jobs/set-generated-manifest.js";
import { describeOnStores, jobIn } from "../helpers.js";

describeOnStores("setGeneratedManifest", (t) => {
  it("records the generated manifest's descriptor", async () => {
    const job = await jobIn(t.store, "Preparing");
    assert.equal((await t.store.getJob(job.jobId))?.generatedManifest, undefined);
    const descriptor = {
      format: "S3InventoryReport_CSV_20211130",
      location: {
        objectArn: "arn:aws:s3:::out/job-1/manifest.json",
        bucket: { arn: "arn:aws:s3:::out", bucket: "out" },
        key: "job-1/manifest.json",
        etag: "abc",
      },
    };
    await setGeneratedManifest(t.db, job.jobId, descriptor, 9_000);
    assert.deepEqual((await t.store.getJob(job.jobId))?.generatedManifest, descriptor);
  });
});
