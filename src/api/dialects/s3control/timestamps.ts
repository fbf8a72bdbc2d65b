/**
 * S3 Control timestamps. rest-xml bodies carry ISO-8601 UTC (botocore writes milliseconds,
 * `2024-01-02T03:04:05.000Z`; the JS SDK may leave them out). Requests are also accepted with an offset
 * (`+02:00`), as Unix seconds or as an HTTP date, and normalised to ISO-8601 UTC for the canonical model.
 * Responses use ISO-8601 UTC with `Z` to the second (D3), or to the millisecond when the stored value has them.
 */
import { invalidArgument } from "../../../domain/errors.js";

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** Years the canonical ISO form can carry without a sign. */
const MIN_MS = Date.parse("0000-01-01T00:00:00Z");
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Parses a request timestamp into canonical ISO-8601 UTC. Throws InvalidArgument naming `path`. */
export function parseS3ControlTimestamp(value: string, path: string): string {
  const ms = toMillis(value);
  if (ms === undefined || ms < MIN_MS || ms > MAX_MS) {
    throw invalidArgument(`${path} must be an ISO-8601 time such as 2024-01-02T03:04:05Z, not "${clip(value)}".`);
  }
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.replace(/\.000Z$/, "Z") : iso;
}

/**
 * A job's own time (a Date) to the second, `2019-12-19T11:05:40Z` (D3); a time a client sent (a stored string)
 * as it was given, to the millisecond when it had them. A string that is not a time is returned unchanged.
 */
export function formatS3ControlTimestamp(value: Date | string): string {
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  const iso = d.toISOString();
  if (typeof value !== "string") return iso.replace(/\.\d{3}Z$/, "Z");
  return iso.endsWith(".000Z") ? iso.replace(/\.000Z$/, "Z") : iso;
}

function toMillis(value: string): number | undefined {
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
    return Date.UTC(Number(y), mo - 1, Number(d), Number(h), Number(mi), Number(s));
  }
  return undefined;
}

function validFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= daysInMonth;
}

function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}...` : value;
}
