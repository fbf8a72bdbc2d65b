/**
 * The source preconditions of a copy (copy-preconditions.ts), checked against the source as its HEAD shows it:
 * If-Modified-Since, If-Unmodified-Since and If-Match, each failing with 412 PreconditionFailed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkCopyPreconditions,
  checkIfMatch,
  checkModifiedSince,
  hasCopyPreconditions,
} from "../../src/storage/copy-preconditions.js";

const source = { bucket: "b", key: "k", lastModified: new Date("2025-01-01T00:00:00Z"), etag: '"abc"' };
const failsWith412 = (f: () => void) =>
  assert.throws(
    f,
    (e: unknown) =>
      (e as { code?: string }).code === "PreconditionFailed" && (e as { httpStatus?: number }).httpStatus === 412,
  );

describe("copy preconditions", () => {
  it("knows whether a copy has any", () => {
    assert.equal(hasCopyPreconditions({}), false);
    assert.equal(hasCopyPreconditions({ ifMatch: "*" }), true);
    assert.equal(hasCopyPreconditions({ ifModifiedSince: new Date() }), true);
    assert.equal(hasCopyPreconditions({ ifUnmodifiedSince: new Date() }), true);
  });

  it("If-Modified-Since holds only for a source modified after the instant", () => {
    checkModifiedSince(source, { ifModifiedSince: new Date("2024-12-31T23:59:59Z") });
    failsWith412(() => checkModifiedSince(source, { ifModifiedSince: source.lastModified }));
    failsWith412(() => checkModifiedSince(source, { ifModifiedSince: new Date("2025-02-01T00:00:00Z") }));
  });

  it("If-Unmodified-Since holds for a source not modified after the instant", () => {
    checkModifiedSince(source, { ifUnmodifiedSince: source.lastModified });
    failsWith412(() => checkModifiedSince(source, { ifUnmodifiedSince: new Date("2024-12-31T00:00:00Z") }));
  });

  it("If-Match holds for the source's ETag (quotes optional), *, or a list holding it", () => {
    for (const ifMatch of ["abc", '"abc"', "*", '"x", "abc"']) checkIfMatch(source, source.etag, { ifMatch });
    failsWith412(() => checkIfMatch(source, source.etag, { ifMatch: '"x"' }));
    checkIfMatch(source, source.etag, {});
  });

  it("checks all of them together, saying which one failed", () => {
    checkCopyPreconditions(source, { ifMatch: "abc", ifUnmodifiedSince: source.lastModified });
    assert.throws(
      () => checkCopyPreconditions(source, { ifMatch: '"x"' }),
      (e: unknown) => /If-Match "x" \(the source's ETag is "abc"\)/.test((e as Error).message),
    );
  });
});
