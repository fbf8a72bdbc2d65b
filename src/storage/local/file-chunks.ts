/**
 * Reading a local file through one buffer the reader owns, where a read stream would allocate a new one per
 * read (one-buffer-read.ts says why that matters). Each chunk is a view of the buffer, valid until the next one
 * is asked for.
 */
import type fsp from "node:fs/promises";
import type { Readable } from "node:stream";
import { ONE_BUFFER_READ, type OneBufferReadable } from "../one-buffer-read.js";

/**
 * A reader's buffer: what a read stream reads at a time, under glibc's threshold for mapping an allocation of
 * its own (128 KiB), so the buffer takes no mapping whose release would raise that threshold.
 */
export const FILE_CHUNK_BYTES = 64 * 1024;

/** The bytes of `fh` from `start` up to `end` (exclusive; default the end of the file), read into `buffer`. */
export async function* fileChunks(
  fh: fsp.FileHandle,
  buffer: Buffer,
  start: number,
  end = Number.POSITIVE_INFINITY,
): AsyncGenerator<Buffer> {
  for (let position = start; position < end; ) {
    const { bytesRead } = await fh.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * A read stream of `fh` (the whole file, or `range` with an inclusive end, as S3 ranges are) that can also be
 * read through one buffer (ONE_BUFFER_READ). Either way the handle is closed with the stream.
 */
export function fileBody(fh: fsp.FileHandle, range?: { start: number; end: number }): Readable & OneBufferReadable {
  const stream = fh.createReadStream(range ?? {});
  return Object.assign(stream, {
    async *[ONE_BUFFER_READ](buffer: Buffer): AsyncGenerator<Buffer> {
      try {
        yield* fileChunks(fh, buffer, range?.start ?? 0, range ? range.end + 1 : undefined);
      } finally {
        stream.destroy();
      }
    },
  });
}
