/**
 * The rest-xml shapes S3 Control bodies are made of (the S3 Control API's rest-xml protocol), read and written in one place:
 *
 *   list   <Tags><member>...</member><member>...</member></Tags>
 *          Written with `member`; read with any item name (botocore and the API reference pages disagree on
 *          item names such as S3Tag and S3Grant, so the name is not checked).
 *   map    <UserMetadata><entry><key>k</key><value>v</value></entry></UserMetadata>
 *          Read also as `member` items holding Key/Value, as COS writes its UserMetadata.
 *   tags   list of <Key/><Value/> pairs (job tags, object tag sets)
 */
import { invalidArgument, malformedXml } from "../../../domain/errors.js";
import type { Tag } from "../../../domain/job.js";
import { el, leaf, type XmlNode } from "../../xml/build.js";
import type { ListRule, StringRule, XmlReader } from "../../xml/read.js";

/** The AWS tag pattern (S3Tag Key/Value): letters, spaces, digits and `_ . : / = + - @`. */
export const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_HINT = "may hold only letters, digits, spaces and _ . : / = + - @";

/** Reads an optional list whose items may be named anything. Returns undefined when the list is absent. */
export function readList<T>(
  r: XmlReader,
  name: string,
  read: (item: XmlReader) => T,
  rule: ListRule = {},
): T[] | undefined {
  return r.child(name, (container) => {
    container.requireNoText();
    const items = container.eachChild(read);
    const error = rule.error ?? invalidArgument;
    if (rule.min !== undefined && items.length < rule.min) {
      throw error(`${container.path} must hold at least ${rule.min} item(s).`);
    }
    if (rule.max !== undefined && items.length > rule.max) {
      throw error(`${container.path} may hold at most ${rule.max} item(s), not ${items.length}.`);
    }
    return items;
  });
}

/** A list of plain values (`<member>Bucket</member>`). */
export function readValueList(
  r: XmlReader,
  name: string,
  value: StringRule = {},
  list: ListRule = {},
): string[] | undefined {
  return readList(r, name, (item) => item.value(value), list);
}

/** A list of enumeration values. */
export function readEnumList<const T extends string>(
  r: XmlReader,
  name: string,
  allowed: readonly T[],
  rule: ListRule = {},
): T[] | undefined {
  return readList(
    r,
    name,
    (item) => {
      const v = item.value();
      if (!(allowed as readonly string[]).includes(v)) {
        throw invalidArgument(`${item.path} must be one of ${allowed.join(", ")}, not "${clip(v)}".`);
      }
      return v as T;
    },
    rule,
  );
}

export interface TagRule {
  readonly min?: number;
  readonly max?: number;
  readonly keyMax?: number;
  readonly valueMax?: number;
}

/** A tag list; keys must be unique. */
export function readTagList(r: XmlReader, name: string, rule: TagRule = {}): Tag[] | undefined {
  const tags = readList(
    r,
    name,
    (t) => ({
      key: t.requiredString("Key", {
        min: 1,
        max: rule.keyMax ?? 128,
        unit: "chars",
        pattern: TAG_PATTERN,
        patternHint: TAG_HINT,
      }),
      value: t.requiredString("Value", {
        max: rule.valueMax ?? 256,
        unit: "chars",
        pattern: TAG_PATTERN,
        patternHint: TAG_HINT,
      }),
    }),
    { min: rule.min, max: rule.max },
  );
  if (tags !== undefined) rejectDuplicateKeys(tags, `${r.path}/${name}`);
  return tags;
}

export interface MapRule {
  readonly min?: number;
  readonly max?: number;
  readonly key: StringRule;
  readonly value: StringRule;
  /** Keys compared without case (HTTP header names). */
  readonly caseInsensitive?: boolean;
}

/** A map, as canonical key/value pairs in document order; keys must be unique. */
export function readMap(r: XmlReader, name: string, rule: MapRule): Tag[] | undefined {
  const pairs = readList(
    r,
    name,
    (entry) => {
      const lower = entry.has("key") || entry.has("value");
      const upper = entry.has("Key") || entry.has("Value");
      if (lower && upper) throw malformedXml(`${entry.path} mixes key/value and Key/Value.`);
      const [k, v] = upper ? ["Key", "Value"] : ["key", "value"];
      return { key: entry.requiredString(k, rule.key), value: entry.requiredString(v, rule.value) };
    },
    { min: rule.min, max: rule.max },
  );
  if (pairs !== undefined) rejectDuplicateKeys(pairs, `${r.path}/${name}`, rule.caseInsensitive);
  return pairs;
}

export function rejectDuplicateKeys(tags: readonly Tag[], path: string, caseInsensitive = false): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = caseInsensitive ? t.key.toLowerCase() : t.key;
    if (seen.has(k)) throw invalidArgument(`${path} has the key "${clip(t.key)}" more than once.`);
    seen.add(k);
  }
}

/** `<name><member>v</member>...</name>`. */
export function valueList(name: string, values: readonly string[]): XmlNode {
  return el(
    name,
    values.map((v) => leaf("member", v)),
  );
}

/** `<name><member><Key/><Value/></member>...</name>`. */
export function tagList(name: string, tags: readonly Tag[]): XmlNode {
  return el(
    name,
    tags.map((t) => el("member", leaf("Key", t.key), leaf("Value", t.value))),
  );
}

/** `<name><entry><key/><value/></entry>...</name>`. */
export function map(name: string, pairs: readonly Tag[]): XmlNode {
  return el(
    name,
    pairs.map((t) => el("entry", leaf("key", t.key), leaf("value", t.value))),
  );
}

export function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}...` : value;
}
