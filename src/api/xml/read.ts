/**
 * Typed, strict reading of a parsed XML element tree.
 *
 * Liberal on element order and whitespace, strict on everything else:
 * - every child element must be read by the codec, or `finish` rejects it as unknown (a typo such as
 *   `<Priorty>` is an error, not a silently ignored element);
 * - an element expected once may appear once;
 * - value elements may not hold child elements, container elements may not hold text;
 * - values are checked for length (in UTF-8 bytes unless told otherwise), integer syntax and range, the exact
 *   words `true`/`false`, and enumerations.
 *
 * Error kinds: problems with the document's shape (unknown, repeated or misplaced elements) are MalformedXML;
 * problems with a value (missing, empty, too long, not a number, not one of the allowed words) are
 * InvalidArgument. Every message names the element path (`CreateJobRequest/Manifest/Spec/Format`). Any read
 * can override the error with `error`, for the messages a dialect documents word for word.
 *
 * Readers are handed to callbacks (`child`, `requiredChild`, `list`, `readDocument`) that call `finish` when
 * the callback returns, so a codec cannot forget to check for unknown elements.
 */
import { type DomainError, invalidArgument, malformedXml } from "../../domain/errors.js";
import type { XmlElement } from "./parse.js";

/** Builds the error for a failed read; receives the default message. */
export type ErrorFactory = (message: string) => DomainError;

export interface StringRule {
  /** Inclusive bounds on the length. Defaults: 0 and unlimited. */
  readonly min?: number;
  readonly max?: number;
  /** Unit for min/max. Default "bytes" (UTF-8), as the COS documents count. */
  readonly unit?: "bytes" | "chars";
  readonly pattern?: RegExp;
  /** Words describing what `pattern` requires, for the error message. */
  readonly patternHint?: string;
  readonly error?: ErrorFactory;
}

export interface IntRule {
  readonly min: number;
  readonly max: number;
  readonly error?: ErrorFactory;
}

export interface ValueRule {
  readonly error?: ErrorFactory;
}

export interface ListRule {
  readonly min?: number;
  readonly max?: number;
  readonly error?: ErrorFactory;
}

const defaultValueError: ErrorFactory = invalidArgument;

export class XmlReader {
  private readonly consumed = new Set<string>();
  /** Set when the element's own text was read (`value`): only then may it hold text. */
  private textRead = false;

  constructor(
    readonly element: XmlElement,
    /** Slash-separated path from the document root, used in every error message. */
    readonly path: string,
  ) {}

  get name(): string {
    return this.element.name;
  }

  /** Child element names in document order (repeats included). */
  childNames(): string[] {
    return this.element.children.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.element.children.some((c) => c.name === name);
  }

  /** Reads an optional container child; returns undefined when absent. */
  child<T>(name: string, read: (r: XmlReader) => T): T | undefined {
    const el = this.single(name);
    if (el === undefined) return undefined;
    return withReader(el, `${this.path}/${name}`, read);
  }

  requiredChild<T>(name: string, read: (r: XmlReader) => T, rule: ValueRule = {}): T {
    const el = this.single(name);
    if (el === undefined) throw (rule.error ?? defaultValueError)(`Missing required element ${this.path}/${name}.`);
    return withReader(el, `${this.path}/${name}`, read);
  }

  /**
   * Reads every child of this element with `read`, marking all of them consumed. For unions (an Operation
   * holds exactly one of several elements) and for lists whose items are this element's direct children.
   */
  eachChild<T>(read: (r: XmlReader) => T): T[] {
    for (const c of this.element.children) this.consumed.add(c.name);
    return this.element.children.map((c) => withReader(c, `${this.path}/${c.name}`, read));
  }

  optionalString(name: string, rule: StringRule = {}): string | undefined {
    const el = this.single(name);
    if (el === undefined) return undefined;
    return checkString(textOf(el, `${this.path}/${name}`), `${this.path}/${name}`, rule);
  }

  requiredString(name: string, rule: StringRule = {}): string {
    const value = this.optionalString(name, rule);
    if (value === undefined) throw (rule.error ?? defaultValueError)(`Missing required element ${this.path}/${name}.`);
    return value;
  }

  optionalInt(name: string, rule: IntRule): number | undefined {
    const el = this.single(name);
    if (el === undefined) return undefined;
    const path = `${this.path}/${name}`;
    return parseIntInRange(textOf(el, path), rule, path);
  }

  requiredInt(name: string, rule: IntRule): number {
    const value = this.optionalInt(name, rule);
    if (value === undefined) throw (rule.error ?? defaultValueError)(`Missing required element ${this.path}/${name}.`);
    return value;
  }

  optionalBoolean(name: string, rule: ValueRule = {}): boolean | undefined {
    const el = this.single(name);
    if (el === undefined) return undefined;
    const path = `${this.path}/${name}`;
    const value = textOf(el, path);
    if (value === "true") return true;
    if (value === "false") return false;
    throw (rule.error ?? defaultValueError)(`${path} must be true or false, not "${clip(value)}".`);
  }

  requiredBoolean(name: string, rule: ValueRule = {}): boolean {
    const value = this.optionalBoolean(name, rule);
    if (value === undefined) throw (rule.error ?? defaultValueError)(`Missing required element ${this.path}/${name}.`);
    return value;
  }

  optionalEnum<const T extends string>(name: string, allowed: readonly T[], rule: ValueRule = {}): T | undefined {
    const el = this.single(name);
    if (el === undefined) return undefined;
    const path = `${this.path}/${name}`;
    const value = textOf(el, path);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw (rule.error ?? defaultValueError)(`${path} must be one of ${allowed.join(", ")}, not "${clip(value)}".`);
  }

  requiredEnum<const T extends string>(name: string, allowed: readonly T[], rule: ValueRule = {}): T {
    const value = this.optionalEnum(name, allowed, rule);
    if (value === undefined) throw (rule.error ?? defaultValueError)(`Missing required element ${this.path}/${name}.`);
    return value;
  }

  /**
   * A list element (`<Fields><member>a</member><member>b</member></Fields>`): returns one result per item,
   * undefined when the list element is absent. Items must be named one of `itemNames`; anything else inside
   * the list is an unknown element. One item and many items read the same way.
   */
  list<T>(
    name: string,
    itemNames: string | readonly string[],
    read: (item: XmlReader) => T,
    rule: ListRule = {},
  ): T[] | undefined {
    return this.child(name, (container) => readItems(container, itemNames, read, rule));
  }

  requiredList<T>(
    name: string,
    itemNames: string | readonly string[],
    read: (item: XmlReader) => T,
    rule: ListRule = {},
  ): T[] {
    const value = this.list(name, itemNames, read, rule);
    if (value === undefined) throw (rule.error ?? defaultValueError)(`Missing required element ${this.path}/${name}.`);
    return value;
  }

  /** The items of this element itself, when it is the list (see `list`). */
  items<T>(itemNames: string | readonly string[], read: (item: XmlReader) => T, rule: ListRule = {}): T[] {
    return readItems(this, itemNames, read, rule);
  }

  /** This element's own text value (for list items such as `<member>Bucket</member>`). */
  value(rule: StringRule = {}): string {
    this.textRead = true;
    return checkString(textOf(this.element, this.path), this.path, rule);
  }

  /**
   * Rejects unread child elements, and text in an element whose text was not read (a container, or an element
   * that must be empty). Called automatically after each callback.
   */
  finish(): void {
    if (!this.textRead && this.element.text !== "") {
      throw malformedXml(`Element ${this.path} must not contain text.`);
    }
    for (const c of this.element.children) {
      if (!this.consumed.has(c.name)) throw malformedXml(`Unknown element ${this.path}/${c.name}.`);
    }
  }

  /** Rejects text in an element that must be empty or hold only elements. */
  requireNoText(): void {
    if (this.element.text !== "") throw malformedXml(`Element ${this.path} must not contain text.`);
  }

  private single(name: string): XmlElement | undefined {
    this.consumed.add(name);
    let found: XmlElement | undefined;
    for (const c of this.element.children) {
      if (c.name !== name) continue;
      if (found !== undefined) throw malformedXml(`Element ${this.path}/${name} appears more than once.`);
      found = c;
    }
    return found;
  }
}

/** Reads a whole document whose root must be `rootName`. */
export function readDocument<T>(root: XmlElement, rootName: string, read: (r: XmlReader) => T): T {
  if (root.name !== rootName) {
    throw malformedXml(`The root element must be ${rootName}, not ${root.name}.`);
  }
  return withReader(root, rootName, read);
}

function withReader<T>(el: XmlElement, path: string, read: (r: XmlReader) => T): T {
  const reader = new XmlReader(el, path);
  const result = read(reader);
  reader.finish();
  return result;
}

function readItems<T>(
  container: XmlReader,
  itemNames: string | readonly string[],
  read: (item: XmlReader) => T,
  rule: ListRule,
): T[] {
  const names: readonly string[] = typeof itemNames === "string" ? [itemNames] : itemNames;
  container.requireNoText();
  for (const c of container.element.children) {
    if (!names.includes(c.name)) throw malformedXml(`Unknown element ${container.path}/${c.name}.`);
  }
  const results = container.eachChild(read);
  const error = rule.error ?? defaultValueError;
  if (rule.min !== undefined && results.length < rule.min) {
    throw error(`${container.path} must hold at least ${rule.min} item(s).`);
  }
  if (rule.max !== undefined && results.length > rule.max) {
    throw error(`${container.path} may hold at most ${rule.max} item(s), not ${results.length}.`);
  }
  return results;
}

function textOf(el: XmlElement, path: string): string {
  if (el.children.length > 0) throw malformedXml(`Element ${path} must hold a value, not child elements.`);
  return el.text;
}

function checkString(value: string, path: string, rule: StringRule): string {
  const error = rule.error ?? defaultValueError;
  const bytes = rule.unit !== "chars";
  const length = bytes ? Buffer.byteLength(value, "utf8") : [...value].length;
  const unit = bytes ? "bytes" : "characters";
  if (rule.min !== undefined && length < rule.min) {
    throw error(
      rule.min === 1 && length === 0
        ? `${path} must not be empty.`
        : `${path} must be at least ${rule.min} ${unit} long.`,
    );
  }
  if (rule.max !== undefined && length > rule.max) {
    throw error(`${path} must be at most ${rule.max} ${unit} long.`);
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    throw error(`${path} ${rule.patternHint ?? "has an invalid format"}: "${clip(value)}".`);
  }
  return value;
}

/**
 * Decimal integers only: optional leading zeros, no sign other than `-` for negative ranges, no fraction, no
 * exponent, no hex, no whitespace inside. Out of range or unparsable gives the same error.
 */
export function parseIntInRange(value: string, rule: IntRule, path: string): number {
  const error = rule.error ?? defaultValueError;
  const message = `${path} must be an integer between ${rule.min} and ${rule.max}, not "${clip(value)}".`;
  const m = /^(-?)0*(\d{1,16})$/.exec(value);
  if (m === null || (m[1] === "-" && rule.min >= 0)) throw error(message);
  const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  if (!Number.isSafeInteger(n) || n < rule.min || n > rule.max) throw error(message);
  return n === 0 ? 0 : n;
}

/** Shortens a client value for an error message. */
function clip(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}...` : value;
}
