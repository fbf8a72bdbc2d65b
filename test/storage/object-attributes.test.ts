/**
 * S3's attribute rules (object-attributes.ts): valid tag sets, ACLs and storage classes, and how tags, ACLs and
 * metadata merge.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkAcl,
  checkStorageClass,
  checkTags,
  compactAcl,
  mergeAcl,
  mergeMetadata,
  mergeTags,
} from "../../src/storage/object-attributes.js";
import { thrownCode } from "./helpers.js";

describe("attribute rules", () => {
  it("checks tag sets as S3 does", () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    assert.equal(checkTags(ten), ten);
    assert.equal(
      thrownCode(() => checkTags([...ten, { key: "x", value: "" }])),
      "BadRequest",
    );
    assert.equal(
      thrownCode(() => checkTags([{ key: "", value: "v" }])),
      "InvalidTag",
    );
    assert.equal(
      thrownCode(() => checkTags([{ key: "k".repeat(129), value: "v" }])),
      "InvalidTag",
    );
    assert.equal(
      thrownCode(() => checkTags([{ key: "k", value: "v".repeat(257) }])),
      "InvalidTag",
    );
    assert.equal(
      thrownCode(() =>
        checkTags([
          { key: "k", value: "1" },
          { key: "k", value: "2" },
        ]),
      ),
      "InvalidTag",
    );
    assert.equal(
      thrownCode(() => checkTags([{ key: "k".repeat(128), value: "v".repeat(256) }])),
      undefined,
    );
  });

  it("checks canned ACLs, grants and storage-class names", () => {
    assert.equal(
      thrownCode(() => checkAcl({ canned: "public-read" })),
      undefined,
    );
    assert.equal(
      thrownCode(() => checkAcl({ canned: "default" })),
      undefined,
      "OSS's default",
    );
    assert.equal(
      thrownCode(() => checkAcl({ canned: "everyone" })),
      "InvalidArgument",
    );
    assert.equal(
      thrownCode(() => checkAcl({ grants: [{ granteeType: "id", identifier: "", permission: "READ" }] })),
      "InvalidArgument",
    );
    assert.equal(checkStorageClass("STANDARD_IA"), "STANDARD_IA");
    assert.equal(
      thrownCode(() => checkStorageClass("not a class")),
      "InvalidStorageClass",
    );
    assert.equal(
      thrownCode(() => checkStorageClass("")),
      "InvalidStorageClass",
    );
  });

  it("merges tags (the added one wins), ACLs (grants of both, the added canned ACL and owner win) and metadata", () => {
    assert.deepEqual(
      mergeTags(
        [
          { key: "a", value: "1" },
          { key: "b", value: "old" },
        ],
        [{ key: "b", value: "new" }],
      ),
      [
        { key: "a", value: "1" },
        { key: "b", value: "new" },
      ],
    );
    const read = { granteeType: "id", identifier: "r", permission: "READ" } as const;
    const full = { granteeType: "id", identifier: "f", permission: "FULL_CONTROL" } as const;
    assert.deepEqual(mergeAcl({ canned: "private", grants: [read], owner: { id: "o1" } }, { grants: [read, full] }), {
      canned: "private",
      grants: [read, full],
      owner: { id: "o1" },
    });
    assert.deepEqual(mergeAcl({ canned: "private" }, { canned: "public-read", owner: { id: "o2" } }), {
      canned: "public-read",
      owner: { id: "o2" },
    });
    assert.deepEqual(compactAcl({ grants: [] }), {});
    assert.deepEqual(
      mergeMetadata(
        { contentType: "text/plain", userMetadata: { a: "1" } },
        { cacheControl: "no-cache", userMetadata: { A: "2", b: "3" } },
      ),
      { contentType: "text/plain", cacheControl: "no-cache", userMetadata: { a: "2", b: "3" } },
    );
    const base = { contentType: "x/y" };
    assert.equal(mergeMetadata(base, undefined), base);
  });
});
