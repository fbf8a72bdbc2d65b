/**
 * A process's metrics, as /metrics serves them (api/http/health-routes.ts): prom-client's Node and process
 * metrics, every family of catalog.ts read from the process's Totals (what its main thread recorded and what its
 * runner threads sent, worker-bridge.ts), and the jobs by status, read from the job store when scraped
 * (job-counts.ts). One per objbatch process (`objbatch serve`, `objbatch worker`, a test's app), never prom-client's
 * global registry, so several in one process keep their numbers apart. Main thread only: runner threads never
 * load prom-client (D23).
 */
import { collectDefaultMetrics, Gauge, type Metric, Registry } from "prom-client";
import { JOB_STATUSES } from "../domain/status.js";
import type { StoreKind } from "../storage/store-kind.js";
import type { ObjectStorage } from "../storage/types.js";
import { CELL_FAMILIES, type CellFamily } from "./catalog.js";
import { Totals } from "./cells.js";
import { instrumentStorage } from "./instrumented-storage.js";
import { CachedJobCounts, type JobCounts, type JobCountsOptions } from "./job-counts.js";
import { EngineMeter, ScheduleMeter, TaskMeter } from "./meters.js";
import { WebhookMeter } from "./webhook-meter.js";
import { WorkerMetricsBridge } from "./worker-bridge.js";

export interface MetricsOptions {
  /** Counts the job store's jobs by status; without it there is no jobs gauge. */
  readonly jobCounts?: () => Promise<JobCounts>;
  readonly jobCountsOptions?: JobCountsOptions;
}

export const JOBS_GAUGE = "objbatch_jobs";

export class ObjbatchMetrics {
  readonly registry = new Registry();
  readonly totals = new Totals();
  /** Folds what runner threads send. */
  readonly bridge = new WorkerMetricsBridge(this.totals);
  /** Tasks run in this thread's event loop (jobs on S3, an injected clock). */
  readonly tasks = new TaskMeter(this.totals);
  readonly engine = new EngineMeter(this.totals);
  /** Webhook deliveries of this server's notifier (D42). */
  readonly webhooks = new WebhookMeter(this.totals);
  /** Schedule runs of this process's scheduler (D43). */
  readonly schedules = new ScheduleMeter(this.totals);

  constructor(options: MetricsOptions = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: "objbatch_" });
    for (const f of CELL_FAMILIES) this.registry.registerMetric(cellMetric(f, this.totals));
    if (options.jobCounts) {
      const counts = new CachedJobCounts(options.jobCounts, options.jobCountsOptions);
      new Gauge({
        name: JOBS_GAUGE,
        help: "Jobs in the job store by status, read at most every few seconds (the last numbers stand while the store is unavailable)",
        labelNames: ["status"],
        registers: [this.registry],
        async collect() {
          const now = await counts.current();
          if (now) for (const status of JOB_STATUSES) this.set({ status }, now.get(status) ?? 0);
        },
      });
    }
  }

  /** Wraps a store this thread opens so its requests are counted here (storage/open-storage.ts `instrument`). */
  readonly instrument = (storage: ObjectStorage, kind: StoreKind): ObjectStorage =>
    instrumentStorage(storage, kind, this.totals);

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

interface Sample {
  readonly metricName?: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

/**
 * A catalog family as prom-client's registry takes a metric (name, help, type, get): its samples read from the
 * Totals when scraped. A labelled family shows the label sets that were ever recorded (as prom-client's own do);
 * one without labels always shows.
 */
function cellMetric(f: CellFamily, totals: Totals): Metric {
  const get = async () => ({ name: f.name, help: f.help, type: f.type, aggregator: "sum", values: samples(f, totals) });
  return { name: f.name, help: f.help, type: f.type, aggregator: "sum", get } as unknown as Metric;
}

function samples(f: CellFamily, totals: Totals): Sample[] {
  const values = totals.values;
  const out: Sample[] = [];
  const unlabelled = f.labels.length === 0;
  for (let series = 0; series < f.series; series++) {
    const first = f.offset + series * f.width;
    if (f.type !== "histogram") {
      if (unlabelled || values[first] !== 0) out.push({ labels: labelsOf(f, series), value: values[first] });
      continue;
    }
    const n = f.buckets.length;
    let count = 0;
    for (let i = 0; i <= n; i++) count += values[first + i];
    if (!unlabelled && count === 0) continue;
    const labels = labelsOf(f, series);
    let cumulative = 0;
    for (let i = 0; i <= n; i++) {
      cumulative += values[first + i];
      const le = i < n ? f.buckets[i] : "+Inf";
      out.push({ metricName: `${f.name}_bucket`, labels: { ...labels, le }, value: cumulative });
    }
    out.push({ metricName: `${f.name}_sum`, labels, value: values[first + n + 1] });
    out.push({ metricName: `${f.name}_count`, labels, value: count });
  }
  return out;
}

/** The labels of label set number `series`; a label whose value is "" is left out. */
function labelsOf(f: CellFamily, series: number): Record<string, string> {
  const indices: number[] = new Array(f.labels.length);
  let rest = series;
  for (let i = f.labels.length - 1; i >= 0; i--) {
    const size = f.labels[i].values.length;
    indices[i] = rest % size;
    rest = Math.floor(rest / size);
  }
  const labels: Record<string, string> = {};
  f.labels.forEach((dim, i) => {
    const value = dim.values[indices[i]];
    if (value !== "") labels[dim.name] = value;
  });
  return labels;
}
