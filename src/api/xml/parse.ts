/**
 * Safe XML parsing for request bodies, shared by every dialect.
 *
 * fast-xml-parser does the tokenising; around it this module adds what a server that accepts XML from strangers
 * needs: no DOCTYPE or ENTITY declarations at all (so no entity expansion, no external entities), only the five
 * predefined entities and numeric character references are decoded, text stays text (no number or boolean
 * coercion), nesting is bounded, and every failure, whatever its origin, becomes a MalformedXML DomainError.
 *
 * Whitespace: text values lose XML whitespace (space, tab, line end; not other Unicode spaces) at both ends, so
 * `<Description>  </Description>` reads as the empty string. Trimming happens before entity decoding and does
 * not touch CDATA, so a client that needs leading or trailing spaces can send `&#32;` or a CDATA section.
 * Whitespace between child elements is ignored; any other text next to child elements is kept in `text` and
 * rejected by the reader (read.ts).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { isDomainError, malformedXml } from "../../domain/errors.js";

/** One element of a parsed document. Attributes (e.g. `xmlns`) are dropped: none of the APIs uses them. */
export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** The element's own text (character data and CDATA, entity-decoded), "" when it has none. */
  readonly text: string;
}

export interface ParseXmlOptions {
  /** Deepest element nesting accepted (the root is depth 1). Default 32. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 32;

/** Not a name any API uses; a client that sends it gets a document with two roots, which is rejected. */
const WRAPPER = "objbatch-document";

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

/** Characters XML 1.0 does not allow anywhere in a document, even escaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Parses `input` (bytes are decoded as strict UTF-8) into an element tree.
 * Throws DomainError("MalformedXML") for anything that is not one well-formed, declaration-free XML element.
 */
export function parseXmlDocument(input: string | Uint8Array, options: ParseXmlOptions = {}): XmlElement {
  try {
    return parseUnsafe(input, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  } catch (e) {
    if (isDomainError(e)) throw e;
    // fast-xml-parser throws plain Errors (and could in principle hit a RangeError); none of them is a 500.
    throw malformedXml(`The XML you provided was not well-formed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseUnsafe(input: string | Uint8Array, maxDepth: number): XmlElement {
  let text: string;
  if (typeof input === "string") {
    text = input.startsWith("\uFEFF") ? input.slice(1) : input;
    if (LONE_SURROGATE.test(text)) throw malformedXml("The XML you provided contains unpaired surrogate characters.");
  } else {
    try {
      text = utf8.decode(input);
    } catch {
      throw malformedXml("The XML you provided is not valid UTF-8.");
    }
  }
  // XML 1.0 section 2.11: line ends are normalised before parsing.
  text = text.replace(/\r\n?/g, "\n");
  if (text.trim() === "") throw malformedXml("The XML you provided is empty.");
  if (ILLEGAL_XML_CHARS.test(text)) throw malformedXml("The XML you provided contains characters XML does not allow.");
  rejectDeclarations(text);

  // The document is checked and parsed inside a wrapper element: fast-xml-parser's validator accepts text after
  // a self-closing root (`<R/>junk`), and inside a wrapper such text is an ordinary, detectable text node.
  const body = stripXmlDeclaration(text);
  if (/<\?xml[\s?]/i.test(body)) throw malformedXml("The XML declaration may only open the document.");
  const wrapped = `<${WRAPPER}>${body}</${WRAPPER}>`;
  const valid = XMLValidator.validate(wrapped, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line } = valid.err;
    throw malformedXml(`The XML you provided was not well-formed: ${msg} (line ${line})`);
  }

  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: true,
    parseTagValue: false,
    parseAttributeValue: false,
    // Trimming is done here, with XML's whitespace and before entity decoding (String.trim would also eat
    // no-break spaces, and would run after decoding, losing `&#32;`).
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    cdataPropName: "#cdata",
    commentPropName: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth + 1,
  });
  const top = parser.parse(wrapped) as OrderedNode[];
  if (top.length !== 1 || elementName(top[0]!) !== WRAPPER) {
    throw malformedXml("The XML you provided must contain exactly one root element.");
  }
  const nodes = (top[0]![WRAPPER] ?? []) as OrderedNode[];
  const roots = nodes.filter((n) => elementName(n) !== undefined);
  const strayText = nodes.some((n) => "#cdata" in n || ("#text" in n && !XML_BLANK.test(String(n["#text"]))));
  if (roots.length !== 1 || strayText) {
    throw malformedXml("The XML you provided must contain exactly one root element.");
  }
  return toElement(roots[0]!, 1, maxDepth);
}

/** The XML declaration may only open the document; it is dropped before wrapping. */
function stripXmlDeclaration(text: string): string {
  const trimmed = text.trimStart();
  if (!/^<\?xml[\s?]/.test(trimmed)) return text;
  const end = trimmed.indexOf("?>");
  if (end === -1) throw malformedXml("The XML you provided has an unterminated XML declaration.");
  return trimmed.slice(end + 2);
}

/**
 * DOCTYPE (and with it ENTITY, ELEMENT, ATTLIST) declarations are refused outright rather than "disabled":
 * no job API needs them, and refusing is the only behaviour that cannot be configured away by accident.
 * `<!` may legitimately start only a comment or a CDATA section; those are skipped so their contents are not
 * mistaken for declarations.
 */
function rejectDeclarations(text: string): void {
  let i = text.indexOf("<!");
  while (i !== -1) {
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end === -1) throw malformedXml("The XML you provided has an unterminated comment.");
      i = text.indexOf("<!", end + 3);
    } else if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i + 9);
      if (end === -1) throw malformedXml("The XML you provided has an unterminated CDATA section.");
      i = text.indexOf("<!", end + 3);
    } else {
      throw malformedXml("DOCTYPE and ENTITY declarations are not allowed.");
    }
  }
}

type OrderedNode = Record<string, unknown>;

function elementName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== "#text" && key !== "#cdata" && key !== ":@") return key;
  }
  return undefined;
}

function toElement(node: OrderedNode, depth: number, maxDepth: number): XmlElement {
  const name = elementName(node)!;
  if (depth > maxDepth) throw malformedXml(`The XML you provided is nested deeper than ${maxDepth} elements.`);
  const content = node[name];
  const children: XmlElement[] = [];
  let segments: TextSegment[] = [];
  if (Array.isArray(content)) {
    for (const child of content as OrderedNode[]) {
      if ("#text" in child) {
        segments.push({ value: String(child["#text"]), cdata: false });
      } else if ("#cdata" in child) {
        for (const part of child["#cdata"] as OrderedNode[])
          segments.push({ value: String(part["#text"] ?? ""), cdata: true });
      } else if (elementName(child) !== undefined) {
        children.push(toElement(child, depth + 1, maxDepth));
      }
    }
  }
  // Indentation between child elements is not content.
  if (children.length > 0) segments = segments.filter((s) => s.cdata || !XML_BLANK.test(s.value));
  return { name, children, text: joinText(segments) };
}

interface TextSegment {
  readonly value: string;
  /** CDATA is literal: not trimmed, not entity-decoded. */
  readonly cdata: boolean;
}

/** XML's own whitespace (not Unicode's: a no-break space is content). */
const XML_BLANK = /^[ \t\n]*$/;

function joinText(segments: readonly TextSegment[]): string {
  let text = "";
  segments.forEach((s, i) => {
    if (s.cdata) {
      text += s.value;
      return;
    }
    let raw = s.value;
    if (i === 0) raw = raw.replace(/^[ \t\n]+/, "");
    if (i === segments.length - 1) raw = raw.replace(/[ \t\n]+$/, "");
    text += decodeEntities(raw);
  });
  return text;
}

/** Decodes the five predefined entities and numeric character references; anything else is an error. */
export function decodeEntities(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s<]{0,32});?/g, (match, body: string) => {
    if (!match.endsWith(";")) throw malformedXml("The XML you provided has an unescaped '&'.");
    const named = PREDEFINED_ENTITIES[body];
    if (named !== undefined && Object.hasOwn(PREDEFINED_ENTITIES, body)) return named;
    let code: number;
    if (/^#x[0-9a-fA-F]{1,6}$/.test(body)) code = Number.parseInt(body.slice(2), 16);
    else if (/^#[0-9]{1,7}$/.test(body)) code = Number.parseInt(body.slice(1), 10);
    else throw malformedXml(`The XML you provided uses an undefined entity: ${match}`);
    if (!isXmlChar(code))
      throw malformedXml(`The XML you provided references a character XML does not allow: ${match}`);
    return String.fromCodePoint(code);
  });
}

/** XML 1.0 `Char` production. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
