/**
 * The job's adaptive concurrency limit: permits, slow start, halving on throttles (once per round of attempts),
 * additive growth, and a simulated storage that throttles above N requests in flight, where the limit has to
 * settle near N while nearly every attempt gets through.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdaptiveConcurrency, type ConcurrencyChange } from "../../src/engine/adaptive-concurrency.js";

/** Takes every free permit; returns how many. */
function fill(c: AdaptiveConcurrency): number {
  let n = 0;
  while (c.tryAcquire()) n++;
  return n;
}

describe("AdaptiveConcurrency", () => {
  it("starts at 8 permits (or the ceiling if lower) and queues the rest in order", async () => {
    assert.equal(new AdaptiveConcurrency({ max: 3 }).limit, 3);
    const c = new AdaptiveConcurrency({ max: 64 });
    assert.equal(c.limit, 8);
    assert.equal(fill(c), 8);
    const order: number[] = [];
    const a = c.acquire().then(() => order.push(1));
    const b = c.acquire().then(() => order.push(2));
    await Promise.resolve();
    assert.deepEqual(order, []);
    c.release();
    await a;
    assert.deepEqual(order, [1]);
    // A free permit is not taken past a waiter.
    assert.equal(c.tryAcquire(), false);
    c.release();
    await b;
    assert.deepEqual(order, [1, 2]);
    assert.equal(c.snapshot().inFlight, 8);
  });

  it("grows by one per finished task until the first throttle (slow start), up to the ceiling", () => {
    const c = new AdaptiveConcurrency({ max: 20 });
    for (let i = 0; i < 30; i++) {
      fill(c);
      c.succeeded();
      c.release();
    }
    assert.equal(c.limit, 20);
  });

  it("does not grow while the job leaves its limit unused", () => {
    const c = new AdaptiveConcurrency({ max: 64 });
    for (let i = 0; i < 20; i++) {
      assert.ok(c.tryAcquire());
      c.succeeded();
      c.release();
    }
    assert.equal(c.limit, 8);
  });

  it("halves on a throttle, once per round of attempts, never below 1", () => {
    const changes: ConcurrencyChange[] = [];
    const c = new AdaptiveConcurrency({ max: 64, initial: 40, onChange: (change) => changes.push(change) });
    const epoch = c.epoch;
    assert.equal(c.throttled(epoch), true);
    assert.equal(c.limit, 20);
    // The other attempts that started with the old limit were throttled too: they do not cut again.
    for (let i = 0; i < 10; i++) assert.equal(c.throttled(epoch), false);
    assert.equal(c.limit, 20);
    for (let i = 0; i < 10; i++) c.throttled(c.epoch);
    assert.equal(c.limit, 1);
    assert.deepEqual(c.snapshot(), { limit: 1, inFlight: 0, throttles: 21, decreases: 11 });
    assert.equal(changes.filter((x) => x === "decrease").length, 11);
  });

  it("after a throttle grows by one per limit's worth of successes", () => {
    const c = new AdaptiveConcurrency({ max: 64, initial: 20 });
    c.throttled(c.epoch);
    assert.equal(c.limit, 10);
    const limits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const n = fill(c);
      for (let i = 0; i < n; i++) c.succeeded();
      for (let i = 0; i < n; i++) c.release();
      limits.push(c.limit);
    }
    assert.deepEqual(limits, [11, 12, 13, 14]);
  });

  it("wakes waiters when the limit grows", async () => {
    const c = new AdaptiveConcurrency({ max: 64, initial: 1 });
    assert.equal(fill(c), 1);
    let woken = false;
    const waiting = c.acquire().then(() => {
      woken = true;
    });
    c.succeeded(); // slow start: 1 -> 2, and the waiter gets the new permit
    await waiting;
    assert.equal(woken, true);
    assert.equal(c.snapshot().inFlight, 2);
  });

  it("settles near what a storage that throttles above N in flight sustains", async () => {
    const N = 8;
    const rand = seededRandom(42);
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const c = new AdaptiveConcurrency({ max: 64 });
    let inFlight = 0;
    let throttled = 0;
    let done = 0;
    const limits: number[] = [];
    const tasks = 6000;
    let next = 0;
    // A task: attempts until one gets through, each a request taking 1-4 turns of the event loop. A request
    // that finds N others in flight is answered 503 SlowDown; the task retries after a full-jitter backoff
    // (in turns: base 10, doubling), holding its permit meanwhile, as the chunk runner does.
    const lane = async () => {
      while (next < tasks) {
        if (!c.tryAcquire()) await c.acquire();
        if (next++ >= tasks) {
          c.release();
          return;
        }
        for (let attempt = 0; ; attempt++) {
          const epoch = c.epoch;
          const over = ++inFlight > N;
          for (let t = 1 + Math.floor(rand() * 4); t > 0; t--) await turn();
          inFlight--;
          if (!over) break;
          throttled++;
          c.throttled(epoch);
          for (let t = Math.floor(rand() * 10 * 2 ** Math.min(attempt, 6)); t > 0; t--) await turn();
        }
        c.succeeded();
        c.release();
        done++;
        limits.push(c.limit);
      }
    };
    await Promise.all(Array.from({ length: 64 }, lane));
    assert.equal(done, tasks);
    const settled = limits.slice(1000);
    const mean = settled.reduce((a, b) => a + b, 0) / settled.length;
    assert.ok(mean >= N / 2 && mean <= N + 1, `mean limit ${mean.toFixed(2)} for N=${N}`);
    assert.ok(Math.max(...settled) <= N + 2, `limit reached ${Math.max(...settled)}`);
    assert.ok(Math.min(...settled) >= 1);
    assert.ok(throttled / tasks < 0.3, `${throttled} throttled attempts for ${tasks} tasks`);
    assert.ok(c.snapshot().decreases > 10, "the limit kept probing for more");
  });
});

/** mulberry32: a small seeded generator, so the simulation runs the same every time. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
