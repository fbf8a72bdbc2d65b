/**
 * COS timestamps. Responses use ISO-8601 UTC to the second with `Z` (`2019-12-19T11:05:40Z`, reference D3).
 * Requests may carry ISO-8601 (any offset, optional fraction), integer Unix seconds (the COS Go SDK types the
 * copy constraints as int64) or an HTTP date (`Thu, 19 Dec 2019 11:05:40 GMT`, natural for HttpExpiresDate);
 * all are normalised to ISO-8601 UTC for the canonical model.
 */

import { invalidArgument } from "../../../domain/errors.js";
import type { ErrorFactory } from "../../xml/read.js";

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Parses a request timestamp; returns the canonical ISO form (seconds, or milliseconds when given). */
export function parseCosTimestamp(value: string, path: string, error: ErrorFactory = invalidArgument): string {
  const ms = toMillis(value);
  if (ms === undefined) {
    throw error(
      `${path} must be an ISO-8601 time (2019-12-19T11:05:40Z) or Unix seconds, not "${value.slice(0, 64)}".`,
    );
  }
  return canonicalIso(ms);
}

/**
 * `2019-12-19T11:05:40Z`. Accepts a Date or a stored time string; a string that is not a time (another
 * dialect's free text) is returned unchanged rather than failing the whole response.
 */
export function formatCosTimestamp(value: Date | string): string {
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function canonicalIso(ms: number): string {
  const iso = new Date(ms).toISOString();
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
