/**
 * storage/read-bounded.ts: a small body is read whole; one past the limit is cut off, never held whole, and its
 * stream is destroyed.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { readBounded } from "../../src/storage/read-bounded.js";

const pieces = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));

describe("readBounded", () => {
  it("gives the whole body while it stays within the limit, the limit included", async () => {
    assert.equal((await readBounded(pieces("ab", "cd", "e"), 5))?.toString(), "abcde");
    assert.equal((await readBounded(pieces(), 5))?.length, 0);
  });

  it("gives nothing once the body passes the limit, and stops reading there", async () => {
    let pulled = 0;
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 100; i++) {
          pulled++;
          yield Buffer.from("0123456789");
        }
      })(),
    );
    assert.equal(await readBounded(stream, 25), undefined);
    assert.ok(pulled < 100, `read ${pulled} pieces of 100`);
    assert.equal(stream.destroyed, true);
  });
});
