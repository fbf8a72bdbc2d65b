/**
 * Archive storage classes and restore requests (archive.ts), as every backend reads them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ARCHIVE_STORAGE_CLASSES, restoreDays, restoreTier } from "../../src/storage/archive.js";

const invalid = (f: () => unknown) =>
  assert.throws(f, (e: unknown) => (e as { code?: string }).code === "InvalidArgument");

describe("archive classes and restore requests", () => {
  it("knows S3's, COS's and OSS's archive classes, and no class whose objects can be read at once", () => {
    const s3 = ["GLACIER", "DEEP_ARCHIVE"];
    const cosAndOss = ["ARCHIVE", "COLD_ARCHIVE", "DeepColdArchive", "ColdArchive"];
    for (const c of [...s3, ...cosAndOss]) assert.ok(ARCHIVE_STORAGE_CLASSES.has(c), c);
    for (const c of ["STANDARD", "STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING", "glacier"]) {
      assert.ok(!ARCHIVE_STORAGE_CLASSES.has(c), c);
    }
  });

  it("reads the tier in any letter case, Standard by default, and refuses others", () => {
    assert.equal(restoreTier({}), "Standard");
    assert.equal(restoreTier({ tier: "bulk" }), "Bulk");
    assert.equal(restoreTier({ tier: "EXPEDITED" }), "Expedited");
    invalid(() => restoreTier({ tier: "Fast" }));
  });

  it("reads the days, 1 by default, a positive integer up to the backend's limit", () => {
    assert.equal(restoreDays({}), 1);
    assert.equal(restoreDays({ days: 30 }), 30);
    assert.equal(restoreDays({ days: 100_000 }), 100_000);
    assert.equal(restoreDays({ days: 10 }, 10), 10);
    invalid(() => restoreDays({ days: 11 }, 10));
    for (const days of [0, -1, 1.5, Number.NaN]) invalid(() => restoreDays({ days }));
  });
});
