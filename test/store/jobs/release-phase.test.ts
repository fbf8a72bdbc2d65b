/**
 * store/jobs/release-phase.ts on real SQLite and PostgreSQL: the holder gives its claim up and the next engine
 * need not wait for it to expire; nobody else can release it.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { releasePhase } from "../../../src/store/jobs/release-phase.js";
import { describeOnStores, jobIn } from "../helpers.js";

describeOnStores("releasePhase", (t) => {
  it("releases only the holder's own claim", async () => {
    const job = await jobIn(t.store, "Preparing");
    assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "w1", 1_000, 60_000));
    await releasePhase(t.db, job.jobId, "w2");
    assert.equal(await t.store.claimPhase(job.jobId, "Preparing", "w2", 1_100, 60_000), false, "still w1's");
    await releasePhase(t.db, job.jobId, "w1");
    assert.equal((await t.store.getJobState(job.jobId))?.phaseClaim, undefined);
    assert.ok(await t.store.claimPhase(job.jobId, "Preparing", "w2", 1_200, 60_000), "free at once");
  });
});
