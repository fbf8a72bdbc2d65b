/**
 * Streaming checksums: the same value whatever the chunking, equal to an independent implementation where one
 * exists (zlib.crc32 for CRC32, on Node versions that have it; node:crypto one-shot digests), and a stream
 * that fails or is aborted rejects and is closed.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import zlib from "node:zlib";
import { SUPPORTED_CHECKSUM_ALGORITHMS } from "../../src/checksum/algorithms.js";
import { checksumResult, formatChecksumMessage } from "../../src/checksum/result-message.js";
import { checksumStream } from "../../src/checksum/stream-checksum.js";

/** `data` cut into pieces of irregular sizes (1 byte to 70 KiB). */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  let size = 1;
  while (offset < data.length) {
    out.push(data.subarray(offset, offset + size));
    offset += size;
    size = (size * 7 + 13) % 70_001 || 1;
  }
  return out;
}

describe("checksumStream", () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);

  it("gives the same checksum for any chunking of the stream", async () => {
    for (const algorithm of SUPPORTED_CHECKSUM_ALGORITHMS) {
      const whole = await checksumStream(Readable.from([data]), algorithm);
      const chunked = await checksumStream(Readable.from(pieces(data)), algorithm);
      assert.equal(chunked.digest.toString("hex"), whole.digest.toString("hex"), algorithm);
      assert.equal(chunked.size, data.length);
    }
  });

  it("matches zlib's native CRC32 and node:crypto's one-shot digests", async (t) => {
    const zlibCrc32 = (zlib as unknown as { crc32?: (data: Buffer) => number }).crc32;
    if (zlibCrc32 === undefined) t.diagnostic("zlib.crc32 is not in this Node version; CRC32 checked by vectors only");
    else {
      const crc = await checksumStream(Readable.from(pieces(data)), "CRC32");
      assert.equal(crc.digest.readUInt32BE(0), zlibCrc32(data));
    }
    for (const [algorithm, name] of [
      ["MD5", "md5"],
      ["SHA1", "sha1"],
      ["SHA256", "sha256"],
      ["SHA512", "sha512"],
    ] as const) {
      const streamed = await checksumStream(Readable.from(pieces(data)), algorithm);
      assert.equal(streamed.digest.toString("hex"), createHash(name).update(data).digest("hex"), algorithm);
    }
  });

  it("rejects with the stream's error and closes it", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk on fire"));
      },
    });
    await assert.rejects(checksumStream(failing, "SHA256"), /disk on fire/);
    assert.equal(failing.destroyed, true);
  });

  it("stops and rejects when the signal aborts, destroying the stream", async () => {
    const controller = new AbortController();
    let reads = 0;
    const endless = new Readable({
      read() {
        reads++;
        if (reads === 3) controller.abort(new Error("shutting down"));
        this.push(Buffer.alloc(1024));
      },
    });
    await assert.rejects(checksumStream(endless, "CRC32C", controller.signal), /shutting down/);
    assert.equal(endless.destroyed, true);
  });
});

describe("formatChecksumMessage", () => {
  it("writes the documented JSON with algorithm, type, base64 and hex", () => {
    const message = formatChecksumMessage(checksumResult("CRC32C", "FULL_OBJECT", Buffer.from("e3069283", "hex")));
    assert.equal(message, '{"algorithm":"CRC32C","checksumType":"FULL_OBJECT","base64":"4waSgw==","hex":"e3069283"}');
    assert.deepEqual(JSON.parse(message), {
      algorithm: "CRC32C",
      checksumType: "FULL_OBJECT",
      base64: "4waSgw==",
      hex: "e3069283",
    });
  });
});
