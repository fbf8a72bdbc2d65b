/**
 * The `<Operation>` element of a CreateJob request (src/api/dialects/shared/operation-element.ts): exactly one
 * operation element inside, handed to the dialect's reader; none, two, or text is MalformedXML naming what is there;
 * and missingElement, the InvalidArgument for a child required only in some cases.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { missingElement, parseSingleOperation } from "../../../../src/api/dialects/shared/operation-element.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { readDocument, type XmlReader } from "../../../../src/api/xml/read.js";
import { invalidArgument } from "../../../../src/domain/errors.js";
import type { Operation } from "../../../../src/domain/job.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const DELETE: Operation = { kind: "DeleteObject" };

/** Reads `<Operation>inner</Operation>` with a reader that knows only `<Delete/>`. */
function parse(inner: string, seen: string[] = []): Operation {
  return readDocument(parseXmlDocument(`<Operation>${inner}</Operation>`), "Operation", (r) =>
    parseSingleOperation(r, (o: XmlReader) => {
      seen.push(o.path);
      if (o.name !== "Delete") throw invalidArgument(`${o.path} is not an operation this dialect knows.`);
      return DELETE;
    }),
  );
}

describe("parseSingleOperation", () => {
  it("hands the one operation element to the dialect's reader and returns what it reads", () => {
    const seen: string[] = [];
    assert.equal(parse("<Delete/>", seen), DELETE);
    assert.deepEqual(seen, ["Operation/Delete"]);
    assert.equal(parse("\n  <Delete/>\n"), DELETE, "whitespace around it is no text");
  });

  it("refuses an empty Operation, or one with several operations, naming them", () => {
    assertDomainError(
      () => parse(""),
      "MalformedXML",
      "Operation must contain exactly one operation; it contains none.",
    );
    assertDomainError(
      () => parse("<Delete/><Copy/>"),
      "MalformedXML",
      "Operation must contain exactly one operation; it contains Delete, Copy.",
    );
    assertDomainError(
      () => parse("<Delete/><Delete/>"),
      "MalformedXML",
      "Operation must contain exactly one operation; it contains Delete, Delete.",
    );
  });

  it("refuses text in the Operation, before looking at what it holds", () => {
    assertDomainError(() => parse("Delete"), "MalformedXML", "Element Operation must not contain text.");
    assertDomainError(() => parse("x<Delete/>"), "MalformedXML", "Element Operation must not contain text.");
  });

  it("leaves an element it does not know to the dialect's reader, and an operation's own unknown children to the XML reader", () => {
    assertDomainError(
      () => parse("<Evil/>"),
      "InvalidArgument",
      "Operation/Evil is not an operation this dialect knows.",
    );
    assertDomainError(
      () => parse("<Delete><Extra/></Delete>"),
      "MalformedXML",
      "Unknown element Operation/Delete/Extra.",
    );
  });
});

describe("missingElement", () => {
  it("throws InvalidArgument naming the missing child under the element's path", () => {
    assertDomainError(
      () =>
        readDocument(parseXmlDocument("<Operation><Copy/></Operation>"), "Operation", (r) =>
          r.requiredChild("Copy", (o) => missingElement(o, "TargetResource")),
        ),
      "InvalidArgument",
      "Missing required element Operation/Copy/TargetResource.",
    );
  });
});
