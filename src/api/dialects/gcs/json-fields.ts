/**
 * Strict reading of a Google JSON request body (D46): every object may hold only the fields its message has,
 * every value must have the type the message gives it, and a wrong one is INVALID_ARGUMENT with a field
 * violation naming its path (`job.bucketList.buckets[0].bucket`). Output-only fields a client may echo back
 * from a GET are ignored, as AIP-203 says.
 */
import { badField } from "./errors.js";

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` as an object with no fields but `known` (and `ignored`, which are dropped). */
export function readObject(
  value: unknown,
  path: string,
  known: readonly string[],
  ignored: readonly string[] = [],
): JsonObject {
  if (!isObject(value)) throw badField(path, "must be an object.");
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (ignored.includes(key)) continue;
    if (!known.includes(key)) throw badField(`${path}.${key}`, `unknown field "${key}".`);
    // An explicit null is what proto3 JSON reads as "not set".
    if (v !== null) out[key] = v;
  }
  return out;
}

export function optionalString(o: JsonObject, key: string, path: string, maxBytes = 1024): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw badField(`${path}.${key}`, "must be a string.");
  if (Buffer.byteLength(v) > maxBytes) throw badField(`${path}.${key}`, `must be at most ${maxBytes} bytes.`);
  return v;
}

export function requiredString(o: JsonObject, key: string, path: string, maxBytes = 1024): string {
  const v = optionalString(o, key, path, maxBytes);
  if (v === undefined || v === "") throw badField(`${path}.${key}`, "is required.");
  return v;
}

export function optionalBoolean(o: JsonObject, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw badField(`${path}.${key}`, "must be true or false.");
  return v;
}

export function optionalEnum<T extends string>(
  o: JsonObject,
  key: string,
  path: string,
  values: readonly T[],
): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
    throw badField(`${path}.${key}`, `must be one of ${values.join(", ")}.`);
  }
  return v as T;
}

export function optionalStringArray(
  o: JsonObject,
  key: string,
  path: string,
  options: { readonly maxItems?: number; readonly maxBytes?: number } = {},
): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw badField(`${path}.${key}`, "must be a list of strings.");
  if (options.maxItems !== undefined && v.length > options.maxItems) {
    throw badField(`${path}.${key}`, `must have at most ${options.maxItems} items.`);
  }
  return v.map((item, i) => {
    if (typeof item !== "string") throw badField(`${path}.${key}[${i}]`, "must be a string.");
    if (Buffer.byteLength(item) > (options.maxBytes ?? 1024)) {
      throw badField(`${path}.${key}[${i}]`, `must be at most ${options.maxBytes ?? 1024} bytes.`);
    }
    return item;
  });
}

/** An RFC 3339 timestamp with a time zone, as Google's Timestamp JSON takes it; returned as sent. */
export function rfc3339(value: string, path: string): string {
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(value)) {
    throw badField(path, 'must be an RFC 3339 timestamp such as "2030-01-01T00:00:00Z".');
  }
  if (Number.isNaN(Date.parse(value))) throw badField(path, "is not a valid date and time.");
  return value;
}
