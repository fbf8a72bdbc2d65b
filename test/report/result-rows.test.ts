/**
 * Results files read back row by row (report/result-rows.ts): every row report-row.ts writes comes back as the
 * task and result it was written from, with the offset where the next row starts, whatever the buffers' cuts
 * (quoted messages with commas, quotes and newlines, keys with any character); reading from an offset a row
 * starts at gives the rest; a row objbatch does not write is refused.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { failed, succeeded, type Task, type TaskResult } from "../../src/domain/task.js";
import { formatRow } from "../../src/report/report-row.js";
import { MalformedResultRow, readResultRows } from "../../src/report/result-rows.js";

const ROWS: { task: Task; result: TaskResult }[] = [
  { task: { bucket: "b", key: "plain/key.txt" }, result: succeeded() },
  { task: { bucket: "b", key: "a key, with comma+plus %25 ✓" }, result: failed(404, "NoSuchKey", 'The key, "x"') },
  {
    task: { bucket: "b", key: "v", versionId: "3/L4kqtJl" },
    result: failed(500, "InternalError", "line one\nline two\r\n"),
  },
  { task: { bucket: "b", key: "😀/\u00e9" }, result: succeeded("Done: 1,2") },
];
const TEXT = ROWS.map((r) => formatRow(r.task, r.result)).join("");

/** The text as a stream cut into pieces of `size` bytes. */
function pieces(text: string, size: number): Readable {
  const bytes = Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function collect(stream: Readable, from = 0) {
  const out = [];
  for await (const row of readResultRows(stream, from)) out.push(row);
  return out;
}

describe("results rows read back", () => {
  it("gives back every row as written, wherever the buffers are cut", async () => {
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      const rows = await collect(pieces(TEXT, size));
      assert.deepEqual(
        rows.map((r) => ({ task: r.task, result: r.result })),
        ROWS,
        `pieces of ${size}`,
      );
      assert.equal(rows.at(-1)?.next, Buffer.byteLength(TEXT));
    }
  });

  it("reads the rest from the offset a row starts at", async () => {
    const all = await collect(pieces(TEXT, 5));
    const from = all[1]?.next as number;
    const rest = await collect(pieces(Buffer.from(TEXT).subarray(from).toString("utf8"), 4), from);
    assert.deepEqual(rest, all.slice(2));
  });

  it("refuses a row objbatch does not write", async () => {
    for (const bad of ["b,k,,succeeded,200\n", "b,%E0%A4%A,,failed,404,NoSuchKey,x\n", "b,k,,maybe,200,,x\n"]) {
      await assert.rejects(collect(pieces(bad, 3)), MalformedResultRow, bad);
    }
  });
});
