/**
 * The worker-thread bridge (metrics/worker-bridge.ts, D40) and the cells under it: what two runner threads
 * record (tasks through their TaskMeter, requests through their instrumented local storage) is taken as deltas,
 * folded into the main thread's Totals and shown by /metrics added up, with what the main thread recorded itself;
 * a thread that exits takes its tasks in flight out of the gauge and leaves its counts; a tally hands out only
 * what changed since its last take; changes that no message carried are sent alone.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { failed, succeeded } from "../../src/domain/task.js";
import { cellOf, REPORT_BYTES, TASKS_IN_FLIGHT } from "../../src/metrics/catalog.js";
import { Tally, type TallyDelta } from "../../src/metrics/cells.js";
import { instrumentStorage } from "../../src/metrics/instrumented-storage.js";
import { TaskMeter } from "../../src/metrics/meters.js";
import { ObjbatchMetrics } from "../../src/metrics/registry.js";
import { WorkerMetrics } from "../../src/metrics/worker-bridge.js";
import { openStorage } from "../../src/storage/open-storage.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { parseMetrics, sumOf } from "../helpers/prometheus.js";

/** A runner thread's metrics side, as chunk-worker.ts builds it. */
async function runnerThread(dataDir: string) {
  const metrics = new WorkerMetrics();
  const storage = await openStorage(
    { kind: "local", dataDir },
    { instrument: (s, kind) => instrumentStorage(s, kind, metrics.tally) },
  );
  return { metrics, meter: new TaskMeter(metrics.tally), storage };
}

describe("the worker-thread bridge", () => {
  let dataDir: string;
  const opened: ObjectStorage[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-bridge-"));
  });
  after(async () => {
    for (const s of opened) await s.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("adds up the deltas of two runner threads and the main thread's own counts", async () => {
    const main = new ObjbatchMetrics();
    const [a, b] = [await runnerThread(dataDir), await runnerThread(dataDir)];
    opened.push(a.storage, b.storage);
    await a.storage.createBucket("bkt");
    await a.storage.put("bkt", "one", "1");
    await b.storage.put("bkt", "two", "2");
    await b.storage.head("bkt", "missing").catch(() => undefined);

    const copy = a.meter.operationCell("PutObjectCopy");
    for (let i = 0; i < 3; i++) a.meter.finished(copy, succeeded());
    a.meter.finished(copy, failed(404, "NoSuchKey", "gone"));
    const copyOnB = b.meter.operationCell("PutObjectCopy");
    b.meter.finished(copyOnB, succeeded());
    b.meter.finished(copyOnB, failed(404, "NoSuchKey", "gone"));
    b.meter.finished(b.meter.operationCell("DeleteObject"), failed(403, "AccessDenied", "no"));
    // Runner A sends twice (a progress, then a result), B once; the main thread runs a task of its own.
    main.bridge.fold(a, a.metrics.take()!);
    a.meter.finished(copy, succeeded());
    main.bridge.fold(a, a.metrics.take()!);
    main.bridge.fold(b, b.metrics.take()!);
    main.tasks.finished(main.tasks.operationCell("PutObjectCopy"), succeeded());

    const m = await parseMetrics(await main.text());
    const tasks = "objbatch_tasks_total";
    assert.equal(sumOf(m, tasks, { operation: "PutObjectCopy", status: "succeeded" }), 3 + 1 + 1 + 1);
    assert.equal(sumOf(m, tasks, { operation: "PutObjectCopy", status: "failed", error_code: "NoSuchKey" }), 2);
    assert.equal(sumOf(m, tasks, { operation: "DeleteObject", status: "failed", error_code: "AccessDenied" }), 1);
    const requests = "objbatch_storage_requests_total";
    assert.equal(sumOf(m, requests, { backend: "local", operation: "put", outcome: "ok" }), 2);
    assert.equal(sumOf(m, requests, { backend: "local", operation: "create_bucket", outcome: "ok" }), 1);
    assert.equal(sumOf(m, requests, { backend: "local", operation: "head", outcome: "4xx" }), 1);
    assert.equal(sumOf(m, requests), 4);
  });

  it("takes a thread's tasks in flight out of the gauge when it exits, and keeps its counts", async () => {
    const main = new ObjbatchMetrics();
    const ta = new WorkerMetrics();
    const tb = new WorkerMetrics();
    const ma = new TaskMeter(ta.tally);
    const mb = new TaskMeter(tb.tally);
    for (let i = 0; i < 3; i++) ma.started();
    ma.ended();
    ma.finished(ma.operationCell("DeleteObject"), succeeded());
    mb.started();
    main.tasks.started();
    main.bridge.fold(ta, ta.take()!);
    main.bridge.fold(tb, tb.take()!);
    const gauge = async () => sumOf(await parseMetrics(await main.text()), "objbatch_tasks_in_flight");
    assert.equal(await gauge(), 2 + 1 + 1);
    main.bridge.forget(ta); // runner A died with two tasks in flight
    assert.equal(await gauge(), 2);
    main.bridge.forget(ta); // once only
    assert.equal(await gauge(), 2);
    const m = await parseMetrics(await main.text());
    assert.equal(sumOf(m, "objbatch_tasks_total", { operation: "DeleteObject" }), 1, "its counts stay");
  });

  it("hands out only the cells changed since the last take, and then nothing", () => {
    const tally = new Tally();
    const bytes = cellOf(REPORT_BYTES);
    const inFlight = cellOf(TASKS_IN_FLIGHT);
    assert.equal(tally.take(), undefined);
    tally.add(bytes, 10);
    tally.add(inFlight, 1);
    tally.add(bytes, 5);
    tally.add(inFlight, -1);
    const delta = tally.take()!;
    assert.deepEqual([...delta.cells], [bytes, inFlight]);
    assert.deepEqual([...delta.values], [15, 0]);
    assert.equal(tally.dirty, false);
    assert.equal(tally.take(), undefined);
    tally.add(bytes, 1);
    assert.deepEqual([...tally.take()!.values], [1]);
  });

  it("sends changes alone when no message carried them", async () => {
    const metrics = new WorkerMetrics();
    metrics.tally.add(cellOf(REPORT_BYTES), 7);
    let stop = () => {};
    const sent = await new Promise<TallyDelta>((resolve) => {
      stop = metrics.sendQuietChanges(resolve, 5);
    });
    stop();
    assert.deepEqual([...sent.values], [7]);
    assert.equal(metrics.tally.dirty, false);
  });
});
