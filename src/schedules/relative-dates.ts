/**
 * Relative dates of a schedule's job template (D43): a manifest generator's filter may say
 * `createdBeforeRelative: "P30D"` ("objects last modified more than 30 days before this run") and
 * `createdAfterRelative`, ISO-8601 durations that each run resolves against its due time into the job's
 * absolute `createdBefore` / `createdAfter`. Durations are exact: weeks, days (24 hours each), hours, minutes
 * and seconds; years and months are refused, being of no fixed length. A template names either the relative or
 * the absolute form of a date, never both.
 */

/** The filter fields that have a relative form, and that form's name. */
export const RELATIVE_FIELDS = [
  ["createdBefore", "createdBeforeRelative"],
  ["createdAfter", "createdAfterRelative"],
] as const;

/** The longest duration accepted: 100 years of days. */
const MAX_MS = 36_525 * 86_400_000;

const DURATION = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?$/;

/** The duration in milliseconds, or a message saying what is wrong with it. */
export function parseDuration(text: string): number | string {
  const m = DURATION.exec(text);
  if (!m || text === "P" || text.endsWith("T")) {
    return (
      `"${text.slice(0, 64)}" is not an ISO-8601 duration of weeks, days, hours, minutes or seconds ` +
      '(e.g. "P30D", "P1W", "PT12H"; years and months are not accepted)'
    );
  }
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
  if (ms > MAX_MS) return `"${text}" is longer than 100 years`;
  return ms;
}

/** A problem with the template's relative dates, at a JSON Pointer into the template. */
export interface RelativeDateProblem {
  readonly pointer: string;
  readonly detail: string;
}

type Filter = Record<string, unknown>;

function filterOf(template: Readonly<Record<string, unknown>>): Filter | undefined {
  const generator = template.manifestGenerator as Record<string, unknown> | undefined;
  const filter = generator?.filter;
  return filter !== null && typeof filter === "object" ? (filter as Filter) : undefined;
}

/** The problems of the template's relative dates (bad durations, a date given both ways); empty when none. */
export function relativeDateProblems(template: Readonly<Record<string, unknown>>): RelativeDateProblem[] {
  const filter = filterOf(template);
  if (!filter) return [];
  const problems: RelativeDateProblem[] = [];
  for (const [absolute, relative] of RELATIVE_FIELDS) {
    const value = filter[relative];
    if (value === undefined) continue;
    const pointer = `/manifestGenerator/filter/${relative}`;
    if (filter[absolute] !== undefined) {
      problems.push({ pointer, detail: `give ${absolute} or ${relative}, not both` });
    } else if (typeof value === "string") {
      const ms = parseDuration(value);
      if (typeof ms === "string") problems.push({ pointer, detail: ms });
    }
  }
  return problems;
}

/**
 * The template as the job of the run due at `dueAt` (ms since the epoch): each relative date replaced by its
 * absolute form (`dueAt` minus the duration, ISO-8601 UTC). The template must have no relative-date problems.
 */
export function resolveRelativeDates(
  template: Readonly<Record<string, unknown>>,
  dueAt: number,
): Record<string, unknown> {
  const filter = filterOf(template);
  if (!filter || !RELATIVE_FIELDS.some(([, relative]) => filter[relative] !== undefined)) return { ...template };
  const resolved: Filter = { ...filter };
  for (const [absolute, relative] of RELATIVE_FIELDS) {
    const value = resolved[relative];
    if (value === undefined) continue;
    delete resolved[relative];
    const ms = parseDuration(String(value));
    if (typeof ms === "string") throw new Error(ms);
    resolved[absolute] = new Date(dueAt - ms).toISOString();
  }
  const generator = template.manifestGenerator as Record<string, unknown>;
  return { ...template, manifestGenerator: { ...generator, filter: resolved } };
}
