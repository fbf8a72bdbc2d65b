/**
 * Request timestamps as COS and S3 Control accept them: ISO-8601 (any offset, optional fraction), integer
 * Unix seconds or an HTTP date (`Thu, 19 Dec 2019 11:05:40 GMT`), with impossible dates (February 30th,
 * hour 24) refused. Each dialect's timestamps.ts words its own error and response format on top of this.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Milliseconds since the epoch of a request timestamp, or undefined when it is none of the accepted forms. */
export function requestTimestampMillis(value: string): number | undefined {
  if (/^\d{1,11}$/.test(value)) return Number(value) * 1000;
  let m = ISO.exec(value);
  if (m !== null) {
    const [, y, mo, d, h, mi, s] = m;
    if (!validFields(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))) return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  m = HTTP_DATE.exec(value);
  if (m !== null) {
    const [, d, mon, y, h, mi, s] = m;
    const mo = MONTHS.indexOf(mon!) + 1;
    if (!validFields(Number(y), mo, Number(d), Number(h), Number(mi), Number(s))) return undefined;
    // As ISO-8601, which keeps years 0-99 (Date.UTC would read them as 1900-1999).
    return Date.parse(`${y}-${String(mo).padStart(2, "0")}-${d}T${h}:${mi}:${s}Z`);
  }
  return undefined;
}

/** The canonical ISO-8601 UTC form: to the second (`...:40Z`), or to the millisecond when there are some. */
export function canonicalIso(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.replace(/\.000Z$/, "Z") : iso;
}

function validFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  // setUTCFullYear takes years 0-99 as they are; Date.UTC would read them as 1900-1999 (and 0000 is a leap year).
  const lastDayOfMonth = new Date(0);
  lastDayOfMonth.setUTCFullYear(y, mo, 0);
  return d <= lastDayOfMonth.getUTCDate();
}
