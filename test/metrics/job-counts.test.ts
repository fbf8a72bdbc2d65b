/**
 * The jobs-by-status gauge (metrics/job-counts.ts, registry.ts) over a real SQLite job store: a scrape shows every
 * status, 0 where no job is; numbers are read at most once per max age; when the store fails (closed under it) or
 * a read hangs, the scrape is answered with the last numbers read, and without the gauge before any read worked.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CachedJobCounts, type JobCounts } from "../../src/metrics/job-counts.js";
import { ObjbatchMetrics } from "../../src/metrics/registry.js";
import { parseMetrics, samples, sumOf } from "../helpers/prometheus.js";
import { newJob, sqliteTestStore } from "../helpers/stores.js";

describe("jobs by status in /metrics", () => {
  it("counts the store's jobs by status, and keeps the last numbers while the store fails", async () => {
    const t = await sqliteTestStore();
    let reads = 0;
    const metrics = new ObjbatchMetrics({
      jobCounts: () => {
        reads++;
        return t.store.countJobsByStatus();
      },
      jobCountsOptions: { maxAgeMs: 0, onError: () => {} },
    });
    const scrape = async () => parseMetrics(await metrics.text());
    try {
      for (let i = 0; i < 3; i++) await t.store.insertJob(newJob());
      let m = await scrape();
      assert.equal(sumOf(m, "objbatch_jobs", { status: "New" }), 3);
      assert.equal(samples(m, "objbatch_jobs").length, 13);
      assert.equal(sumOf(m, "objbatch_jobs"), 3);
      await t.store.close(); // the store is gone
      m = await scrape();
      assert.equal(sumOf(m, "objbatch_jobs", { status: "New" }), 3, "the last numbers stand");
      assert.ok(reads >= 2, "the store was asked again");
    } finally {
      await t.dispose().catch(() => {});
    }
  });

  it("answers a scrape without the gauge while no read has worked yet", async () => {
    const metrics = new ObjbatchMetrics({
      jobCounts: () => Promise.reject(new Error("store unavailable")),
      jobCountsOptions: { onError: () => {} },
    });
    const m = await parseMetrics(await metrics.text());
    assert.deepEqual(samples(m, "objbatch_jobs"), []);
    assert.ok(m.objbatch_tasks_in_flight, "the rest is there");
  });

  it("reads at most once per max age, and waits for a slow read only so long", async () => {
    let reads = 0;
    let answer: (counts: JobCounts) => void = () => {};
    const counts = new CachedJobCounts(
      () => {
        reads++;
        return new Promise<JobCounts>((resolve) => {
          answer = resolve;
        });
      },
      { maxAgeMs: 60_000, waitMs: 5 },
    );
    assert.equal(await counts.current(), undefined, "a read that hangs does not hold the scrape");
    assert.equal(await counts.current(), undefined);
    assert.equal(reads, 1, "one read at a time");
    answer(new Map([["Active", 4]]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await counts.current(), new Map([["Active", 4]]));
    assert.equal(reads, 1, "fresh enough: not read again");
  });
});
