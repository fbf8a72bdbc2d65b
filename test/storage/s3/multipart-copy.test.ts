/**
 * Multipart copy part planning (multipart-copy.ts): S3's 5 MiB minimum, 5 GiB maximum, 10,000 parts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GIB, MIB } from "../../../src/storage/s3/config.js";
import { planCopyParts } from "../../../src/storage/s3/multipart-copy.js";

describe("planCopyParts", () => {
  it("covers every byte once, in order, with parts of the preferred size and a shorter last one", () => {
    const parts = planCopyParts(12 * MIB + 123, 5 * MIB);
    assert.deepEqual(
      parts.map((p) => [p.partNumber, p.start, p.end]),
      [
        [1, 0, 5 * MIB - 1],
        [2, 5 * MIB, 10 * MIB - 1],
        [3, 10 * MIB, 12 * MIB + 122],
      ],
    );
  });

  it("never plans parts under 5 MiB (but the last) or over 5 GiB", () => {
    assert.equal(planCopyParts(20 * MIB, 1).length, 4, "a 1-byte preference is raised to 5 MiB");
    const huge = planCopyParts(6 * GIB, 10 * GIB);
    assert.equal(huge.length, 2);
    assert.equal(huge[0]!.end - huge[0]!.start + 1, 5 * GIB);
  });

  it("grows parts so that no object needs more than 10,000", () => {
    const size = 5 * 1024 * GIB; // 5 TiB, S3's largest object
    const parts = planCopyParts(size, 64 * MIB);
    assert.ok(parts.length <= 10_000, String(parts.length));
    assert.equal(parts.at(-1)!.end, size - 1);
    for (let i = 1; i < parts.length; i++) assert.equal(parts[i]!.start, parts[i - 1]!.end + 1);
  });

  it("plans one empty part for an empty object", () => {
    assert.deepEqual(planCopyParts(0, 5 * MIB), [{ partNumber: 1, start: 0, end: -1 }]);
  });
});
