/**
 * store/store-health.ts, the /healthz view of the job store: an unreachable store is healthy again after any
 * statement gets through, an unwritable one only after a write does; the probe runs one at a time however many
 * callers ask, and a probe that hangs answers false once the caller's time is up. Probes here are promises the
 * test settles itself, so nothing depends on how fast the machine is.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StoreHealth } from "../../src/store/store-health.js";

/** A probe the test settles by hand, counting how often it was started. */
function handProbe() {
  let settle: { resolve(): void; reject(e: Error): void } | undefined;
  const probe = {
    started: 0,
    run: () => {
      probe.started++;
      return new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      });
    },
    succeed: () => settle?.resolve(),
    fail: () => settle?.reject(new Error("probe failed")),
  };
  return probe;
}

describe("StoreHealth: outstanding failures", () => {
  it("starts healthy", () => {
    assert.equal(new StoreHealth().ok, true);
  });

  it("clears an unreachable store on any statement that gets through, a read too", () => {
    const health = new StoreHealth();
    health.failed("unreachable");
    assert.equal(health.ok, false);
    health.succeeded(false);
    assert.equal(health.ok, true);
  });

  it("keeps an unwritable store unhealthy through reads, until a write succeeds", () => {
    const health = new StoreHealth();
    health.failed("unwritable");
    health.succeeded(false);
    health.succeeded(false);
    assert.equal(health.ok, false, "reads work on a full disk; that says nothing of writes");
    health.succeeded(true);
    assert.equal(health.ok, true);
  });

  it("tracks the two failures apart: a read clears only the unreachable one", () => {
    const health = new StoreHealth();
    health.failed("unreachable");
    health.failed("unwritable");
    health.succeeded(false);
    assert.equal(health.ok, false);
    health.succeeded(true);
    assert.equal(health.ok, true);
    health.failed("unwritable");
    health.failed("unwritable");
    health.succeeded(true);
    assert.equal(health.ok, true, "one write clears however many failed writes");
  });
});

describe("StoreHealth.check", () => {
  it("answers true when the probe succeeds and nothing is outstanding", async () => {
    assert.equal(await new StoreHealth().check(async () => undefined, 60_000), true);
  });

  it("answers false when the probe fails, without throwing", async () => {
    const health = new StoreHealth();
    assert.equal(
      await health.check(async () => {
        throw new Error("connection refused");
      }, 60_000),
      false,
    );
  });

  it("answers false while a failure is outstanding, even if the probe succeeds", async () => {
    const health = new StoreHealth();
    health.failed("unwritable");
    assert.equal(await health.check(async () => undefined, 60_000), false);
    health.succeeded(true);
    assert.equal(await health.check(async () => undefined, 60_000), true);
  });

  it("runs one probe for callers asking at once, and a new one once it has settled", async () => {
    const health = new StoreHealth();
    const probe = handProbe();
    const answers = [health.check(probe.run, 60_000), health.check(probe.run, 60_000), health.check(probe.run, 60_000)];
    assert.equal(probe.started, 1);
    probe.succeed();
    assert.deepEqual(await Promise.all(answers), [true, true, true]);

    const next = health.check(probe.run, 60_000);
    assert.equal(probe.started, 2, "the settled probe is not reused");
    probe.fail();
    assert.equal(await next, false);
  });

  it("answers false once timeoutMs has passed while the probe hangs, and asks no second probe meanwhile", async () => {
    const health = new StoreHealth();
    const probe = handProbe();
    // The check's own timer does not keep a process alive (a server's sockets do); this stands in for them.
    const alive = setInterval(() => undefined, 1_000);
    try {
      assert.equal(await health.check(probe.run, 5), false, "a hung store is unhealthy, and the check returns");
      assert.equal(await health.check(probe.run, 5), false);
      assert.equal(probe.started, 1, "the hung probe is still the one in flight");
      probe.succeed();
      assert.equal(await health.check(probe.run, 60_000), true, "the store answered in the end");
    } finally {
      clearInterval(alive);
    }
  });
});
