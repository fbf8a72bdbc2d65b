/**
 * A body stream that its backend can also read through one buffer of the reader's: the local backend's files
 * (local/file-chunks.ts). A read stream allocates a new buffer per read; a burst of them with little JavaScript
 * around it (preparing a manifest of a million keys) stays in the malloc heap until the collector finds it, and
 * glibc's heap, once grown around such buffers, seldom shrinks (docs/decisions.md D23). Each chunk of a read
 * through one buffer is a view of that buffer, valid only until the next chunk is asked for, so only a consumer
 * that is done with a chunk before it asks for the next (a `for await` loop that keeps no reference) may use it.
 */
import type { Readable } from "node:stream";

export const ONE_BUFFER_READ: unique symbol = Symbol("objbatch.oneBufferRead");

export interface OneBufferReadable {
  /** The stream's bytes through `buffer`, read instead of the stream; the stream is destroyed when they end. */
  [ONE_BUFFER_READ](buffer: Buffer): AsyncIterable<Buffer>;
}

/**
 * `stream`'s bytes, through `buffer` when its backend can read that way (each chunk valid until the next is
 * asked for), else the stream's own chunks.
 */
export function chunksThrough(stream: Readable, buffer: Buffer): AsyncIterable<Buffer | Uint8Array | string> {
  const read = (stream as Partial<OneBufferReadable>)[ONE_BUFFER_READ];
  return read ? read.call(stream, buffer) : stream;
}
