/**
 * The per-job request-rate cap: GCRA spacing and bursts on a fake clock, the in-thread queue (order, skipping
 * work that is off), one state shared by real worker threads without lost updates, the cap's sources (engine
 * option, job tag, bad tag values) and the metered storage view on a real local data dir.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { pino } from "pino";
import { JobThrottles } from "../../src/engine/job-throttle.js";
import {
  newRateState,
  parseRate,
  RATE_TAG,
  RateLimiter,
  resolveRateCap,
  wallClockMicros,
} from "../../src/engine/rate-limit.js";
import { openStorage } from "../../src/storage/open-storage.js";
import type { ObjectStorage } from "../../src/storage/types.js";

/** A clock the test moves, and a sleep that moves it. */
function fakeTime(start = 1_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    advance: (us: number) => {
      now += us;
    },
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += Math.round(ms * 1000);
    },
  };
}

describe("RateLimiter", () => {
  it("spaces requests 1/rate apart when the burst is one", () => {
    const time = fakeTime();
    const limiter = new RateLimiter(10, newRateState(), time.clock);
    assert.deepEqual(
      Array.from({ length: 4 }, () => limiter.reserve()),
      [0, 100_000, 200_000, 300_000],
    );
    time.advance(1_000_000);
    assert.equal(limiter.reserve(), 0, "after an idle spell the next request goes at once");
    assert.equal(limiter.reserve(), 100_000, "idle time does not pile up beyond the burst");
  });

  it("lets a tenth of a second's worth go at once, then spaces the rest", () => {
    const time = fakeTime();
    const limiter = new RateLimiter(100, newRateState(), time.clock);
    const waits = Array.from({ length: 12 }, () => limiter.reserve());
    assert.deepEqual(waits.slice(0, 10), Array(10).fill(0));
    assert.deepEqual(waits.slice(10), [10_000, 20_000]);
  });

  it("holds the rate over a long run, whatever the burst", async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(250, newRateState(), time.clock, time.sleep);
    const start = time.clock();
    for (let i = 0; i < 1000; i++) await limiter.acquire();
    const seconds = (time.clock() - start) / 1e6;
    // 1000 requests at 250/s: 4 s, less the burst of 25 that went at once.
    assert.ok(seconds >= (1000 - 25) / 250 - 0.01 && seconds <= 4, `${seconds} s`);
  });

  it("charges a request without waiting; the next caller waits for it", async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(10, newRateState(), time.clock, time.sleep);
    await limiter.acquire();
    limiter.charge();
    limiter.charge();
    await limiter.acquire();
    assert.deepEqual(time.sleeps, [300]);
  });

  it("serves waiting callers in order and lets those whose work is off through without a turn", async () => {
    const time = fakeTime();
    const limiter = new RateLimiter(10, newRateState(), time.clock, time.sleep);
    const order: string[] = [];
    let cancelled = false;
    await limiter.acquire();
    const first = limiter.acquire().then(() => order.push("first"));
    const second = limiter.acquire(() => cancelled).then(() => order.push("second"));
    const third = limiter.acquire(() => cancelled).then(() => order.push("third"));
    cancelled = true;
    await Promise.all([first, second, third]);
    assert.deepEqual(order, ["first", "second", "third"]);
    // Only "first" booked a turn: the cancelled ones did not push the schedule further out.
    assert.deepEqual(time.sleeps, [100]);
    assert.equal(limiter.reserve(), 100_000, "the next turn is right after first's");
  });

  it("ends a wait early when the signal aborts", async () => {
    // A sleep that ends only when aborted: the wait ending at all shows the signal ended it.
    const time = fakeTime();
    const sleeps: number[] = [];
    const untilAborted = (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      return new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    };
    const limiter = new RateLimiter(0.5, newRateState(), time.clock, untilAborted);
    await limiter.acquire();
    const abort = new AbortController();
    const waiting = limiter.acquire(undefined, abort.signal);
    assert.deepEqual(sleeps, [2000], "waiting for the 2 s turn");
    abort.abort();
    await waiting;
  });

  it("shares one schedule between limiters on the same state, and lifts the cap with Infinity", () => {
    const time = fakeTime();
    const state = newRateState();
    const a = new RateLimiter(10, state, time.clock);
    const b = new RateLimiter(10, state, time.clock);
    assert.deepEqual([a.reserve(), b.reserve(), a.reserve()], [0, 100_000, 200_000]);
    a.setRate(Number.POSITIVE_INFINITY);
    assert.equal(a.limited, false);
    assert.equal(a.reserve(), 0);
    assert.throws(() => a.setRate(0), /must be > 0/);
  });

  it("loses no turn when worker threads book from one state at once", async () => {
    // Each thread books its turns on a clock that stands still, so every turn lands exactly one interval after
    // the one before, whoever booked it: the state ends at turns x interval, however fast the machine runs,
    // and a turn lost to a race between the threads would leave it short. Both threads start at once.
    const state = newRateState();
    const start = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const perThread = 5000;
    const rate = 1000; // an interval of 1,000 µs
    const source = `
      const { workerData, parentPort } = require("node:worker_threads");
      (async () => {
        const { register } = await import("tsx/esm/api");
        register();
        const { RateLimiter } = await import(workerData.module);
        const limiter = new RateLimiter(workerData.rate, workerData.state, () => 0);
        parentPort.postMessage("ready");
        Atomics.wait(workerData.start, 0, 0);
        for (let i = 0; i < workerData.count; i++) limiter.charge();
        parentPort.postMessage("done");
      })();
    `;
    const module = new URL("../../src/engine/rate-limit.ts", import.meta.url).href;
    const workers = [0, 1].map(
      () => new Worker(source, { eval: true, workerData: { module, rate, state, start, count: perThread } }),
    );
    const message = (worker: Worker, expected: string) =>
      new Promise<void>((resolve, reject) => {
        worker.once("error", reject);
        worker.once("message", (m) => (m === expected ? resolve() : reject(new Error(String(m)))));
      });
    try {
      await Promise.all(workers.map((w) => message(w, "ready")));
      const done = Promise.all(workers.map((w) => message(w, "done")));
      Atomics.store(start, 0, 1);
      Atomics.notify(start, 0);
      await done;
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
    assert.equal(Number(new BigInt64Array(state)[0]), 2 * perThread * (1e6 / rate));
  });
});

describe("the cap's sources", () => {
  const tag = (value: string) => [{ key: RATE_TAG, value }];

  it("parses positive decimal rates only", () => {
    assert.equal(parseRate("200"), 200);
    assert.equal(parseRate(" 0.5 "), 0.5);
    assert.equal(parseRate(".25"), 0.25);
    for (const bad of ["0", "-5", "abc", "1e3", "", "10/s", "Infinity", "NaN", "0.0"]) {
      assert.equal(parseRate(bad), undefined, bad);
    }
  });

  it("takes the smaller of the engine's cap and the job's tag; 0 means no engine cap", () => {
    assert.deepEqual(resolveRateCap(0, undefined), { rate: Number.POSITIVE_INFINITY, source: "none" });
    assert.deepEqual(resolveRateCap(0, tag("50")), { rate: 50, source: "tag" });
    assert.deepEqual(resolveRateCap(100, tag("50")), { rate: 50, source: "tag" });
    assert.deepEqual(resolveRateCap(100, tag("500")), { rate: 100, source: "engine" });
    assert.deepEqual(resolveRateCap(100, [{ key: "other", value: "1" }]), { rate: 100, source: "engine" });
  });

  it("ignores a bad tag value and says which", () => {
    assert.deepEqual(resolveRateCap(0, tag("fast")), {
      rate: Number.POSITIVE_INFINITY,
      source: "none",
      invalidTag: "fast",
    });
    assert.deepEqual(resolveRateCap(20, tag("-1")), { rate: 20, source: "engine", invalidTag: "-1" });
  });
});

describe("JobThrottle on a real local data dir", () => {
  let dataDir: string;
  let storage: ObjectStorage;
  const logged: Array<{ level: number; msg: string; value?: string }> = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _encoding, done) {
        logged.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-rate-"));
    await mkdir(join(dataDir, "buckets", "src"), { recursive: true });
    await writeFile(join(dataDir, "buckets", "src", "a.txt"), "a");
    storage = await openStorage({ kind: "local", dataDir });
  });
  after(async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("leaves storage alone without a cap", () => {
    const throttles = new JobThrottles({ taskConcurrency: 16 }, log);
    const throttle = throttles.forJob("job-a", []);
    assert.equal(throttle.rate, undefined);
    assert.equal(throttle.storageForTask(storage), storage);
    assert.deepEqual(throttles.stats().get("job-a"), {
      concurrency: 8,
      throttles: 0,
      decreases: 0,
      maxRequestsPerSecond: null,
    });
  });

  it("charges every request of a task but its first to the job's cap", async () => {
    const state = newRateState();
    const throttle = new JobThrottles({ taskConcurrency: 16 }, log).forJob(
      "job-b",
      [{ key: RATE_TAG, value: "1" }],
      state,
    );
    assert.equal(throttle.rate?.rate, 1);
    const view = throttle.storageForTask(storage);
    assert.equal((await view.head("src", "a.txt")).size, 1);
    assert.equal(Number(new BigInt64Array(state)[0]), 0, "the first request was paid for before the task");
    // Two requests at 1/s book the state two seconds past the first one's time, which lies between these two.
    const before = wallClockMicros();
    await view.head("src", "a.txt");
    await view.getTagging("src", "a.txt");
    const after = wallClockMicros();
    const booked = Number(new BigInt64Array(state)[0]);
    assert.ok(
      booked >= before + 2e6 && booked <= after + 2e6,
      `two requests at 1/s booked ${booked - before} µs ahead`,
    );
    await assert.rejects(view.head("src", "missing.txt"), (e: { code?: string }) => e.code === "NoSuchKey");
    assert.equal(view.description, storage.description);
  });

  it("follows tag changes, warns once about a bad value and keeps the engine's cap", () => {
    const throttles = new JobThrottles({ taskConcurrency: 16, maxRequestsPerSecondPerJob: 40 }, log);
    const withTag = (value: string) => [{ key: RATE_TAG, value }];
    assert.equal(throttles.forJob("job-c", []).rate?.rate, 40);
    assert.equal(throttles.forJob("job-c", withTag("5")).rate?.rate, 5);
    logged.length = 0;
    assert.equal(throttles.forJob("job-c", withTag("lots")).rate?.rate, 40);
    throttles.forJob("job-c", withTag("lots"));
    const warnings = logged.filter((l) => l.level === 40);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].value, "lots");
    assert.match(warnings[0].msg, /objbatch:max-requests-per-second/);
    assert.equal(throttles.stats().get("job-c")?.maxRequestsPerSecond, 40);
    throttles.retain((id) => id !== "job-c");
    assert.equal(throttles.stats().has("job-c"), false);
  });
});
