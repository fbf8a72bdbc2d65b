/**
 * COS timestamps. Responses use ISO-8601 UTC to the second with `Z` (`2019-12-19T11:05:40Z`, docs/decisions.md D3).
 * Requests may carry ISO-8601 (any offset, optional fraction), integer Unix seconds (the COS Go SDK types the
 * copy constraints as int64) or an HTTP date (`Thu, 19 Dec 2019 11:05:40 GMT`, natural for HttpExpiresDate);
 * all are normalised to ISO-8601 UTC for the canonical model.
 */

import { invalidArgument } from "../../../domain/errors.js";
import type { ErrorFactory } from "../../xml/read.js";
import { isoSeconds } from "../shared/iso-seconds.js";
import { canonicalIso, requestTimestampMillis } from "../shared/request-timestamps.js";

/** Parses a request timestamp; returns the canonical ISO form (seconds, or milliseconds when given). */
export function parseCosTimestamp(value: string, path: string, error: ErrorFactory = invalidArgument): string {
  const ms = requestTimestampMillis(value);
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
  return isoSeconds(d);
}
