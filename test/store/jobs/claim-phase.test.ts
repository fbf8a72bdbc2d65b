/**
 * store/jobs/claim-phase.ts on real SQLite and PostgreSQL: one engine at a time holds a job's phase, until its
 * claim expires.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { claimPhase } from "../../../src/store/jobs/claim-phase.js";
import { describeOnStores, jobIn } from "../helpers.js";

describeOnStores("claimPhase", (t) => {
  it("claims a phase exclusively until it expires", async () => {
    const job = await jobIn(t.store, "Preparing");
    assert.ok(await claimPhase(t.db, job.jobId, "Preparing", "w1", 1_000, 500));
    assert.equal(await claimPhase(t.db, job.jobId, "Preparing", "w2", 1_200, 500), false);
    assert.ok(await claimPhase(t.db, job.jobId, "Preparing", "w1", 1_300, 500), "holder renews");
    assert.ok(await claimPhase(t.db, job.jobId, "Preparing", "w2", 2_000, 500), "expired claim taken over");
    assert.equal(await claimPhase(t.db, job.jobId, "Ready", "w3", 9_000, 500), false, "wrong status");
    assert.deepEqual((await t.store.getJobState(job.jobId))?.phaseClaim, { owner: "w2", expires: 2_500 });
  });

  it("grants one of many engines claiming at once", async () => {
    const job = await jobIn(t.store, "Completing");
    const granted = await Promise.all(
      Array.from({ length: 6 }, (_, i) => claimPhase(t.db, job.jobId, "Completing", `w${i}`, 1_000, 500)),
    );
    assert.equal(granted.filter(Boolean).length, 1);
  });
});
