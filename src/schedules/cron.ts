/**
 * Cron expressions in a time zone (D43), evaluated by croner: 5 fields (minute to weekday), 6 (seconds first) or
 * 7 (a year last); names, ranges, steps, L, W and #, nicknames (@daily, ...); Vixie cron's rule that a
 * day-of-month and a weekday both restricted match either. Times are read in an IANA time zone with croner's DST rules: a local time that a
 * spring-forward skips runs at the first instant after the gap, and one that a fall-back repeats runs once.
 * Everything here is pure: it evaluates, it never schedules timers.
 */
import { Cron } from "croner";

export interface CronSpec {
  readonly cron: string;
  readonly timeZone: string;
}

const evaluators = new Map<string, Cron>();

/** A cron evaluator of the spec, kept for the next call (a small, bounded map: expressions repeat). */
function evaluator(spec: CronSpec): Cron {
  const key = `${spec.timeZone}\u0000${spec.cron}`;
  let cron = evaluators.get(key);
  if (!cron) {
    cron = new Cron(spec.cron, { timezone: spec.timeZone, paused: true });
    if (evaluators.size >= 1_000) evaluators.clear();
    evaluators.set(key, cron);
  }
  return cron;
}

/** What is wrong with the expression or the time zone, or undefined when the schedule can run. */
export function cronProblem(spec: CronSpec): { field: "cron" | "timeZone"; detail: string } | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: spec.timeZone });
  } catch {
    return {
      field: "timeZone",
      detail: `"${spec.timeZone.slice(0, 64)}" is not an IANA time zone (e.g. UTC, Europe/Paris)`,
    };
  }
  let cron: Cron;
  try {
    cron = new Cron(spec.cron, { timezone: spec.timeZone, paused: true });
  } catch (e) {
    return { field: "cron", detail: `not a cron expression: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (cron.nextRun() === null) return { field: "cron", detail: "the expression is never due again" };
  return undefined;
}

/** The first due time strictly after `after` (ms since the epoch), or undefined when there is none. */
export function nextDueAfter(spec: CronSpec, after: number): number | undefined {
  return evaluator(spec).nextRun(new Date(after))?.getTime();
}

/** The latest due time in [from, now], or undefined when none is. */
export function latestDueAt(spec: CronSpec, from: number, now: number): number | undefined {
  if (from > now) return undefined;
  // croner counts a run earlier in the reference's second as before it: now + 1 ms includes a run at now.
  const latest = evaluator(spec)
    .previousRuns(1, new Date(now + 1))[0]
    ?.getTime();
  return latest !== undefined && latest >= from ? latest : undefined;
}
