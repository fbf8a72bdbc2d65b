/**
 * The rest-xml shapes S3 Control bodies are made of (src/api/dialects/s3control/xml-shapes.ts): lists whose items
 * may be named anything, read with their count limits; value and enumeration lists; tag lists (AWS's tag pattern
 * and lengths in characters, unique keys); maps read as entry/key/value or as member/Key/Value, never mixed, with
 * unique keys (optionally without case); and the same shapes written, always with `member` and `entry`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clip,
  map,
  readEnumList,
  readList,
  readMap,
  readTagList,
  readValueList,
  rejectDuplicateKeys,
  TAG_PATTERN,
  tagList,
  valueList,
} from "../../../../src/api/dialects/s3control/xml-shapes.js";
import { toXml } from "../../../../src/api/xml/build.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { readDocument, type XmlReader } from "../../../../src/api/xml/read.js";
import { invalidRequest } from "../../../../src/domain/errors.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const read = <T>(xml: string, fn: (r: XmlReader) => T): T => readDocument(parseXmlDocument(xml), "R", fn);
const write = (node: Parameters<typeof toXml>[0]) => toXml(node, { declaration: false });
const tag = (key: string, value: string) => `<member><Key>${key}</Key><Value>${value}</Value></member>`;

describe("readList and readValueList", () => {
  it("reads items under any name, in document order; an empty list is empty and an absent one undefined", () => {
    assert.deepEqual(
      read("<R><L><member>a</member><S3Tag>b</S3Tag><item>c</item></L></R>", (r) => readValueList(r, "L")),
      ["a", "b", "c"],
    );
    assert.deepEqual(
      read("<R><L/></R>", (r) => readValueList(r, "L")),
      [],
    );
    assert.equal(
      read("<R/>", (r) => readValueList(r, "L")),
      undefined,
    );
  });

  it("checks the item count, with the caller's error when given", () => {
    assertDomainError(
      () => read("<R><L/></R>", (r) => readValueList(r, "L", {}, { min: 1 })),
      "InvalidArgument",
      "R/L must hold at least 1 item(s).",
    );
    assertDomainError(
      () => read("<R><L><m>1</m><m>2</m><m>3</m></L></R>", (r) => readList(r, "L", (i) => i.value(), { max: 2 })),
      "InvalidArgument",
      "R/L may hold at most 2 item(s), not 3.",
    );
    assertDomainError(
      () => read("<R><L/></R>", (r) => readList(r, "L", (i) => i.value(), { min: 1, error: invalidRequest })),
      "InvalidRequest",
      "R/L must hold at least 1 item(s).",
    );
  });

  it("checks each value against the value rule, naming the item", () => {
    assertDomainError(
      () => read("<R><L><member></member></L></R>", (r) => readValueList(r, "L", { min: 1 })),
      "InvalidArgument",
      "R/L/member must not be empty.",
    );
  });

  it("refuses text beside the items, a repeated list and an item that holds elements", () => {
    assertDomainError(
      () => read("<R><L>text</L></R>", (r) => readValueList(r, "L")),
      "MalformedXML",
      "Element R/L must not contain text.",
    );
    assertDomainError(
      () => read("<R><L><m>a</m>text</L></R>", (r) => readValueList(r, "L")),
      "MalformedXML",
      "Element R/L must not contain text.",
    );
    assertDomainError(
      () => read("<R><L/><L/></R>", (r) => readValueList(r, "L")),
      "MalformedXML",
      "Element R/L appears more than once.",
    );
    assertDomainError(
      () => read("<R><L><m><x/></m></L></R>", (r) => readValueList(r, "L")),
      "MalformedXML",
      "Element R/L/m must hold a value, not child elements.",
    );
  });
});

describe("readEnumList", () => {
  it("reads the allowed words and refuses any other, naming the choices", () => {
    assert.deepEqual(
      read("<R><L><member>A</member><member>B</member></L></R>", (r) => readEnumList(r, "L", ["A", "B"])),
      ["A", "B"],
    );
    assertDomainError(
      () => read("<R><L><member>a</member></L></R>", (r) => readEnumList(r, "L", ["A", "B"])),
      "InvalidArgument",
      'R/L/member must be one of A, B, not "a".',
    );
    assertDomainError(
      () => read(`<R><L><member>${"Z".repeat(100)}</member></L></R>`, (r) => readEnumList(r, "L", ["A"])),
      "InvalidArgument",
      `R/L/member must be one of A, not "${"Z".repeat(64)}...".`,
    );
    assertDomainError(
      () => read("<R><L><m>A</m><m>A</m></L></R>", (r) => readEnumList(r, "L", ["A"], { max: 1 })),
      "InvalidArgument",
      "R/L may hold at most 1 item(s), not 2.",
    );
  });
});

describe("readTagList", () => {
  it("reads Key/Value pairs; a value may be empty", () => {
    assert.deepEqual(
      read(`<R><Tags>${tag("project", "x")}${tag("empty", "")}</Tags></R>`, (r) => readTagList(r, "Tags")),
      [
        { key: "project", value: "x" },
        { key: "empty", value: "" },
      ],
    );
  });

  it("accepts AWS's tag characters in any script, and counts lengths in characters (128 a key, 256 a value)", () => {
    const key = "日本 語_.:/=+-@1";
    assert.deepEqual(
      read(`<R><T>${tag(key, "v")}</T></R>`, (r) => readTagList(r, "T")),
      [{ key, value: "v" }],
    );
    assert.equal(read(`<R><T>${tag("é".repeat(128), "é".repeat(256))}</T></R>`, (r) => readTagList(r, "T"))?.length, 1);
    assertDomainError(
      () => read(`<R><T>${tag("é".repeat(129), "v")}</T></R>`, (r) => readTagList(r, "T")),
      "InvalidArgument",
      "R/T/member/Key must be at most 128 characters long.",
    );
    assertDomainError(
      () => read(`<R><T>${tag("k", "é".repeat(257))}</T></R>`, (r) => readTagList(r, "T")),
      "InvalidArgument",
      "R/T/member/Value must be at most 256 characters long.",
    );
    assertDomainError(
      () => read(`<R><T>${tag("abc", "xyz")}</T></R>`, (r) => readTagList(r, "T", { keyMax: 2, valueMax: 2 })),
      "InvalidArgument",
      "R/T/member/Key must be at most 2 characters long.",
    );
  });

  it("refuses characters outside the pattern, an empty key and a missing part", () => {
    for (const key of ["a&lt;b", "a;b", "a&#10;b", "a*b", "../../etc/passwd?"]) {
      assertDomainError(
        () => read(`<R><T>${tag(key, "v")}</T></R>`, (r) => readTagList(r, "T")),
        "InvalidArgument",
        /^R\/T\/member\/Key may hold only letters, digits, spaces and _ \. : \/ = \+ - @: "/,
      );
    }
    assertDomainError(
      () => read(`<R><T>${tag("k", "a\tb")}</T></R>`, (r) => readTagList(r, "T")),
      "InvalidArgument",
      /^R\/T\/member\/Value may hold only/,
    );
    assertDomainError(
      () => read(`<R><T>${tag("", "v")}</T></R>`, (r) => readTagList(r, "T")),
      "InvalidArgument",
      "R/T/member/Key must not be empty.",
    );
    assertDomainError(
      () => read("<R><T><member><Key>k</Key></member></T></R>", (r) => readTagList(r, "T")),
      "InvalidArgument",
      "Missing required element R/T/member/Value.",
    );
    assertDomainError(
      () => read("<R><T><member><Key>k</Key><Value>v</Value><Extra/></member></T></R>", (r) => readTagList(r, "T")),
      "MalformedXML",
      "Unknown element R/T/member/Extra.",
    );
  });

  it("refuses a key given twice (case counts) and checks the count", () => {
    assertDomainError(
      () => read(`<R><T>${tag("k", "1")}${tag("k", "2")}</T></R>`, (r) => readTagList(r, "T")),
      "InvalidArgument",
      'R/T has the key "k" more than once.',
    );
    assert.equal(read(`<R><T>${tag("k", "1")}${tag("K", "2")}</T></R>`, (r) => readTagList(r, "T"))?.length, 2);
    assertDomainError(
      () => read(`<R><T>${tag("a", "1")}${tag("b", "2")}</T></R>`, (r) => readTagList(r, "T", { max: 1 })),
      "InvalidArgument",
      "R/T may hold at most 1 item(s), not 2.",
    );
    assertDomainError(
      () => read("<R><T/></R>", (r) => readTagList(r, "T", { min: 1 })),
      "InvalidArgument",
      "R/T must hold at least 1 item(s).",
    );
  });

  it("TAG_PATTERN allows the empty string, letters, digits and spaces of any script, and the listed signs only", () => {
    for (const ok of ["", "a b", "a\u00a0b", "Ünïcödé", "٣", "_.:/=+-@"]) assert.equal(TAG_PATTERN.test(ok), true, ok);
    for (const bad of ["a\tb", "a<b", "a,b", "a#b", "a%b", "a\\b"]) assert.equal(TAG_PATTERN.test(bad), false, bad);
  });
});

describe("readMap", () => {
  const rule = { key: { min: 1, max: 8 }, value: { max: 16 } };

  it("reads entry/key/value and, as COS writes them, member/Key/Value pairs, in document order", () => {
    assert.deepEqual(
      read(
        "<R><M><entry><key>a</key><value>1</value></entry><member><Key>b</Key><Value>2</Value></member></M></R>",
        (r) => readMap(r, "M", rule),
      ),
      [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
    );
    assert.equal(
      read("<R/>", (r) => readMap(r, "M", rule)),
      undefined,
    );
  });

  it("refuses an item that mixes the two spellings, and one missing its key", () => {
    assertDomainError(
      () => read("<R><M><entry><key>a</key><Value>1</Value></entry></M></R>", (r) => readMap(r, "M", rule)),
      "MalformedXML",
      "R/M/entry mixes key/value and Key/Value.",
    );
    assertDomainError(
      () => read("<R><M><entry><value>1</value></entry></M></R>", (r) => readMap(r, "M", rule)),
      "InvalidArgument",
      "Missing required element R/M/entry/key.",
    );
  });

  it("checks keys and values with the rule, and the count", () => {
    assertDomainError(
      () => read("<R><M><entry><key>toolongkey</key><value>1</value></entry></M></R>", (r) => readMap(r, "M", rule)),
      "InvalidArgument",
      "R/M/entry/key must be at most 8 bytes long.",
    );
    assertDomainError(
      () =>
        read("<R><M><entry><key>a</key><value>1</value></entry></M></R>", (r) => readMap(r, "M", { ...rule, min: 2 })),
      "InvalidArgument",
      "R/M must hold at least 2 item(s).",
    );
  });

  it("refuses a key given twice, and with caseInsensitive also one given twice in different case", () => {
    const twice =
      "<R><M><entry><key>A</key><value>1</value></entry><entry><key>a</key><value>2</value></entry></M></R>";
    assert.equal(read(twice, (r) => readMap(r, "M", rule))?.length, 2);
    assertDomainError(
      () => read(twice, (r) => readMap(r, "M", { ...rule, caseInsensitive: true })),
      "InvalidArgument",
      'R/M has the key "a" more than once.',
    );
  });
});

describe("rejectDuplicateKeys and clip", () => {
  it("names the first key seen twice, clipped to 64 characters", () => {
    const key = "k".repeat(100);
    assertDomainError(
      () =>
        rejectDuplicateKeys(
          [
            { key, value: "1" },
            { key, value: "2" },
          ],
          "P",
        ),
      "InvalidArgument",
      `P has the key "${"k".repeat(64)}..." more than once.`,
    );
    rejectDuplicateKeys([], "P");
    assert.equal(clip("x".repeat(64)), "x".repeat(64));
  });
});

describe("writing the shapes", () => {
  it("writes lists with member items, tags as Key/Value and maps as entry/key/value, escaped", () => {
    assert.equal(
      write(valueList("Fields", ["Bucket", "Key"])),
      "<Fields><member>Bucket</member><member>Key</member></Fields>",
    );
    assert.equal(write(valueList("Fields", [])), "<Fields></Fields>");
    assert.equal(
      write(tagList("Tags", [{ key: "a&b", value: "<v>" }])),
      "<Tags><member><Key>a&amp;b</Key><Value>&lt;v&gt;</Value></member></Tags>",
    );
    assert.equal(
      write(map("UserArguments", [{ key: "k", value: "v" }])),
      "<UserArguments><entry><key>k</key><value>v</value></entry></UserArguments>",
    );
  });

  it("reads back what it writes", () => {
    const tags = [
      { key: "a", value: "1" },
      { key: "b", value: "" },
    ];
    const xml = `<R>${write(tagList("T", tags))}${write(map("M", tags))}${write(valueList("L", ["x", "y"]))}</R>`;
    assert.deepEqual(
      read(xml, (r) => ({
        tags: readTagList(r, "T"),
        map: readMap(r, "M", { key: {}, value: {} }),
        list: readValueList(r, "L"),
      })),
      { tags, map: tags, list: ["x", "y"] },
    );
  });
});
