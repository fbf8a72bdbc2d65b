/**
 * The columns of a CSV manifest (src/api/dialects/shared/manifest-fields.ts), checked the same way in every
 * dialect: each is Ignore, Bucket, Key or VersionId (exactly, with case); Bucket and Key exactly once each,
 * VersionId at most once, at most 16 columns; and a CSV manifest must name them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkCsvManifestFields,
  isManifestField,
  MANIFEST_FIELDS,
  MAX_MANIFEST_COLUMNS,
  readManifestFieldItem,
} from "../../../../src/api/dialects/shared/manifest-fields.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { readDocument } from "../../../../src/api/xml/read.js";
import type { ManifestField } from "../../../../src/domain/job.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const PATH = "CreateJobRequest/Manifest/Spec/Fields";
const readFields = (xml: string) =>
  readDocument(parseXmlDocument(`<Fields>${xml}</Fields>`), "Fields", (f) => f.items("member", readManifestFieldItem));
const ignore = (n: number): ManifestField[] => Array.from({ length: n }, () => "Ignore");

describe("manifest field names", () => {
  it("are Ignore, Bucket, Key and VersionId, exactly", () => {
    assert.deepEqual(MANIFEST_FIELDS, ["Ignore", "Bucket", "Key", "VersionId"]);
    for (const name of MANIFEST_FIELDS) assert.equal(isManifestField(name), true);
    for (const name of ["key", "KEY", "Version", "", " Key", "constructor", "__proto__"]) {
      assert.equal(isManifestField(name), false, name);
    }
  });

  it("reads each <member> item, refusing any other word with the choices", () => {
    assert.deepEqual(readFields("<member>Bucket</member><member>Key</member><member>VersionId</member>"), [
      "Bucket",
      "Key",
      "VersionId",
    ]);
    // The XML reader trims whitespace around a value.
    assert.deepEqual(readFields("<member> Key </member>"), ["Key"]);
    for (const word of ["bucket", "Size", "", "../../etc/passwd"]) {
      assertDomainError(
        () => readFields(`<member>${word}</member>`),
        "InvalidArgument",
        `Fields/member must be one of Ignore, Bucket, Key, VersionId, not "${word}".`,
      );
    }
    assertDomainError(
      () => readFields(`<member>${"x".repeat(100)}</member>`),
      "InvalidArgument",
      `Fields/member must be one of Ignore, Bucket, Key, VersionId, not "${"x".repeat(64)}".`,
    );
  });
});

describe("checkCsvManifestFields", () => {
  it("accepts Bucket and Key once each in any order, with VersionId at most once and Ignore columns", () => {
    for (const fields of [
      ["Bucket", "Key"],
      ["Key", "Bucket"],
      ["Ignore", "Bucket", "Ignore", "Key", "VersionId"],
      ["Bucket", "Key", ...ignore(MAX_MANIFEST_COLUMNS - 2)],
    ] as ManifestField[][]) {
      assert.doesNotThrow(() => checkCsvManifestFields(fields, PATH), fields.join());
    }
  });

  it("requires the list, naming its path", () => {
    assertDomainError(
      () => checkCsvManifestFields(undefined, PATH),
      "InvalidArgument",
      `Missing required element ${PATH} for a CSV manifest.`,
    );
  });

  it("refuses a list without Bucket or Key, or that names one twice, or VersionId twice", () => {
    for (const fields of [
      [],
      ["Bucket"],
      ["Key", "VersionId"],
      ["Bucket", "Bucket", "Key"],
      ["Bucket", "Key", "Key"],
      ["Bucket", "Key", "VersionId", "VersionId"],
      ignore(3),
    ] as ManifestField[][]) {
      assertDomainError(
        () => checkCsvManifestFields(fields, PATH),
        "InvalidArgument",
        `${PATH} must name Bucket and Key exactly once each, and VersionId at most once.`,
      );
    }
  });

  it("refuses more than 16 columns", () => {
    assert.equal(MAX_MANIFEST_COLUMNS, 16);
    assertDomainError(
      () => checkCsvManifestFields(["Bucket", "Key", ...ignore(MAX_MANIFEST_COLUMNS - 1)], PATH),
      "InvalidArgument",
      `${PATH} may name at most 16 columns.`,
    );
  });
});
