import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { el, escapeXmlText, leaf, optLeaf, toXml } from "../../src/api/xml/build.js";
import { parseXmlDocument, type XmlElement } from "../../src/api/xml/parse.js";
import { readDocument, type XmlReader } from "../../src/api/xml/read.js";
import { invalidRequest } from "../../src/domain/errors.js";
import { assertDomainError } from "./assert-domain-error.js";

const read = <T>(xml: string, fn: (r: XmlReader) => T): T => readDocument(parseXmlDocument(xml), "R", fn);
const child = (e: XmlElement, name: string): XmlElement => e.children.find((c) => c.name === name)!;

describe("parseXmlDocument", () => {
  it("keeps values as strings, trims them, and ignores declaration, attributes and comments", () => {
    const doc = parseXmlDocument(
      '<?xml version="1.0" encoding="UTF-8"?><!-- hi --><R xmlns="http://example.com/"><A>0010</A><B> true </B><C>1e3</C><D>   </D><E/></R>',
    );
    assert.equal(doc.name, "R");
    assert.deepEqual(
      doc.children.map((c) => [c.name, c.text]),
      [
        ["A", "0010"],
        ["B", "true"],
        ["C", "1e3"],
        ["D", ""],
        ["E", ""],
      ],
    );
  });

  it("decodes the five predefined entities and numeric references, after trimming", () => {
    const doc = parseXmlDocument(
      "<R><A>&lt;&gt;&amp;&quot;&apos;</A><B>&#65;&#x42;&#x1F600;</B><C>&#32;x&#32;</C></R>",
    );
    assert.equal(child(doc, "A").text, `<>&"'`);
    assert.equal(child(doc, "B").text, "AB\u{1F600}");
    assert.equal(child(doc, "C").text, " x ");
  });

  it("trims only XML whitespace, so no-break spaces and CDATA whitespace are content", () => {
    const doc = parseXmlDocument("<R><A>\u00A0x\u3000</A><B> <![CDATA[ y ]]> </B><C>\n\t z \n</C></R>");
    assert.equal(child(doc, "A").text, "\u00A0x\u3000");
    assert.equal(child(doc, "B").text, " y ");
    assert.equal(child(doc, "C").text, "z");
  });

  it("keeps CDATA literal", () => {
    const doc = parseXmlDocument("<R><A><![CDATA[a&amp;<b> <!DOCTYPE x>]]></A></R>");
    assert.equal(child(doc, "A").text, "a&amp;<b> <!DOCTYPE x>");
  });

  it("accepts bytes with a UTF-8 BOM and CRLF line ends", () => {
    const doc = parseXmlDocument(Buffer.from("\uFEFF<R>\r\n<A>é\r\nx</A></R>", "utf8"));
    assert.equal(child(doc, "A").text, "é\nx");
  });

  const attacks: Record<string, string | Uint8Array> = {
    "billion laughs": `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><R>&lol3;</R>`,
    "external entity": `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><R>&xxe;</R>`,
    "DOCTYPE after a comment": "<!-- x --><!DOCTYPE R><R/>",
    "lowercase doctype": "<!doctype R><R/>",
    "bare ENTITY declaration": '<!ENTITY x "y"><R/>',
    "undefined entity": "<R>&xxe;</R>",
    "HTML entity": "<R>&nbsp;</R>",
    "unescaped ampersand": "<R>a & b</R>",
    "numeric reference to NUL": "<R>&#0;</R>",
    "numeric reference to a surrogate": "<R>&#xD800;</R>",
    "numeric reference beyond Unicode": "<R>&#x110000;</R>",
    "unclosed tag": "<R><A>1</R>",
    "unclosed root": "<R><A>1</A>",
    "mismatched tags": "<R><A></B></R>",
    "two roots": "<R/><R/>",
    "text outside the root": "<R/>junk",
    "empty document": "   ",
    "no element": "just text",
    "control character": "<R>\u0001</R>",
    "unterminated comment": "<R/><!-- x",
    "unterminated CDATA": "<R><![CDATA[x</R>",
    "duplicate attribute": '<R a="1" a="2"/>',
    "prototype-polluting name": "<__proto__><polluted>1</polluted></__proto__>",
    "invalid UTF-8": Uint8Array.from([0x3c, 0x52, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x52, 0x3e]),
    "lone surrogate": "<R>\uD800</R>",
    "deep nesting": `${"<a>".repeat(10000)}${"</a>".repeat(10000)}`,
    "text after a self-closing root": "<R/>junk<!-- c -->",
    "a declaration that is not first": '<R/><?xml version="1.0"?>',
    "a wrapper-named second root": "<R/></objbatch-document><objbatch-document>",
    "moderately deep nesting": `${"<a>".repeat(40)}${"</a>".repeat(40)}`,
  };
  for (const [name, xml] of Object.entries(attacks)) {
    it(`rejects ${name} with MalformedXML`, () => {
      assertDomainError(() => parseXmlDocument(xml), "MalformedXML");
    });
  }

  it("names declarations in its message", () => {
    assertDomainError(() => parseXmlDocument(attacks["billion laughs"] as string), "MalformedXML", /DOCTYPE/);
  });

  it("handles a large flat document", () => {
    const doc = parseXmlDocument(`<R>${"<m>x</m>".repeat(100_000)}</R>`);
    assert.equal(doc.children.length, 100_000);
  });
});

describe("XmlReader", () => {
  it("reads strings, ints, booleans and enums regardless of element order", () => {
    const v = read("<R><E>b</E><B>false</B><I>0042</I><S>hello</S></R>", (r) => ({
      s: r.requiredString("S", { min: 1, max: 5 }),
      i: r.requiredInt("I", { min: 0, max: 100 }),
      b: r.optionalBoolean("B"),
      e: r.requiredEnum("E", ["a", "b"]),
      missing: r.optionalString("M"),
    }));
    assert.deepEqual(v, { s: "hello", i: 42, b: false, e: "b", missing: undefined });
  });

  it("rejects unknown elements, naming them", () => {
    assertDomainError(
      () => read("<R><Priorty>1</Priorty></R>", (r) => r.optionalInt("Priority", { min: 0, max: 9 })),
      "MalformedXML",
      /R\/Priorty/,
    );
  });

  it("rejects repeated elements", () => {
    assertDomainError(
      () => read("<R><A>1</A><A>2</A></R>", (r) => r.optionalString("A")),
      "MalformedXML",
      /R\/A appears more than once/,
    );
  });

  it("rejects missing required elements as InvalidArgument naming the path", () => {
    assertDomainError(
      () => read("<R/>", (r) => r.requiredString("A")),
      "InvalidArgument",
      "Missing required element R/A.",
    );
  });

  it("checks lengths in bytes", () => {
    assertDomainError(
      () => read("<R><A>ééé</A></R>", (r) => r.requiredString("A", { max: 5 })),
      "InvalidArgument",
      /R\/A must be at most 5 bytes/,
    );
    assertDomainError(
      () => read("<R><A>  </A></R>", (r) => r.requiredString("A", { min: 1 })),
      "InvalidArgument",
      /R\/A must not be empty/,
    );
    assert.equal(
      read("<R><A>ééé</A></R>", (r) => r.requiredString("A", { max: 3, unit: "chars" })),
      "ééé",
    );
  });

  for (const bad of ["10.5", "-1", "2147483648", "1e3", "0x10", "+1", "", "１", "99999999999999999999", "- 1", "1 2"]) {
    it(`rejects the integer "${bad}"`, () => {
      assertDomainError(
        () => read(`<R><I>${bad}</I></R>`, (r) => r.requiredInt("I", { min: 0, max: 2147483647 })),
        "InvalidArgument",
        /R\/I must be an integer between 0 and 2147483647/,
      );
    });
  }

  it("accepts the integer bounds", () => {
    assert.equal(
      read("<R><I>2147483647</I></R>", (r) => r.requiredInt("I", { min: 0, max: 2147483647 })),
      2147483647,
    );
    assert.equal(
      read("<R><I>0</I></R>", (r) => r.requiredInt("I", { min: 0, max: 2147483647 })),
      0,
    );
    assert.equal(
      read("<R><I>-5</I></R>", (r) => r.requiredInt("I", { min: -10, max: 10 })),
      -5,
    );
  });

  for (const bad of ["True", "FALSE", "1", "0", "yes", ""]) {
    it(`rejects the boolean "${bad}"`, () => {
      assertDomainError(
        () => read(`<R><B>${bad}</B></R>`, (r) => r.optionalBoolean("B")),
        "InvalidArgument",
        /R\/B must be true or false/,
      );
    });
  }

  it("rejects enum values outside the set, case-sensitively", () => {
    assertDomainError(
      () => read("<R><E>bulk</E></R>", (r) => r.requiredEnum("E", ["Bulk", "Standard"])),
      "InvalidArgument",
      /R\/E must be one of Bulk, Standard/,
    );
  });

  it("lets a read override the error", () => {
    const error = () => invalidRequest("Priority must be an integer between 0 and 2147483647.");
    assertDomainError(
      () => read("<R><P>x</P></R>", (r) => r.requiredInt("P", { min: 0, max: 1, error })),
      "InvalidRequest",
      "Priority must be an integer between 0 and 2147483647.",
    );
    assertDomainError(() => read("<R/>", (r) => r.requiredInt("P", { min: 0, max: 1, error })), "InvalidRequest");
  });

  it("reads lists of one and of many items the same way", () => {
    const one = read("<R><L><member>a</member></L></R>", (r) => r.list("L", "member", (m) => m.value()));
    const many = read("<R><L><member>a</member><member>b</member><member>c</member></L></R>", (r) =>
      r.list("L", "member", (m) => m.value()),
    );
    const empty = read("<R><L/></R>", (r) => r.list("L", "member", (m) => m.value()));
    const absent = read("<R/>", (r) => r.list("L", "member", (m) => m.value()));
    assert.deepEqual([one, many, empty, absent], [["a"], ["a", "b", "c"], [], undefined]);
  });

  it("reads structured list items and rejects foreign items", () => {
    const tags = read("<R><T><Tag><K>a</K><V>1</V></Tag><Tag><V>2</V><K>b</K></Tag></T></R>", (r) =>
      r.list("T", "Tag", (t) => `${t.requiredString("K")}=${t.requiredString("V")}`),
    );
    assert.deepEqual(tags, ["a=1", "b=2"]);
    assertDomainError(
      () => read("<R><T><Tag/><Tga/></T></R>", (r) => r.list("T", "Tag", () => 1)),
      "MalformedXML",
      /R\/T\/Tga/,
    );
    assertDomainError(
      () => read("<R><T><Tag><K>a</K><X/></Tag></T></R>", (r) => r.list("T", "Tag", (t) => t.requiredString("K"))),
      "MalformedXML",
      /R\/T\/Tag\/X/,
    );
    assertDomainError(
      () => read("<R><T><Tag/><Tag/><Tag/></T></R>", (r) => r.list("T", "Tag", () => 1, { max: 2 })),
      "InvalidArgument",
      /at most 2/,
    );
  });

  it("rejects child elements where a value is expected and text where elements are expected", () => {
    assertDomainError(
      () => read("<R><A><B>1</B></A></R>", (r) => r.optionalString("A")),
      "MalformedXML",
      /R\/A must hold a value/,
    );
    assertDomainError(
      () => read("<R>text<A>1</A></R>", (r) => r.optionalString("A")),
      "MalformedXML",
      /Element R must not contain text/,
    );
    assertDomainError(
      () => read("<R><L>x<member>a</member></L></R>", (r) => r.list("L", "member", (m) => m.value())),
      "MalformedXML",
    );
  });

  it("checks the root element name", () => {
    assertDomainError(
      () => readDocument(parseXmlDocument("<X/>"), "R", () => 1),
      "MalformedXML",
      /root element must be R/,
    );
  });
});

describe("toXml", () => {
  it("writes the declaration, skips absent children, and escapes text", () => {
    const xml = toXml(
      el("R", leaf("A", `<&>"'`), optLeaf("B", undefined), leaf("N", 42), leaf("T", true), false, [leaf("C", "x")]),
    );
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?><R><A>&lt;&amp;&gt;&quot;&apos;</A><N>42</N><T>true</T><C>x</C></R>',
    );
  });

  it("always produces XML its own parser reads back to the same text", () => {
    const nasty = "a\u0000b\r\nc\uD800d &amp; ]]> \u{1F600} \t";
    const doc = parseXmlDocument(toXml(el("R", leaf("A", nasty))));
    assert.equal(child(doc, "A").text, "a\uFFFDb\r\nc\uFFFDd &amp; ]]> \u{1F600}");
    assert.equal(escapeXmlText("\r"), "&#13;");
  });

  it("refuses element names that are not names", () => {
    assert.throws(() => toXml(el("a b")));
  });
});
