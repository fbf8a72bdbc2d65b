/**
 * engine/store-outage.ts: the engine's way through a job store that is down. Only a StoreUnavailableError is an
 * outage; it is logged once when it starts (warn) and once when it ends (info, with how long it lasted by the
 * injected clock and how many calls failed), every failure in between at debug level; the wait before the next
 * attempt is full jitter under an exponential ceiling capped at storeRetryMaxDelayMs; and retry() runs a store
 * call until it succeeds, giving up at once for any other error, or when the engine is stopping. The cap here
 * is 1 ms, so every wait is 0 ms: the tests count calls and log lines, never time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StoreOutage } from "../../src/engine/store-outage.js";
import { DuplicateTokenError, StoreUnavailableError } from "../../src/store/errors.js";
import { recordingLog } from "./recording-log.js";

const refused = () =>
  new StoreUnavailableError("unreachable", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
const diskFull = () =>
  new StoreUnavailableError(
    "unwritable",
    Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }),
  );

/** Ten failures of a store that stays down. */
const stillDown = () => Array.from({ length: 10 }, refused);

/**
 * A store call that fails with `errors` in turn, then answers `value`; counts its calls. `before` sees how many
 * calls came before each one, as it starts.
 */
function flaky<T>(errors: readonly unknown[], value: T, before: (calls: number) => void = () => undefined) {
  const call = {
    calls: 0,
    run: async (): Promise<T> => {
      before(call.calls);
      const error = errors[call.calls++];
      if (error !== undefined) throw error;
      return value;
    },
  };
  return call;
}

describe("StoreOutage: logging an outage", () => {
  it("logs an outage once when it starts and once when it ends, the failures between at debug level", () => {
    let clock = 10_000;
    const { log, lines, said } = recordingLog();
    const outage = new StoreOutage(log, 5_000, () => clock);
    assert.equal(outage.down, false);

    assert.equal(outage.failed(refused(), "engine tick"), true);
    assert.equal(outage.down, true);
    clock += 700;
    assert.equal(outage.failed(diskFull(), "leasing a chunk"), true);
    assert.equal(outage.failed(refused(), "recording a chunk"), true);
    clock += 2_300;
    outage.recovered();
    assert.equal(outage.down, false);
    outage.recovered();

    assert.deepEqual(said(), [
      "warn: job store unavailable; retrying with backoff",
      "debug: job store still unavailable",
      "debug: job store still unavailable",
      "info: job store available again",
    ]);
    assert.equal(lines[0]?.during, "engine tick");
    assert.match(String((lines[0]?.err as { message?: string })?.message), /ECONNREFUSED/, "the driver's error");
    assert.deepEqual(
      lines.slice(1, 3).map((l) => [l.during, l.failures]),
      [
        ["leasing a chunk", 2],
        ["recording a chunk", 3],
      ],
    );
    assert.equal(lines[3]?.downMs, 3_000, "measured by the injected clock");
    assert.equal(lines[3]?.failedCalls, 3);
  });

  it("starts counting again with the next outage, which is logged once again", () => {
    let clock = 0;
    const { log, lines, said } = recordingLog();
    const outage = new StoreOutage(log, 5_000, () => clock);
    outage.failed(refused(), "engine tick");
    outage.failed(refused(), "engine tick");
    outage.recovered();
    clock = 50_000;
    outage.failed(diskFull(), "recording a chunk");
    clock = 50_040;
    outage.recovered();
    assert.deepEqual(said(), [
      "warn: job store unavailable; retrying with backoff",
      "debug: job store still unavailable",
      "info: job store available again",
      "warn: job store unavailable; retrying with backoff",
      "info: job store available again",
    ]);
    assert.deepEqual([lines[4]?.downMs, lines[4]?.failedCalls], [40, 1]);
  });

  it("does not count any other error as an outage, and logs nothing for it", () => {
    const { log, lines } = recordingLog();
    const outage = new StoreOutage(log, 5_000);
    const others = [
      new TypeError("x is undefined"),
      new DuplicateTokenError("token-1"),
      // A driver's error before the store's edge sorted it: not this module's to judge.
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      undefined,
      "a string",
    ];
    for (const e of others) assert.equal(outage.failed(e, "engine tick"), false, String(e));
    outage.recovered();
    assert.equal(outage.down, false);
    assert.deepEqual(lines, []);
  });
});

describe("StoreOutage.delay", () => {
  it("draws whole milliseconds from [0, min(cap, 100 ms x 2^attempt))", () => {
    const outage = new StoreOutage(recordingLog().log, 1_000);
    const ceilings: [number, number][] = [
      [0, 100],
      [1, 200],
      [2, 400],
      [3, 800],
      [4, 1_000],
      [30, 1_000],
      [5_000, 1_000],
    ];
    for (const [attempt, ceiling] of ceilings) {
      for (let i = 0; i < 200; i++) {
        const d = outage.delay(attempt);
        assert.ok(Number.isInteger(d) && d >= 0 && d < ceiling, `attempt ${attempt}: ${d} not in [0, ${ceiling})`);
      }
    }
  });

  it("never waits with a cap of 1 ms", () => {
    const outage = new StoreOutage(recordingLog().log, 1);
    for (let attempt = 0; attempt < 50; attempt++) assert.equal(outage.delay(attempt), 0);
  });
});

describe("StoreOutage.retry", () => {
  const never = () => false;

  it("runs the call until it succeeds while the store is unavailable, and logs the outage once", async () => {
    const { log, said } = recordingLog();
    const outage = new StoreOutage(log, 1);
    const call = flaky([refused(), diskFull(), refused()], "recorded");
    assert.equal(await outage.retry("recording a chunk", call.run, never), "recorded");
    assert.equal(call.calls, 4);
    assert.equal(outage.down, false);
    assert.deepEqual(said(), [
      "warn: job store unavailable; retrying with backoff",
      "debug: job store still unavailable",
      "debug: job store still unavailable",
      "info: job store available again",
    ]);
  });

  it("ends an outage another caller saw when its call succeeds", async () => {
    const { log, said } = recordingLog();
    const outage = new StoreOutage(log, 1);
    outage.failed(refused(), "engine tick");
    assert.equal(await outage.retry("leasing a chunk", async () => 7, never), 7);
    assert.equal(outage.down, false);
    assert.deepEqual(said(), ["warn: job store unavailable; retrying with backoff", "info: job store available again"]);
  });

  it("rethrows any other error at once, the same error, and logs nothing", async () => {
    const { log, lines } = recordingLog();
    const outage = new StoreOutage(log, 1);
    const bug = new TypeError("x is undefined");
    const call = flaky([bug], "never");
    await assert.rejects(outage.retry("recording a chunk", call.run, never), (e) => e === bug);
    assert.equal(call.calls, 1);
    assert.equal(outage.down, false);
    assert.deepEqual(lines, []);
  });

  it("gives up when the engine is stopping, rethrowing the outage, which stays open", async () => {
    const { log, said } = recordingLog();
    const outage = new StoreOutage(log, 1);
    const failure = refused();
    const call = flaky([failure, failure, failure, failure], "never");
    await assert.rejects(
      outage.retry("giving back a chunk", call.run, () => true),
      (e) => e === failure,
    );
    assert.equal(call.calls, 1, "no second attempt once stopping");
    assert.equal(outage.down, true);
    assert.deepEqual(said(), ["warn: job store unavailable; retrying with backoff"]);

    let stopping = false;
    const later = flaky(stillDown(), "never", (calls) => {
      if (calls === 2) stopping = true; // the engine stops during the third attempt
    });
    await assert.rejects(
      outage.retry("recording a chunk", later.run, () => stopping),
      StoreUnavailableError,
    );
    assert.equal(later.calls, 3);
  });

  it("gives up once its signal is aborted, after the attempt that was running", async () => {
    const outage = new StoreOutage(recordingLog().log, 1);
    const stop = new AbortController();
    const call = flaky(stillDown(), "never", (calls) => {
      if (calls === 1) stop.abort(); // aborted while the second attempt runs
    });
    await assert.rejects(outage.retry("recording a chunk", call.run, never, stop.signal), StoreUnavailableError);
    assert.equal(call.calls, 2);

    const aborted = flaky([refused()], "never");
    await assert.rejects(outage.retry("renewing", aborted.run, never, AbortSignal.abort()), StoreUnavailableError);
    assert.equal(aborted.calls, 1, "an aborted signal still lets the first attempt run");
  });
});
