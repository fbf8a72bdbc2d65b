/** src/event-loop.ts: long work cut into slices, with the event loop turning between them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inSlices, SLICE_BYTES, yieldToEventLoop } from "../src/event-loop.js";

describe("inSlices", () => {
  it("hands over every byte once, in order, in slices of at most SLICE_BYTES", async () => {
    const bytes = Buffer.alloc(2 * SLICE_BYTES + 10);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
    const slices: Uint8Array[] = [];
    await inSlices(bytes, (slice) => slices.push(Buffer.from(slice)));
    assert.deepEqual(
      slices.map((s) => s.length),
      [SLICE_BYTES, SLICE_BYTES, 10],
    );
    assert.ok(Buffer.concat(slices).equals(bytes));
  });

  it("lets callbacks waiting on the event loop run between two slices, not during one", async () => {
    const order: string[] = [];
    let turns = 0;
    // A callback re-queued on every turn of the loop, as a request waiting to be answered would be.
    const tick = () => {
      order.push(`turn ${++turns}`);
      if (turns < 3) setImmediate(tick);
    };
    setImmediate(tick);
    await inSlices(Buffer.alloc(3 * SLICE_BYTES), () => order.push("slice"));
    assert.deepEqual(order, ["slice", "turn 1", "slice", "turn 2", "slice"]);
  });

  it("does nothing for no bytes, and one slice without yielding for a small buffer", async () => {
    let calls = 0;
    await inSlices(Buffer.alloc(0), () => calls++);
    assert.equal(calls, 0);
    const order: string[] = [];
    setImmediate(() => order.push("turn"));
    await inSlices(Buffer.alloc(10), () => order.push("slice"));
    order.push("done");
    assert.deepEqual(order, ["slice", "done"]);
    await yieldToEventLoop();
    assert.deepEqual(order, ["slice", "done", "turn"]);
  });
});
