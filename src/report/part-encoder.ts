/**
 * Encodes a report's rows (UTF-8) into one buffer: a results file small enough to go up with one PUT when its
 * job ends (report-flusher.ts). Parts of a multipart file are never held whole; they stream (D23).
 *
 * Building a body as a list of per-chunk buffers joined at the end allocated it twice, and off the V8 heap. One
 * growing buffer, written in place, costs the body's bytes until `release`.
 *
 * The buffer `encode` returns is valid until the next `encode` or `release`.
 */
import { SLICE_BYTES, yieldToEventLoop } from "../event-loop.js";

const EMPTY = Buffer.alloc(0);

export class PartEncoder {
  private buffer: Buffer = EMPTY;

  /**
   * The rows one after the other. `expectedChars` (the rows' length in characters, never more than their bytes)
   * sizes the buffer up front; it grows by half when the rows hold multi-byte characters. The event loop turns
   * after every SLICE_BYTES encoded.
   */
  async encode(rows: AsyncIterable<string>, expectedChars = 0): Promise<Buffer> {
    this.reserve(expectedChars);
    let length = 0;
    let sinceTurn = 0;
    for await (const text of rows) {
      const bytes = Buffer.byteLength(text, "utf8");
      if (length + bytes > this.buffer.length) this.grow(length, length + bytes);
      this.buffer.write(text, length, "utf8");
      length += bytes;
      sinceTurn += bytes;
      if (sinceTurn >= SLICE_BYTES) {
        sinceTurn = 0;
        await yieldToEventLoop();
      }
    }
    return this.buffer.subarray(0, length);
  }

  /** Drops the buffer (at the end of a flush). */
  release(): void {
    this.buffer = EMPTY;
  }

  /** Bytes held between flushes' parts (for tests and metrics). */
  get capacity(): number {
    return this.buffer.length;
  }

  private reserve(bytes: number) {
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(bytes);
  }

  /** A larger buffer holding the first `used` bytes of the current one. */
  private grow(used: number, needed: number) {
    const next = Buffer.allocUnsafeSlow(Math.max(needed, Math.ceil(this.buffer.length * 1.5)));
    this.buffer.copy(next, 0, 0, used);
    this.buffer = next;
  }
}
