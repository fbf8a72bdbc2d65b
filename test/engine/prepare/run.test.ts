/**
 * engine/prepare/run.ts on real SQLite and PostgreSQL: a manifest source records its chunks only while the
 * preparer still holds the job's Preparing claim (a real held claim, engine/phase-claim.ts); once the claim is
 * lost (the job was cancelled meanwhile) recording throws ABANDONED and writes nothing more.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeJobContext } from "../../../src/engine/job-context.js";
import { holdClaim } from "../../../src/engine/phase-claim.js";
import { ABANDONED, type PrepareRun, recordChunks } from "../../../src/engine/prepare/run.js";
import { waitFor } from "../../helpers/held-sockets.js";
import { TEST_STORES } from "../../helpers/stores.js";
import { activate, byteRangePlans, jobIn } from "../../store/helpers.js";
import { ACCOUNT, type PrepareEnv, prepareEnv } from "../helpers.js";

for (const open of TEST_STORES) {
  describe(`recordChunks (${open.name.replace("TestStore", "")})`, () => {
    let env: PrepareEnv;
    before(async () => {
      env = await prepareEnv(open, { leaseMs: 150 });
    });
    after(() => env.dispose());

    /** A job in Preparing whose claim this engine holds, and the run a manifest source is handed. */
    async function preparing(): Promise<PrepareRun> {
      const { jobId } = await jobIn(env.t.store, "Preparing", { accountId: ACCOUNT });
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", env.deps.owner, Date.now(), 150));
      const job = (await env.t.store.getJob(jobId))!;
      const context = makeJobContext(job, env.storage, env.deps.accounts);
      return { deps: env.deps, jobId, context, claim: holdClaim(env.deps, jobId, "Preparing") };
    }

    const stored = async (jobId: string) => (await env.t.store.countChunks(jobId, Date.now())).pending;

    it("records the planned chunks while the claim holds, and nothing for no plans", async () => {
      const run = await preparing();
      try {
        await recordChunks(run, []);
        assert.equal(await stored(run.jobId), 0);
        await recordChunks(run, byteRangePlans(3));
        await recordChunks(run, byteRangePlans(2, 3));
        assert.equal(await stored(run.jobId), 5);
        await activate(env.t.store, run.jobId, Date.now());
        const first = await env.t.store.leaseChunk(run.jobId, "token", Date.now(), 60_000);
        assert.deepEqual([first?.seq, first?.startByte, first?.endByte, first?.tasks], [0, 0, 1, null]);
      } finally {
        await run.claim.release();
      }
    });

    it("throws ABANDONED once the claim is lost, and records nothing more", async () => {
      const run = await preparing();
      try {
        await recordChunks(run, byteRangePlans(1));
        assert.ok(await env.t.store.transition(run.jobId, "Preparing", "Cancelling", Date.now()));
        await waitFor(() => run.claim.lost, "the claim to be lost", 10_000);
        await assert.rejects(recordChunks(run, byteRangePlans(2, 1)), (e) => e === ABANDONED);
        await assert.rejects(recordChunks(run, []), (e) => e === ABANDONED, "even with nothing to record");
        assert.equal(await stored(run.jobId), 1);
      } finally {
        await run.claim.release();
      }
    });
  });
}

describe("ABANDONED", () => {
  it("is one Error every manifest source can recognise by identity", () => {
    assert.ok(ABANDONED instanceof Error);
    assert.equal(ABANDONED.message, "abandoned");
  });
});
