import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseChunk } from "../../src/manifest/csv-manifest.js";
import { isManifestError } from "../../src/manifest/errors.js";
import { type ChunkPlan, planChunks, RecordScanner, scanChunks } from "../../src/manifest/record-scanner.js";

/** Splits `bytes` into stream pieces of the given sizes (cycled), as a real Readable. */
function streamOf(bytes: Buffer, sizes: readonly number[] = [bytes.length || 1]): Readable {
  const pieces: Buffer[] = [];
  let i = 0;
  let s = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes[s++ % sizes.length]);
    pieces.push(bytes.subarray(i, i + n));
    i += n;
  }
  return Readable.from(pieces, { objectMode: false });
}

async function plan(bytes: Buffer, perChunk: number, sizes?: readonly number[]) {
  const chunks: ChunkPlan[] = [];
  const summary = await planChunks(streamOf(bytes, sizes), perChunk, (c) => {
    chunks.push(c);
  });
  return { chunks, summary };
}

/**
 * The reference definition of records, one byte at a time: what RecordScanner must agree with.
 * Returns [start, end) of each non-blank record, end excluding the `\n`.
 */
function referenceRecords(bytes: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quoted
  let state = 0;
  const push = (end: number) => {
    let blank = true;
    for (let i = start; i < end; i++) if (![0x20, 0x09, 0x0d].includes(bytes[i])) blank = false;
    if (!blank) out.push([start, end]);
  };
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (state === 2) {
      if (c === 0x22) state = 3;
      continue;
    }
    if (state === 3 && c === 0x22) {
      state = 2;
      continue;
    }
    if (c === 0x0a) {
      push(i);
      start = i + 1;
      state = 0;
    } else if (c === 0x2c) state = 0;
    else if (c === 0x22 && state === 0) state = 2;
    else state = 1;
  }
  if (start < bytes.length) push(bytes.length);
  return out;
}

function scannedRecords(bytes: Buffer, sizes: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  const scanner = new RecordScanner((s, e) => out.push([s, e]), { skipBom: true });
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = Math.max(1, sizes[k++ % sizes.length]);
    scanner.push(bytes.subarray(i, i + n));
    i += n;
  }
  scanner.end();
  assert.equal(scanner.records, out.length);
  return out;
}

function checkChunks(bytes: Buffer, chunks: readonly ChunkPlan[], perChunk: number, total: number) {
  let at = 0;
  let first = 0;
  chunks.forEach((c, i) => {
    assert.equal(c.seq, i);
    assert.equal(c.startByte, at, `chunk ${i} starts where the previous ended`);
    assert.ok(c.endByte > c.startByte);
    assert.equal(c.firstRecord, first);
    if (i < chunks.length - 1) assert.equal(c.records, perChunk);
    else assert.ok(c.records >= 1 && c.records <= perChunk);
    // The chunk parser finds exactly the records the planner counted.
    assert.equal(
      parseChunk(bytes.subarray(c.startByte, c.endByte), ["Bucket", "Key"], c.firstRecord).length,
      c.records,
    );
    at = c.endByte;
    first += c.records;
  });
  assert.equal(first, total);
  // Whatever follows the last chunk is blank.
  assert.equal(parseChunk(bytes.subarray(at), ["Bucket", "Key"], total === 0 ? 0 : total).length, 0);
}

describe("planChunks", () => {
  it("cuts plain LF records into chunks of N", async () => {
    const bytes = Buffer.from("b,k1\nb,k2\nb,k3\nb,k4\nb,k5\n");
    const { chunks, summary } = await plan(bytes, 2);
    assert.deepEqual(chunks, [
      { seq: 0, startByte: 0, endByte: 10, firstRecord: 0, records: 2 },
      { seq: 1, startByte: 10, endByte: 20, firstRecord: 2, records: 2 },
      { seq: 2, startByte: 20, endByte: 25, firstRecord: 4, records: 1 },
    ]);
    assert.equal(summary.totalRecords, 5);
    assert.equal(summary.totalBytes, 25);
    assert.equal(summary.chunkCount, 3);
    assert.equal(summary.md5, createHash("md5").update(bytes).digest("hex"));
    assert.equal(summary.unterminatedQuote, false);
  });

  it("handles CRLF, a missing final newline and blank or whitespace-only lines", async () => {
    const text = "\r\nb,k1\r\n\r\n   \r\n\t\nb,k2\r\n \nb,k3";
    const bytes = Buffer.from(text);
    const { chunks, summary } = await plan(bytes, 2, [1]);
    assert.equal(summary.totalRecords, 3);
    assert.deepEqual(
      chunks.map((c) => bytes.subarray(c.startByte, c.endByte).toString()),
      ["\r\nb,k1\r\n\r\n   \r\n\t\nb,k2\r\n", " \nb,k3"],
    );
    const rows = parseChunk(bytes.subarray(chunks[0].startByte, chunks[0].endByte), ["Bucket", "Key"], 0);
    assert.deepEqual(
      rows.map((r) => r.task.key),
      ["k1", "k2"],
    );
  });

  it("keeps newlines, commas and escaped quotes inside quoted fields in one record", async () => {
    const text = '"b","a\nkey, with ""quotes"""\nb,"x\r\ny"\r\n"b",plain\n';
    const bytes = Buffer.from(text);
    for (const sizes of [[bytes.length], [1], [2, 3], [5]]) {
      const { chunks, summary } = await plan(bytes, 1, sizes);
      assert.equal(summary.totalRecords, 3, `sizes ${sizes}`);
      const keys = chunks.flatMap((c) =>
        parseChunk(bytes.subarray(c.startByte, c.endByte), ["Bucket", "Key"], c.firstRecord).map((r) => r.task.key),
      );
      assert.deepEqual(keys, ['a\nkey, with "quotes"', "x\r\ny", "plain"]);
    }
  });

  it("treats a quote inside an unquoted field as data for boundaries", async () => {
    const bytes = Buffer.from('b,ab"c\nb,d"\nb,e\n');
    const { summary } = await plan(bytes, 10);
    assert.equal(summary.totalRecords, 3);
  });

  it("counts a record left open by an unclosed quote at the end", async () => {
    const bytes = Buffer.from('b,k\nb,"open\nb,more\n');
    const { chunks, summary } = await plan(bytes, 10);
    assert.equal(summary.totalRecords, 2);
    assert.equal(summary.unterminatedQuote, true);
    const rows = parseChunk(bytes.subarray(chunks[0].startByte, chunks[0].endByte), ["Bucket", "Key"], 0);
    assert.equal(rows.length, 2);
    assert.equal(rows[1].invalid?.errorCode, "InvalidManifestRecord");
  });

  it("fails with ManifestRecordTooLarge when a record exceeds the limit", async () => {
    const bytes = Buffer.from(`b,k\nb,"${"x".repeat(5000)}\nb,k\n`);
    await assert.rejects(
      planChunks(streamOf(bytes, [100]), 10, undefined, { maxRecordBytes: 1000 }),
      (e: unknown) => isManifestError(e) && e.code === "ManifestRecordTooLarge" && /record 2\b/.test(e.message),
    );
    const ok = await planChunks(streamOf(bytes, [100]), 10, undefined, { maxRecordBytes: 6000 });
    assert.equal(ok.totalRecords, 2);
  });

  it("skips a UTF-8 BOM at the start, even split across stream pieces", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"b",k1\n\nb,k2\n')]);
    for (const sizes of [[1], [2], [bytes.length]]) {
      const { chunks, summary } = await plan(bytes, 5, sizes);
      assert.equal(summary.totalRecords, 2);
      assert.equal(summary.totalBytes, bytes.length);
      const rows = parseChunk(bytes.subarray(chunks[0].startByte, chunks[0].endByte), ["Bucket", "Key"], 0);
      assert.deepEqual(
        rows.map((r) => [r.task.bucket, r.task.key, r.invalid]),
        [
          ["b", "k1", undefined],
          ["b", "k2", undefined],
        ],
      );
    }
    // A BOM-only manifest (cut short) has no records.
    assert.equal((await plan(Buffer.from([0xef, 0xbb]), 5, [1])).summary.totalRecords, 1);
    assert.equal((await plan(Buffer.from([0xef, 0xbb, 0xbf]), 5, [1])).summary.totalRecords, 0);
  });

  it("keeps no pushed buffer: a manifest read through one reused buffer plans as the same bytes do", async () => {
    // A local manifest is read into one buffer, each piece overwriting the last (storage/one-buffer-read.ts).
    // After the BOM a blank line, which is no record only if the BOM was told from the bytes read after it.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n"b",k1\nb,"k,2"\n\nb,k3\nb,k4\n')]);
    for (const size of [1, 2, 3, 5, 7]) {
      const reused = Buffer.alloc(size);
      async function* throughOneBuffer() {
        for (let at = 0; at < bytes.length; at += size) {
          const n = bytes.copy(reused, 0, at, at + size);
          yield reused.subarray(0, n);
        }
      }
      const chunks: ChunkPlan[] = [];
      const summary = await planChunks(throughOneBuffer(), 2, (c) => {
        chunks.push(c);
      });
      assert.equal(summary.totalRecords, 4, `pieces of ${size}`);
      assert.deepEqual(summary, (await plan(bytes, 2)).summary, `pieces of ${size}`);
      assert.deepEqual(chunks, (await plan(bytes, 2)).chunks, `pieces of ${size}`);
      const keys = chunks.flatMap((c) =>
        parseChunk(bytes.subarray(c.startByte, c.endByte), ["Bucket", "Key"], c.firstRecord).map((r) => r.task.key),
      );
      assert.deepEqual(keys, ["k1", "k,2", "k3", "k4"], `pieces of ${size}`);
    }
  });

  it("plans an empty or all-blank manifest as no chunks", async () => {
    for (const text of ["", "\n", "\r\n\r\n", "  \n\t"]) {
      const { chunks, summary } = await plan(Buffer.from(text), 3);
      assert.deepEqual(chunks, []);
      assert.equal(summary.totalRecords, 0);
      assert.equal(summary.chunkCount, 0);
    }
  });

  it("closes a chunk early once it reaches maxChunkBytes", async () => {
    const bytes = Buffer.from("b,aaaaaaaa\nb,b\nb,c\nb,dddddddddddddddddddd\nb,e\n");
    const { chunks, summary } = await plan(bytes, 3, [4]);
    assert.equal(summary.totalRecords, 5);
    const cut: ChunkPlan[] = [];
    await planChunks(streamOf(bytes), 3, (c) => void cut.push(c), { maxChunkBytes: 12 });
    assert.deepEqual(
      cut.map((c) => c.records),
      [2, 2, 1],
    );
    assert.equal(chunks.length, 2);
  });

  it("skips the MD5 when asked to", async () => {
    const summary = await planChunks(streamOf(Buffer.from("b,k\n")), 1, undefined, { md5: false });
    assert.equal(summary.md5, undefined);
    assert.equal(summary.totalRecords, 1);
  });

  it("rejects a recordsPerChunk that is not a positive integer", async () => {
    for (const n of [0, -1, 1.5, Number.NaN]) await assert.rejects(plan(Buffer.from("b,k\n"), n), RangeError);
  });

  it("can be consumed as an async iterator whose return value is the summary", async () => {
    const it = scanChunks(streamOf(Buffer.from("b,1\nb,2\nb,3\n")), 2);
    const seen: number[] = [];
    let step = await it.next();
    while (!step.done) {
      seen.push(step.value.records);
      step = await it.next();
    }
    assert.deepEqual(seen, [2, 1]);
    assert.equal(step.value.totalRecords, 3);
  });

  it("reads a file stream from disk", async () => {
    const dir = await mkdtemp(join(tmpdir(), "objbatch-scan-"));
    try {
      const lines: string[] = [];
      for (let i = 0; i < 20000; i++) lines.push(i % 7 === 0 ? `b,"k ${i}"` : `b,key-${i}`);
      const file = join(dir, "m.csv");
      await writeFile(file, `${lines.join("\n")}\n`);
      const summary = await planChunks(createReadStream(file, { highWaterMark: 4096 }), 1000);
      assert.equal(summary.totalRecords, 20000);
      assert.equal(summary.chunkCount, 20);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// Cells made of characters that stress quoting, encoding and line handling.
const cellChar = fc.constantFrom("a", "b", "Z", "0", "/", " ", ",", '"', "\n", "\r", "%", "+", "é", "中", "😀", "-");
const cell = fc.array(cellChar, { minLength: 1, maxLength: 8 }).map((cs) => cs.join(""));

/** Form-style encoding as inventories write keys; here randomly raw-safe or fully percent-encoded. */
function encodeKey(key: string): string {
  return encodeURIComponent(key).replaceAll("%20", "+");
}

function csvCell(value: string, forceQuotes: boolean): string {
  return forceQuotes || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const manifestArb = fc
  .record({
    records: fc.array(
      fc.record({
        bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/),
        key: cell,
        version: fc.option(cell, { nil: undefined }),
        quoteAll: fc.boolean(),
        crlf: fc.boolean(),
        blankBefore: fc.constantFrom("", "", "", "\n", "\r\n", "  \n", "\t \r\n"),
      }),
      { maxLength: 40 },
    ),
    finalNewline: fc.boolean(),
    bom: fc.boolean(),
    withVersion: fc.boolean(),
  })
  .map((m) => {
    let text = m.bom ? "\uFEFF" : "";
    m.records.forEach((r, i) => {
      text += r.blankBefore;
      const cells = [csvCell(r.bucket, r.quoteAll), csvCell(encodeKey(r.key), r.quoteAll)];
      if (m.withVersion) cells.push(csvCell(r.version ?? "null", r.quoteAll));
      text += cells.join(",");
      if (i < m.records.length - 1 || m.finalNewline) text += r.crlf ? "\r\n" : "\n";
    });
    return { ...m, bytes: Buffer.from(text, "utf8") };
  });

describe("planChunks properties", () => {
  it("covers every generated record once, in order, and parseChunk gets them back", async () => {
    await fc.assert(
      fc.asyncProperty(
        manifestArb,
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
        async (m, perChunk, sizes) => {
          const { chunks, summary } = await plan(m.bytes, perChunk, sizes);
          assert.equal(summary.totalRecords, m.records.length);
          assert.equal(summary.md5, createHash("md5").update(m.bytes).digest("hex"));
          checkChunks(m.bytes, chunks, perChunk, m.records.length);
          const fields = m.withVersion ? (["Bucket", "Key", "VersionId"] as const) : (["Bucket", "Key"] as const);
          const rows = chunks.flatMap((c) =>
            parseChunk(m.bytes.subarray(c.startByte, c.endByte), fields, c.firstRecord),
          );
          assert.deepEqual(
            rows.map((r) => r.task),
            m.records.map((r) =>
              m.withVersion
                ? { bucket: r.bucket, key: r.key, versionId: r.version ?? "null" }
                : { bucket: r.bucket, key: r.key },
            ),
          );
          assert.ok(rows.every((r) => r.invalid === undefined));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees with the byte-at-a-time reference on arbitrary bytes, however the stream is cut", async () => {
    const junk = fc
      .array(fc.constantFrom("a", ",", '"', '"', "\n", "\r", " ", "\t", "\r\n", '""', "\uFEFF", "é"), { maxLength: 80 })
      .map((parts) => Buffer.from(parts.join("")));
    await fc.assert(
      fc.asyncProperty(
        junk,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        async (bytes, perChunk, sizes) => {
          const expected = referenceRecords(bytes);
          assert.deepEqual(scannedRecords(bytes, sizes), expected);
          const { chunks, summary } = await plan(bytes, perChunk, sizes);
          assert.equal(summary.totalRecords, expected.length);
          checkChunks(bytes, chunks, perChunk, expected.length);
          // One chunk for the whole manifest parses to the same number of rows.
          assert.equal(parseChunk(bytes, ["Bucket", "Key"], 0).length, expected.length);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
