/** How numbers, sizes, durations and instants read in the console. */

const counts = new Intl.NumberFormat("en-US");

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? "?" : counts.format(n);
}

export function rate(tasksPerSecond: number): string {
  return tasksPerSecond >= 100 ? counts.format(Math.round(tasksPerSecond)) : tasksPerSecond.toFixed(1);
}

export function duration(seconds: number): string {
  if (seconds < 1) return "<1s";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const dates = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function instant(iso: string | undefined): string {
  return iso === undefined ? "" : dates.format(new Date(iso));
}

/** The share of the tasks finished, 0 to 100, or undefined before the total is known. */
export function percent(p: { total: number | null; succeeded: number; failed: number }): number | undefined {
  if (p.total === null) return undefined;
  if (p.total === 0) return 100;
  return Math.min(100, Math.floor(((p.succeeded + p.failed) * 100) / p.total));
}
