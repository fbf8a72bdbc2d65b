/**
 * XmlReader (read.ts): reading elements of a parsed document with the checks every codec relies on.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseXmlDocument } from "../../../src/api/xml/parse.js";
import { readDocument, type XmlReader } from "../../../src/api/xml/read.js";
import { invalidRequest } from "../../../src/domain/errors.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";

const read = <T>(xml: string, fn: (r: XmlReader) => T): T => readDocument(parseXmlDocument(xml), "R", fn);
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
