/**
 * Limits on what an operation may ask the storage to write on an object, shared by the dialects: values that
 * become HTTP headers (tags, metadata) must carry no control characters, user metadata keys must be header
 * tokens, an object has at most 10 tags and 2 KiB of user metadata.
 */
import { invalidArgument } from "../../../domain/errors.js";
import type { Tag } from "../../../domain/job.js";
import type { XmlReader } from "../../xml/read.js";

export const MAX_OBJECT_TAGS = 10;
export const MAX_USER_METADATA_BYTES = 2048;
/** Values that become HTTP headers on the storage side: no control characters (CR/LF would inject headers). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const HEADER_SAFE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
export const HEADER_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A string rule refusing control characters. */
export const NO_CONTROL = { pattern: HEADER_SAFE, patternHint: "must not contain control characters" } as const;

/** One object tag `<Key/><Value/>` as COS and OSS write it: key 1-128, value up to 256, no control characters. */
export function readObjectTag(t: XmlReader): Tag {
  return {
    key: t.requiredString("Key", { min: 1, max: 128, ...NO_CONTROL }),
    value: t.requiredString("Value", { max: 256, ...NO_CONTROL }),
  };
}

/** Refuses a tag (or metadata) list that names a key twice; `path` names the list in the message. */
export function rejectDuplicateKeys(tags: readonly Tag[], path: string, caseInsensitive = false): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = caseInsensitive ? t.key.toLowerCase() : t.key;
    if (seen.has(k)) throw invalidArgument(`${path} has the key "${t.key}" more than once.`);
    seen.add(k);
  }
}

/** Refuses user metadata larger than MAX_USER_METADATA_BYTES (keys and values together). */
export function requireUserMetadataWithinLimit(userMetadata: readonly Tag[], path: string): void {
  const size = userMetadata.reduce((n, t) => n + Buffer.byteLength(t.key) + Buffer.byteLength(t.value), 0);
  if (size > MAX_USER_METADATA_BYTES) {
    throw invalidArgument(`${path} may hold at most ${MAX_USER_METADATA_BYTES} bytes in all.`);
  }
}

/** Canonical objects carry no `undefined` members, so stored and compared specs stay tidy. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
