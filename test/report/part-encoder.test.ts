/**
 * report/part-encoder.ts: a part's rows become exactly their UTF-8 bytes, in order, in one buffer that is reused
 * from part to part and dropped when the flush ends.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PartEncoder } from "../../src/report/part-encoder.js";

async function* rowsOf(texts: readonly string[]) {
  yield* texts;
}

describe("PartEncoder", () => {
  it("joins the rows' UTF-8 bytes in order", async () => {
    const rows = ["b,k1,,succeeded,200,,Successful\n", "b,ключ ✓ 🪣,,failed,404,NoSuchKey,gone\n", "", "b,k3\n"];
    const body = await new PartEncoder().encode(rowsOf(rows));
    assert.deepEqual(body, Buffer.from(rows.join(""), "utf8"));
  });

  it("grows past its expected size when rows hold multi-byte characters", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `b,${"é".repeat(i)},€\n`);
    const chars = rows.reduce((n, r) => n + r.length, 0);
    const encoder = new PartEncoder();
    const body = await encoder.encode(rowsOf(rows), chars);
    assert.ok(body.length > chars, "the rows take more bytes than characters");
    assert.deepEqual(body, Buffer.from(rows.join(""), "utf8"));
  });

  it("reuses its buffer for the next part and gives back only that part's bytes", async () => {
    const encoder = new PartEncoder();
    const first = await encoder.encode(rowsOf(["x".repeat(10_000)]), 10_000);
    const held = encoder.capacity;
    assert.ok(held >= 10_000);
    assert.equal(first.length, 10_000);
    const second = await encoder.encode(rowsOf(["short\n"]), 6);
    assert.equal(second.toString(), "short\n");
    assert.equal(encoder.capacity, held, "no new buffer for a part that fits");
    assert.equal(second.buffer, first.buffer, "the same memory");
  });

  it("holds nothing after release, and encodes again afterwards", async () => {
    const encoder = new PartEncoder();
    await encoder.encode(rowsOf(["a".repeat(4096)]), 4096);
    encoder.release();
    assert.equal(encoder.capacity, 0);
    assert.equal((await encoder.encode(rowsOf(["again\n"]))).toString(), "again\n");
  });

  it("encodes an empty run as an empty body", async () => {
    assert.equal((await new PartEncoder().encode(rowsOf([]), 0)).length, 0);
  });
});
