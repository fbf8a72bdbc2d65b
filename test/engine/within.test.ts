/**
 * engine/within.ts: a graceful stop's wait, bounded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { within } from "../../src/engine/within.js";

describe("within", () => {
  it("is true when the work settles in time, rejected work included", async () => {
    assert.equal(await within(Promise.resolve("done"), 60_000), true);
    assert.equal(
      await within(
        Promise.reject(new Error("failed")).catch(() => undefined),
        60_000,
      ),
      true,
    );
  });

  it("is false when the time passes first", async () => {
    assert.equal(await within(new Promise(() => undefined), 5), false);
  });
});
