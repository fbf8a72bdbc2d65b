/**
 * /metrics as a scraper sees it: fetched over HTTP (or taken as text) and parsed by a Prometheus text-format
 * parser (prom2javascript), with the few look-ups the metrics tests make: one sample, a sum over the samples
 * whose labels match, every label value shown.
 */
import assert from "node:assert/strict";
import { getMetricsFromIterator, type PromData, type PromHistogramData, type PromMetrics } from "prom2javascript";

export type { PromMetrics };

/**
 * The exposition parsed. This parser reads no NaN sample, which prom-client writes (as "Nan", which Prometheus
 * reads) for Node's event loop lag before its first measurement: such samples (never objbatch's own) are left out.
 */
export async function parseMetrics(text: string): Promise<PromMetrics> {
  const lines = text.split("\n").filter((line) => !/^objbatch_nodejs_\S* Nan$/.test(line));
  return getMetricsFromIterator(lines[Symbol.iterator]());
}

/** GET `${url}/metrics`, checked to be Prometheus text, parsed. */
export async function scrapeMetrics(url: string): Promise<PromMetrics> {
  const answer = await fetch(`${url}/metrics`);
  assert.equal(answer.status, 200);
  assert.match(answer.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseMetrics(await answer.text());
}

const matches = (labels: Record<string, string>, want: Record<string, string | undefined>) =>
  Object.entries(want).every(([k, v]) => labels[k] === v);

/** The counter or gauge samples of `name` whose labels include `want` (a label wanted undefined: absent). */
export function samples(metrics: PromMetrics, name: string, want: Record<string, string | undefined> = {}): PromData[] {
  const family = metrics[name];
  if (!family) return [];
  return (family.data as PromData[]).filter((d) => matches(d.labels, want));
}

/** The sum of the samples of `name` whose labels include `want`. */
export function sumOf(metrics: PromMetrics, name: string, want: Record<string, string | undefined> = {}): number {
  return samples(metrics, name, want).reduce((n, d) => n + d.value, 0);
}

/** The histogram series of `name` whose labels include `want`. */
export function histograms(metrics: PromMetrics, name: string, want: Record<string, string> = {}): PromHistogramData[] {
  const family = metrics[name];
  if (!family) return [];
  assert.equal(family.type, "histogram", name);
  return (family.data as PromHistogramData[]).filter((d) => matches(d.labels, want));
}

/** Every label value of every family whose name starts with `prefix`, with the family it was seen in. */
export function labelValues(metrics: PromMetrics, prefix: string): { family: string; label: string; value: string }[] {
  const seen: { family: string; label: string; value: string }[] = [];
  for (const [family, metric] of Object.entries(metrics)) {
    if (!family.startsWith(prefix)) continue;
    for (const d of metric.data as { labels: Record<string, string> }[]) {
      for (const [label, value] of Object.entries(d.labels)) seen.push({ family, label, value });
    }
  }
  return seen;
}
