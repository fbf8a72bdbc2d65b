/**
 * The whole of a small object's body (a manifest.json, a report's manifest), read into memory only while it stays
 * within `limit` bytes: a larger one is cut off at the first chunk past the limit, never held whole.
 */
import type { Readable } from "node:stream";

/** The body's bytes, or undefined (the stream destroyed) once it passes `limit`. */
export async function readBounded(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of stream) {
      const b = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
      size += b.length;
      if (size > limit) return undefined;
      parts.push(b);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(parts);
}
