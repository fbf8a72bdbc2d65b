/**
 * A small XML writer for responses. Documents are built as plain trees (`el`, `leaf`) and serialised with
 * the declaration `<?xml version="1.0" encoding="UTF-8"?>`. Text is escaped so that whatever a client or
 * another dialect stored comes back as well-formed XML: `& < > " '` become entities, `\r` becomes `&#13;` (so it
 * survives a parser's line-end normalisation), and characters XML 1.0 cannot carry at all become U+FFFD.
 */

export interface XmlNode {
  readonly name: string;
  /** A leaf's text. A node has either text or children. */
  readonly text?: string;
  readonly children?: readonly XmlNode[];
}

/** Children may be left out with `undefined`, `null` or `false`, so optional parts read naturally inline. */
export type XmlChild = XmlNode | undefined | null | false | readonly XmlChild[];

export type XmlValue = string | number | boolean;

/** A container element; nested arrays of children are flattened. */
export function el(name: string, ...children: XmlChild[]): XmlNode {
  const flat: XmlNode[] = [];
  const add = (c: XmlChild): void => {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) {
      for (const x of c as readonly XmlChild[]) add(x);
      return;
    }
    flat.push(c as XmlNode);
  };
  for (const c of children) add(c);
  return { name, children: flat };
}

/** A value element. Numbers must be finite; booleans print as `true`/`false`. */
export function leaf(name: string, value: XmlValue): XmlNode {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(`cannot write non-finite number in <${name}>`);
  }
  return { name, text: String(value) };
}

/** A value element, or nothing when the value is undefined. */
export function optLeaf(name: string, value: XmlValue | undefined | null): XmlNode | undefined {
  return value === undefined || value === null ? undefined : leaf(name, value);
}

export interface ToXmlOptions {
  /** Write the `<?xml ...?>` declaration. Default true. */
  readonly declaration?: boolean;
  /** A default namespace declared on the root element (`<Root xmlns="...">`). */
  readonly xmlns?: string;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Serialises without indentation (whitespace between elements would be text to strict parsers). */
export function toXml(root: XmlNode, options: ToXmlOptions = {}): string {
  const head = options.declaration !== false ? XML_DECLARATION : "";
  return head + write(root, options.xmlns);
}

// Concatenation, not an array joined at the end: V8 builds a rope and flattens it once, and a ListJobs page of 100
// jobs is about 1,500 elements.
function write(node: XmlNode, xmlns?: string): string {
  const name = checkName(node.name);
  let out = xmlns === undefined ? `<${name}>` : `<${name} xmlns="${escapeXmlText(xmlns)}">`;
  if (node.text !== undefined) out += escapeXmlText(node.text);
  else if (node.children !== undefined) for (const c of node.children) out += write(c);
  return `${out}</${name}>`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** The names already checked: they come from code, so there are a few hundred at most. */
const CHECKED_NAMES: Record<string, true> = Object.create(null);

function checkName(name: string): string {
  if (CHECKED_NAMES[name] === true) return name;
  // Element names come from code, never from clients; a bad one is a programming error.
  if (!NAME.test(name)) throw new Error(`invalid XML element name: ${JSON.stringify(name)}`);
  CHECKED_NAMES[name] = true;
  return name;
}

const UNREPRESENTABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\r": "&#13;",
};

/** Any character the two replacements below would change: most values (ids, numbers, statuses) have none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NEEDS_ESCAPING = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Escapes text for use as element content or attribute value. */
export function escapeXmlText(value: string): string {
  if (!NEEDS_ESCAPING.test(value)) return value;
  return value.replace(UNREPRESENTABLE, "\uFFFD").replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}
