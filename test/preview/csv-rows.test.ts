/**
 * readCsvRows streams a manifest into the rows the engine's runner would decode from it (parseChunk over the
 * whole manifest), whatever the stream's buffer boundaries, with the line each record starts on.
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import type { ManifestField } from "../../src/domain/job.js";
import type { TaskRow } from "../../src/domain/task.js";
import { parseChunk } from "../../src/manifest/csv-manifest.js";
import { readCsvRows } from "../../src/preview/csv-rows.js";

const FIELDS: readonly ManifestField[] = ["Bucket", "Key", "VersionId"];

const MANIFEST = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from(
    [
      "b,a.txt,v1",
      "",
      '"b","quoted,key",v2',
      "  ",
      '"b","multi',
      'line",v3',
      "b,only-two",
      "b,%E2%82%AC+sign,v4\r",
      "b,,v5",
      'b,a"b,v6',
      "b,last,",
    ].join("\n"),
  ),
]);

function pieces(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function read(stream: Readable, shouldStop = () => false) {
  const rows: { row: TaskRow; line: number }[] = [];
  const outcome = await readCsvRows(stream, FIELDS, (row, line) => rows.push({ row, line }), shouldStop);
  return { rows, outcome };
}

describe("readCsvRows", () => {
  it("gives the rows the engine decodes, with their lines, for any buffer size", async () => {
    const expected = parseChunk(MANIFEST, FIELDS, 0);
    assert.equal(expected.length, 8);
    for (const size of [1, 2, 3, 5, 7, 16, MANIFEST.length]) {
      const { rows, outcome } = await read(pieces(MANIFEST, size));
      assert.deepEqual(outcome, { records: 8, complete: true }, `size ${size}`);
      assert.deepEqual(
        rows.map((r) => r.row),
        expected,
        `size ${size}`,
      );
      assert.deepEqual(
        rows.map((r) => r.line),
        [1, 3, 5, 7, 8, 9, 10, 11],
        `size ${size}`,
      );
    }
  });

  it("stops when asked, after a buffer, counting what it read", async () => {
    const lines = `${Array.from({ length: 100 }, (_, i) => `b,k${i},v`).join("\n")}\n`;
    const { rows, outcome } = await read(pieces(Buffer.from(lines), 64), () => true);
    assert.equal(outcome.complete, false);
    assert.equal(outcome.records, rows.length);
    assert.ok(rows.length > 0 && rows.length < 100);
    assert.deepEqual(
      rows.map((r) => r.line),
      rows.map((_, i) => i + 1),
    );
  });

  it("skips Google's header row: the rows after it, numbered by their lines, names as they are", async () => {
    const manifest = Buffer.from('project,bucket,name,generation\np,b,a+b%20c,\n\np,b,"x,y",7\np,b\n');
    for (const size of [1, 4, manifest.length]) {
      const rows: { row: TaskRow; line: number }[] = [];
      const outcome = await readCsvRows(
        pieces(manifest, size),
        ["Ignore", "Bucket", "Key", "VersionId"],
        (row, line) => rows.push({ row, line }),
        () => false,
        "GCS_BatchOperations_CSV",
      );
      assert.equal(outcome.records, 3, `buffers of ${size}`);
      assert.deepEqual(
        rows.map((r) => [r.line, r.row.task.key, r.row.task.versionId, r.row.invalid?.message]),
        [
          [2, "a+b%20c", undefined, undefined],
          [4, "x,y", "7", undefined],
          [5, "", undefined, "Manifest record 4: has 2 fields, expected 4"],
        ],
      );
    }
  });
});
