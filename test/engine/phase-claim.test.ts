/**
 * engine/phase-claim.ts on real SQLite and PostgreSQL: a held claim is renewed every leaseMs/3 (50 ms at the
 * least) by the deps' clock, so another engine cannot take the job over from a live holder; `lost` turns true
 * once a renewal finds the job gone from the status or the claim taken; release() frees the claim at once, and
 * while the store is unavailable leaves it to expire with a warning instead of failing the work. The renewals
 * run on real timers; the tests wait for what they do (with generous timeouts), never for a fixed time.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EngineDeps } from "../../src/engine/deps.js";
import { holdClaim } from "../../src/engine/phase-claim.js";
import { openPostgres } from "../../src/store/connect.js";
import { isStoreUnavailable } from "../../src/store/errors.js";
import { JobStore } from "../../src/store/job-store.js";
import { waitFor } from "../helpers/held-sockets.js";
import { freezableProxy, throughPort } from "../helpers/store-faults.js";
import { createPgDatabase, sqliteTestStore, TEST_STORES } from "../helpers/stores.js";
import { jobIn } from "../store/helpers.js";
import { type PrepareEnv, prepareEnv } from "./helpers.js";
import { recordingLog } from "./recording-log.js";

const LEASE_MS = 150;

for (const open of TEST_STORES) {
  describe(`holdClaim (${open.name.replace("TestStore", "")})`, () => {
    let env: PrepareEnv;
    let clock = 1_000_000;
    before(async () => {
      env = await prepareEnv(open, { leaseMs: LEASE_MS }, () => clock);
    });
    after(() => env.dispose());

    const claimOf = async (jobId: string) => (await env.t.store.getJobState(jobId))?.phaseClaim;

    it("renews the claim by the deps' clock while held, so no other engine takes it; release frees it at once", async () => {
      const { jobId } = await jobIn(env.t.store, "Preparing");
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", env.deps.owner, clock, LEASE_MS));
      const claim = holdClaim(env.deps, jobId, "Preparing");
      try {
        clock += 60_000; // long past the first claim's expiry
        await waitFor(
          async () => (await claimOf(jobId))?.expires === clock + LEASE_MS,
          "the claim to be renewed",
          10_000,
        );
        assert.equal(await env.t.store.claimPhase(jobId, "Preparing", "another-engine", clock + 1, LEASE_MS), false);
        assert.equal(claim.lost, false);
      } finally {
        await claim.release();
      }
      assert.equal(await claimOf(jobId), undefined);
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", "another-engine", clock, LEASE_MS), "free at once");
    });

    it("turns lost once the job leaves the status", async () => {
      const { jobId } = await jobIn(env.t.store, "Preparing");
      assert.ok(await env.t.store.claimPhase(jobId, "Preparing", env.deps.owner, clock, LEASE_MS));
      const claim = holdClaim(env.deps, jobId, "Preparing");
      try {
        assert.ok(await env.t.store.transition(jobId, "Preparing", "Cancelling", clock));
        await waitFor(() => claim.lost, "the claim to be lost", 10_000);
      } finally {
        await claim.release();
      }
      assert.equal(claim.lost, true, "stays lost");
    });

    it("turns lost once another engine took the claim over", async () => {
      const { jobId } = await jobIn(env.t.store, "Completing");
      assert.ok(await env.t.store.claimPhase(jobId, "Completing", env.deps.owner, clock, LEASE_MS));
      const claim = holdClaim(env.deps, jobId, "Completing");
      try {
        // Another engine whose clock says this holder's claim ran out (it looked dead) takes the phase.
        assert.ok(await env.t.store.claimPhase(jobId, "Completing", "another-engine", clock + 60_000, LEASE_MS));
        await waitFor(() => claim.lost, "the claim to be lost", 10_000);
      } finally {
        await claim.release();
      }
      assert.equal((await claimOf(jobId))?.owner, "another-engine", "releasing leaves the new holder's claim alone");
    });

    it("holds nothing it was not granted: a claim of a job in another status is lost at the first renewal", async () => {
      const { jobId } = await jobIn(env.t.store, "Ready");
      const claim = holdClaim(env.deps, jobId, "Preparing");
      try {
        await waitFor(() => claim.lost, "the claim to be lost", 10_000);
      } finally {
        await claim.release();
      }
      assert.equal(await claimOf(jobId), undefined);
    });
  });
}

describe("holdClaim while the store is unavailable (PostgreSQL that nothing answers for)", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  before(async () => {
    database = await createPgDatabase();
  });
  after(() => database?.drop());

  it("warns about renewals that fail without counting the claim lost, and lets release leave it to expire", async () => {
    const proxy = freezableProxy(new URL(database.url));
    const store = new JobStore(await openPostgres(throughPort(database.url, await proxy.listen()), 2));
    const env = await prepareEnv(
      async () => ({ name: "postgres", store, url: database.url, dispose: () => store.close() }),
      {
        leaseMs: LEASE_MS,
      },
    );
    const { log, lines } = recordingLog();
    const deps: EngineDeps = { ...env.deps, log };
    try {
      const { jobId } = await jobIn(store, "Preparing");
      assert.ok(await store.claimPhase(jobId, "Preparing", deps.owner, Date.now(), LEASE_MS));
      const claim = holdClaim(deps, jobId, "Preparing");
      await proxy.close();
      await waitFor(
        () => lines.some((l) => l.msg === "renewing a phase claim failed"),
        "a failed renewal to be logged",
        20_000,
      );
      assert.equal(claim.lost, false, "a renewal that failed says nothing about who holds the claim");
      await claim.release();
      assert.equal(lines.at(-1)?.msg, "releasing a phase claim failed; it will expire");
      assert.equal(lines.at(-1)?.level, "warn");
      assert.equal(lines.at(-1)?.jobId, jobId);
    } finally {
      await env.dispose();
    }
  });
});

describe("holdClaim's release on a store that fails for another reason", () => {
  it("throws the error: only an unavailable store is waited out", async () => {
    const t = await sqliteTestStore();
    const env = await prepareEnv(async () => t, { leaseMs: LEASE_MS });
    const { jobId } = await jobIn(t.store, "Preparing");
    const claim = holdClaim(env.deps, jobId, "Preparing");
    try {
      await t.store.close(); // a bug's worth of failure: the handle is gone
      await assert.rejects(claim.release(), (e: unknown) => e instanceof Error && !isStoreUnavailable(e));
    } finally {
      await env.dispose();
    }
  });
});
