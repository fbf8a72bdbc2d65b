import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isoSeconds } from "../../../../src/api/dialects/shared/iso-seconds.js";

/** What the shortcut must equal: toISOString with its milliseconds cut off. */
const reference = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

test("a job time to the second, UTC, with Z", () => {
  assert.equal(isoSeconds(new Date("2019-12-19T11:05:40.987Z")), "2019-12-19T11:05:40Z");
  assert.equal(isoSeconds(new Date("2026-01-02T03:04:05Z")), "2026-01-02T03:04:05Z");
});

test("years outside 1000-9999 are written as toISOString writes them", () => {
  for (const iso of [
    "0999-12-31T23:59:59.999Z",
    "0000-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "-000001-06-01T12:00:00Z",
  ]) {
    const d = new Date(iso);
    assert.equal(isoSeconds(d), reference(d));
  }
});

test("equals toISOString without milliseconds for any representable time", () => {
  fc.assert(
    fc.property(fc.date({ noInvalidDate: true }), (d) => {
      assert.equal(isoSeconds(d), reference(d));
    }),
    { numRuns: 2000 },
  );
});
