/**
 * Inline chunk tasks: what the preparer encodes is exactly what the chunk reader gets back, and the chunker
 * cuts chunks of chunkSize with consecutive record numbers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeInlineTasks,
  InlineChunker,
  inlineTask,
  invalidInlineTask,
  parseInlineTasks,
} from "../../src/manifest/inline-tasks.js";

describe("inline tasks", () => {
  it("round-trips any key and version id, and invalid records as failed rows", () => {
    const odd = 'a,b "c"\n\r\u0000✓/%20+';
    const text = encodeInlineTasks([
      inlineTask("b", odd),
      inlineTask("b", "k", "null"),
      inlineTask("b", "k", 'v,"1"'),
      invalidInlineTask("b", "bad%ZZ", "InvalidManifestRecord", "not URL encoding"),
    ]);
    assert.deepEqual(parseInlineTasks(text), [
      { task: { bucket: "b", key: odd } },
      { task: { bucket: "b", key: "k", versionId: "null" } },
      { task: { bucket: "b", key: "k", versionId: 'v,"1"' } },
      {
        task: { bucket: "b", key: "bad%ZZ", versionId: undefined },
        invalid: { status: "failed", httpStatus: 400, errorCode: "InvalidManifestRecord", message: "not URL encoding" },
      },
    ]);
  });

  it("refuses text that is not an inline chunk", () => {
    assert.throws(() => parseInlineTasks('{"a":1}'));
  });

  it("cuts chunks of chunkSize and flushes by size or count", () => {
    const chunker = new InlineChunker(3, 1_000_000, 2);
    for (let i = 0; i < 7; i++) {
      chunker.add(inlineTask("b", `k${i}`));
      if (i === 2) assert.equal(chunker.shouldFlush, false);
    }
    assert.equal(chunker.shouldFlush, true, "two chunks are ready");
    const first = chunker.take();
    chunker.end();
    const rest = chunker.take();
    const all = [...first, ...rest];
    assert.deepEqual(
      all.map((c) => [c.seq, c.firstRecord, c.records]),
      [
        [0, 0, 3],
        [1, 3, 3],
        [2, 6, 1],
      ],
    );
    assert.deepEqual(
      all.flatMap((c) => parseInlineTasks(c.tasks).map((r) => r.task.key)),
      ["k0", "k1", "k2", "k3", "k4", "k5", "k6"],
    );
    assert.equal(chunker.total, 7);
    assert.equal(chunker.chunks, 3);
  });
});
