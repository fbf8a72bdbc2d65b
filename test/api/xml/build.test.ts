/**
 * toXml (build.ts): building XML answers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { el, escapeXmlText, leaf, optLeaf, toXml } from "../../../src/api/xml/build.js";
import { parseXmlDocument, type XmlElement } from "../../../src/api/xml/parse.js";

const child = (e: XmlElement, name: string): XmlElement => e.children.find((c) => c.name === name)!;

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
