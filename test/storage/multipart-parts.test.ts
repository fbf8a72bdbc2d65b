/**
 * S3's rules for the parts of a multipart upload (multipart-parts.ts), checked alike by every backend.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkCompletedParts, checkPartNumber, isPartNumber } from "../../src/storage/multipart-parts.js";
import { thrownCode } from "./helpers.js";

describe("multipart parts", () => {
  it("numbers parts with integers from 1 to 10,000", () => {
    for (const n of [1, 500, 10_000]) assert.equal(isPartNumber(n), true, String(n));
    for (const n of [0, -1, 10_001, 1.5, Number.NaN]) {
      assert.equal(isPartNumber(n), false, String(n));
      assert.equal(
        thrownCode(() => checkPartNumber(n)),
        "InvalidArgument",
        String(n),
      );
    }
  });

  it("completes with at least one part, in strictly ascending order (gaps allowed)", () => {
    const part = (partNumber: number) => ({ partNumber, etag: '"e"' });
    assert.equal(
      thrownCode(() => checkCompletedParts([part(1), part(3), part(7)])),
      undefined,
    );
    assert.equal(
      thrownCode(() => checkCompletedParts([])),
      "MalformedXML",
    );
    assert.equal(
      thrownCode(() => checkCompletedParts([part(2), part(1)])),
      "InvalidPartOrder",
    );
    assert.equal(
      thrownCode(() => checkCompletedParts([part(1), part(1)])),
      "InvalidPartOrder",
    );
  });
});
