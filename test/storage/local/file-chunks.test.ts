/**
 * Reading local objects through one buffer (storage/local/file-chunks.ts, storage/one-buffer-read.ts): the
 * chunks are views of the reader's buffer and carry exactly the bytes the object's read stream would, for the
 * whole object and for a range; the file is read as it was opened, and its handle is closed with the stream
 * however the read ends. A stream that cannot be read that way is read as it is.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { chunksThrough } from "../../../src/storage/one-buffer-read.js";
import { type Fixture, fixture } from "./helpers.js";

/** Every chunk copied out as it comes (the next read reuses the buffer), and the buffers the chunks viewed. */
async function drain(chunks: AsyncIterable<Buffer | Uint8Array | string>) {
  const copies: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  for await (const chunk of chunks) {
    assert.ok(chunk instanceof Uint8Array);
    memory.add(chunk.buffer);
    copies.push(Buffer.from(chunk));
  }
  return { bytes: Buffer.concat(copies), chunks: copies.length, memory };
}

describe("LocalStorage reads through one buffer", () => {
  let f: Fixture;
  const body = randomBytes(200_000 + 17);
  before(async () => {
    f = await fixture(["src"]);
    await f.storage.put("src", "big.bin", body);
  });
  after(() => f.cleanup());

  it("reads the whole object into the reader's buffer, a view of it per chunk, and closes the stream", async () => {
    const stream = await f.storage.get("src", "big.bin");
    const mine = Buffer.alloc(64 * 1024);
    const read = await drain(chunksThrough(stream, mine));
    assert.ok(read.bytes.equals(body));
    assert.equal(read.chunks, 4, "200,017 bytes through 64 KiB");
    assert.deepEqual([...read.memory], [mine.buffer], "every chunk viewed the reader's buffer");
    assert.equal(stream.destroyed, true, "the stream (and its file handle) is closed");
  });

  it("reads a range, its end inclusive as S3's, exactly as the stream does", async () => {
    for (const range of [
      { start: 0, end: 0 },
      { start: 65_530, end: 131_080 },
      { start: 199_000, end: 10_000_000 },
    ]) {
      const expected = await buffer(await f.storage.get("src", "big.bin", { range }));
      const read = await drain(chunksThrough(await f.storage.get("src", "big.bin", { range }), Buffer.alloc(1000)));
      assert.ok(read.bytes.equals(expected), JSON.stringify(range));
      assert.ok(read.bytes.equals(body.subarray(range.start, range.end + 1)), JSON.stringify(range));
    }
  });

  it("reads the file it opened, even when the object is replaced before it is read", async () => {
    await f.storage.put("src", "replaced.bin", body);
    const stream = await f.storage.get("src", "replaced.bin");
    const other = f.file("src", "replaced.bin.new");
    await writeFile(other, "something else");
    await rename(other, f.file("src", "replaced.bin"));
    assert.ok((await drain(chunksThrough(stream, Buffer.alloc(4096)))).bytes.equals(body));
  });

  it("closes the stream when the reader stops early", async () => {
    const stream = await f.storage.get("src", "big.bin");
    for await (const chunk of chunksThrough(stream, Buffer.alloc(1024))) {
      assert.equal(chunk.length, 1024);
      break;
    }
    assert.equal(stream.destroyed, true);
  });

  it("reads any other stream as it is", async () => {
    const other = Readable.from([Buffer.from("a,"), Buffer.from("b")]);
    assert.equal(chunksThrough(other, Buffer.alloc(16)), other);
  });
});
