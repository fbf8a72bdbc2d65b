/**
 * What an operation may ask the storage to write on an object (src/api/dialects/shared/object-values.ts): values
 * that become HTTP headers carry no control characters (tab aside, as HTTP allows it), metadata keys are header
 * tokens, an object tag is a key of 1-128 bytes and a value of up to 256, a list names a key once (optionally
 * without case), user metadata holds at most 2 KiB, and canonical objects carry no undefined members.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  dropUndefined,
  HEADER_SAFE,
  HEADER_TOKEN,
  MAX_OBJECT_TAGS,
  MAX_USER_METADATA_BYTES,
  NO_CONTROL,
  readObjectTag,
  rejectDuplicateKeys,
  requireUserMetadataWithinLimit,
} from "../../../../src/api/dialects/shared/object-values.js";
import { escapeXmlText } from "../../../../src/api/xml/build.js";
import { parseXmlDocument } from "../../../../src/api/xml/parse.js";
import { readDocument } from "../../../../src/api/xml/read.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const readTag = (key: string, value: string) =>
  readDocument(
    parseXmlDocument(`<Tag><Key>${escapeXmlText(key)}</Key><Value>${escapeXmlText(value)}</Value></Tag>`),
    "Tag",
    readObjectTag,
  );

describe("header-safe values and header tokens", () => {
  it("HEADER_SAFE refuses every control character but tab, so nothing can start a new header line", () => {
    for (const ok of ["", "plain", "a\tb", "é 🙂", "a:b;c=d"])
      assert.equal(HEADER_SAFE.test(ok), true, JSON.stringify(ok));
    for (const bad of ["a\r\nSet-Cookie: x", "a\nb", "a\rb", "a\u0000b", "a\u001fb", "a\u007fb", "\u0008"]) {
      assert.equal(HEADER_SAFE.test(bad), false, JSON.stringify(bad));
    }
    assert.equal(NO_CONTROL.pattern, HEADER_SAFE);
  });

  it("HEADER_TOKEN is the HTTP token grammar", () => {
    for (const ok of ["x-meta", "Content-Type", "a!#$%&'*+.^_`|~9"]) assert.equal(HEADER_TOKEN.test(ok), true, ok);
    for (const bad of ["", "a b", "a:b", "a/b", "é", "a\tb", "(a)", "a,b"])
      assert.equal(HEADER_TOKEN.test(bad), false, bad);
  });
});

describe("readObjectTag", () => {
  it("reads a key of 1-128 bytes and a value of up to 256, which may be empty (an object holds at most 10)", () => {
    assert.equal(MAX_OBJECT_TAGS, 10);
    assert.deepEqual(readTag("project", "x"), { key: "project", value: "x" });
    assert.deepEqual(readTag("k", ""), { key: "k", value: "" });
    assert.deepEqual(readTag("é".repeat(64), "é".repeat(128)), { key: "é".repeat(64), value: "é".repeat(128) });
    assert.deepEqual(readTag("a\tb", "../../etc/passwd"), { key: "a\tb", value: "../../etc/passwd" });
  });

  it("refuses an empty or too long key, a too long value, and a missing part", () => {
    assertDomainError(() => readTag("", "v"), "InvalidArgument", "Tag/Key must not be empty.");
    assertDomainError(
      () => readTag(`${"é".repeat(64)}x`, "v"),
      "InvalidArgument",
      "Tag/Key must be at most 128 bytes long.",
    );
    assertDomainError(
      () => readTag("k", `${"é".repeat(128)}x`),
      "InvalidArgument",
      "Tag/Value must be at most 256 bytes long.",
    );
    assertDomainError(
      () => readDocument(parseXmlDocument("<Tag><Key>k</Key></Tag>"), "Tag", readObjectTag),
      "InvalidArgument",
      "Missing required element Tag/Value.",
    );
  });

  it("refuses control characters that would become header lines", () => {
    assertDomainError(
      () => readTag("k", "a\nSet-Cookie: x"),
      "InvalidArgument",
      /^Tag\/Value must not contain control characters: "/,
    );
    assertDomainError(
      () => readTag("a\rb", "v"),
      "InvalidArgument",
      /^Tag\/Key must not contain control characters: "/,
    );
    assertDomainError(
      () => readTag("k", "a\u007f"),
      "InvalidArgument",
      /^Tag\/Value must not contain control characters/,
    );
  });
});

describe("rejectDuplicateKeys", () => {
  it("refuses a key named twice, with case unless told to ignore it", () => {
    const tags = [
      { key: "A", value: "1" },
      { key: "a", value: "2" },
    ];
    rejectDuplicateKeys(tags, "Tags");
    assertDomainError(
      () => rejectDuplicateKeys(tags, "UserMetadata", true),
      "InvalidArgument",
      'UserMetadata has the key "a" more than once.',
    );
    assertDomainError(
      () => rejectDuplicateKeys([...tags, { key: "A", value: "3" }], "Tags"),
      "InvalidArgument",
      'Tags has the key "A" more than once.',
    );
    rejectDuplicateKeys([], "Tags");
  });
});

describe("requireUserMetadataWithinLimit", () => {
  it("counts keys and values in bytes, allowing exactly 2048", () => {
    assert.equal(MAX_USER_METADATA_BYTES, 2048);
    requireUserMetadataWithinLimit([], "M");
    requireUserMetadataWithinLimit([{ key: "k".repeat(1024), value: "v".repeat(1024) }], "M");
    requireUserMetadataWithinLimit(
      [
        { key: "a", value: "é".repeat(511) },
        { key: "b", value: "é".repeat(512) },
      ],
      "M",
    );
    assertDomainError(
      () =>
        requireUserMetadataWithinLimit(
          [{ key: "k".repeat(1024), value: `${"v".repeat(1023)}é` }],
          "Operation/UserMetadata",
        ),
      "InvalidArgument",
      "Operation/UserMetadata may hold at most 2048 bytes in all.",
    );
  });
});

describe("dropUndefined", () => {
  it("drops undefined members only, keeping null, 0, false and the empty string", () => {
    assert.deepEqual(dropUndefined({ a: 1, b: undefined, c: null, d: 0, e: "", f: false }), {
      a: 1,
      c: null,
      d: 0,
      e: "",
      f: false,
    });
    assert.equal("b" in dropUndefined({ a: 1, b: undefined }), false);
  });
});
