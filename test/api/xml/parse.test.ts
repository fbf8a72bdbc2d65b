/**
 * parseXmlDocument (parse.ts): XML parsing with DTDs and entities off.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseXmlDocument, type XmlElement } from "../../../src/api/xml/parse.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";

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
