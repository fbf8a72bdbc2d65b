/**
 * S3 Control timestamps. rest-xml bodies carry ISO-8601 UTC (botocore writes milliseconds,
 * `2024-01-02T03:04:05.000Z`; the JS SDK may leave them out). Requests are also accepted with an offset
 * (`+02:00`), as Unix seconds or as an HTTP date, and normalised to ISO-8601 UTC for the canonical model.
 * Responses use ISO-8601 UTC with `Z` to the second (D3), or to the millisecond when the stored value has them.
 */
import { invalidArgument } from "../../../domain/errors.js";
import { isoSeconds } from "../shared/iso-seconds.js";
import { canonicalIso, requestTimestampMillis } from "../shared/request-timestamps.js";

/** Years the canonical ISO form can carry without a sign. */
const MIN_MS = Date.parse("0000-01-01T00:00:00Z");
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Parses a request timestamp into canonical ISO-8601 UTC. Throws InvalidArgument naming `path`. */
export function parseS3ControlTimestamp(value: string, path: string): string {
  const ms = requestTimestampMillis(value);
  if (ms === undefined || ms < MIN_MS || ms > MAX_MS) {
    throw invalidArgument(`${path} must be an ISO-8601 time such as 2024-01-02T03:04:05Z, not "${clip(value)}".`);
  }
  return canonicalIso(ms);
}

/**
 * A job's own time (a Date) to the second, `2019-12-19T11:05:40Z` (D3); a time a client sent (a stored string)
 * as it was given, to the millisecond when it had them. A string that is not a time is returned unchanged.
 */
export function formatS3ControlTimestamp(value: Date | string): string {
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  if (typeof value !== "string") return isoSeconds(d);
  return canonicalIso(d.getTime());
}

function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}...` : value;
}
