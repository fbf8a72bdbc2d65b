/**
 * Grants and owners in CreateJob bodies (src/api/dialects/shared/acl.ts), read the same way by COS and S3 Control
 * with the dialect's GrantRules: which TypeIdentifier spellings mean which grantee type (their order shows in the
 * error), and the shortest DisplayName (COS 0, AWS 1). Identifier and ID are 1-1024 bytes, DisplayName at most 1024,
 * Permission one of the five S3 permissions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GRANT_PERMISSIONS, type GrantRules, readGrant, readOwner } from "../../../../src/api/dialects/shared/acl.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { readDocument, type XmlReader } from "../../../../src/api/xml/read.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const LENIENT: GrantRules = { granteeTypes: { ID: "id", EmailAddress: "emailAddress", URI: "uri" }, displayNameMin: 0 };
const STRICT: GrantRules = { granteeTypes: { id: "id", emailAddress: "emailAddress", uri: "uri" }, displayNameMin: 1 };

const read = <T>(xml: string, fn: (r: XmlReader) => T): T => readDocument(parseXmlDocument(xml), "Grant", fn);
const grant = (grantee: string, permission = "READ") =>
  `<Grant><Grantee>${grantee}</Grantee><Permission>${permission}</Permission></Grant>`;

describe("readGrant", () => {
  it("maps the dialect's grantee type spellings to the canonical type", () => {
    for (const [spelling, type] of [
      ["ID", "id"],
      ["EmailAddress", "emailAddress"],
      ["URI", "uri"],
    ] as const) {
      assert.deepEqual(
        read(grant(`<TypeIdentifier>${spelling}</TypeIdentifier><Identifier>x</Identifier>`), (g) =>
          readGrant(g, LENIENT),
        ),
        { granteeType: type, identifier: "x", permission: "READ" },
      );
    }
  });

  it("keeps a DisplayName when given, and leaves it out (not undefined) when not", () => {
    const withName = read(
      grant(
        "<TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier><DisplayName>Ann</DisplayName>",
        "FULL_CONTROL",
      ),
      (g) => readGrant(g, LENIENT),
    );
    assert.deepEqual(withName, { granteeType: "id", identifier: "x", displayName: "Ann", permission: "FULL_CONTROL" });
    const without = read(grant("<TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier>"), (g) =>
      readGrant(g, LENIENT),
    );
    assert.equal("displayName" in without, false);
  });

  it("accepts an empty DisplayName only where the rules allow it", () => {
    const xml = grant("<TypeIdentifier>id</TypeIdentifier><Identifier>x</Identifier><DisplayName></DisplayName>");
    assert.equal(read(xml, (g) => readGrant(g, { ...STRICT, displayNameMin: 0 })).displayName, "");
    assertDomainError(
      () => read(xml, (g) => readGrant(g, STRICT)),
      "InvalidArgument",
      "Grant/Grantee/DisplayName must not be empty.",
    );
  });

  it("refuses another grantee type spelling, listing the dialect's in its order", () => {
    for (const spelling of ["Group", "id", "CanonicalUser", "constructor", "__proto__", "toString"]) {
      assertDomainError(
        () =>
          read(grant(`<TypeIdentifier>${spelling}</TypeIdentifier><Identifier>x</Identifier>`), (g) =>
            readGrant(g, LENIENT),
          ),
        "InvalidArgument",
        `Grant/Grantee/TypeIdentifier must be one of ID, EmailAddress, URI, not "${spelling}".`,
      );
    }
  });

  it("reads every S3 permission and refuses any other word", () => {
    assert.deepEqual(GRANT_PERMISSIONS, ["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"]);
    for (const permission of GRANT_PERMISSIONS) {
      const g = read(grant("<TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier>", permission), (r) =>
        readGrant(r, LENIENT),
      );
      assert.equal(g.permission, permission);
    }
    assertDomainError(
      () =>
        read(grant("<TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier>", "read"), (g) =>
          readGrant(g, LENIENT),
        ),
      "InvalidArgument",
      'Grant/Permission must be one of FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP, not "read".',
    );
  });

  it("refuses a missing Grantee, TypeIdentifier, Identifier or Permission, and unknown elements", () => {
    assertDomainError(
      () => read("<Grant><Permission>READ</Permission></Grant>", (g) => readGrant(g, LENIENT)),
      "InvalidArgument",
      "Missing required element Grant/Grantee.",
    );
    assertDomainError(
      () => read(grant("<Identifier>x</Identifier>"), (g) => readGrant(g, LENIENT)),
      "InvalidArgument",
      "Missing required element Grant/Grantee/TypeIdentifier.",
    );
    assertDomainError(
      () => read(grant("<TypeIdentifier>ID</TypeIdentifier>"), (g) => readGrant(g, LENIENT)),
      "InvalidArgument",
      "Missing required element Grant/Grantee/Identifier.",
    );
    assertDomainError(
      () =>
        read("<Grant><Grantee><TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier></Grantee></Grant>", (g) =>
          readGrant(g, LENIENT),
        ),
      "InvalidArgument",
      "Missing required element Grant/Permission.",
    );
    assertDomainError(
      () =>
        read(grant("<TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier><Type>y</Type>"), (g) =>
          readGrant(g, LENIENT),
        ),
      "MalformedXML",
      "Unknown element Grant/Grantee/Type.",
    );
  });

  it("takes Identifier and DisplayName of 1-1024 bytes and no more", () => {
    const id = "é".repeat(512);
    assert.equal(
      read(
        grant(`<TypeIdentifier>ID</TypeIdentifier><Identifier>${id}</Identifier><DisplayName>${id}</DisplayName>`),
        (g) => readGrant(g, LENIENT),
      ).identifier,
      id,
    );
    assertDomainError(
      () =>
        read(grant(`<TypeIdentifier>ID</TypeIdentifier><Identifier>${id}x</Identifier>`), (g) => readGrant(g, LENIENT)),
      "InvalidArgument",
      "Grant/Grantee/Identifier must be at most 1024 bytes long.",
    );
    assertDomainError(
      () => read(grant("<TypeIdentifier>ID</TypeIdentifier><Identifier></Identifier>"), (g) => readGrant(g, LENIENT)),
      "InvalidArgument",
      "Grant/Grantee/Identifier must not be empty.",
    );
    assertDomainError(
      () =>
        read(
          grant(`<TypeIdentifier>ID</TypeIdentifier><Identifier>x</Identifier><DisplayName>${id}x</DisplayName>`),
          (g) => readGrant(g, LENIENT),
        ),
      "InvalidArgument",
      "Grant/Grantee/DisplayName must be at most 1024 bytes long.",
    );
  });
});

describe("readOwner", () => {
  const owner = (inner: string) => `<Grant>${inner}</Grant>`;

  it("reads ID and an optional DisplayName", () => {
    assert.deepEqual(
      read(owner("<ID>o</ID>"), (w) => readOwner(w, STRICT)),
      { id: "o" },
    );
    assert.deepEqual(
      read(owner("<DisplayName>Ann</DisplayName><ID>o</ID>"), (w) => readOwner(w, STRICT)),
      {
        id: "o",
        displayName: "Ann",
      },
    );
  });

  it("applies the rules' shortest DisplayName, and refuses a missing, empty or too long ID", () => {
    assert.equal(read(owner("<ID>o</ID><DisplayName></DisplayName>"), (w) => readOwner(w, LENIENT)).displayName, "");
    assertDomainError(
      () => read(owner("<ID>o</ID><DisplayName></DisplayName>"), (w) => readOwner(w, STRICT)),
      "InvalidArgument",
      "Grant/DisplayName must not be empty.",
    );
    assertDomainError(
      () => read(owner(""), (w) => readOwner(w, STRICT)),
      "InvalidArgument",
      "Missing required element Grant/ID.",
    );
    assertDomainError(
      () => read(owner("<ID></ID>"), (w) => readOwner(w, STRICT)),
      "InvalidArgument",
      "Grant/ID must not be empty.",
    );
    assertDomainError(
      () => read(owner(`<ID>${"o".repeat(1025)}</ID>`), (w) => readOwner(w, STRICT)),
      "InvalidArgument",
      "Grant/ID must be at most 1024 bytes long.",
    );
  });
});
