/**
 * A multipart upload's part body: bytes in one buffer, or a stream whose length is known before it is read
 * (a report part read from the store as it goes up, report/report-flusher.ts, D23). S3 wants a part's length
 * up front; a stream that ends short of it or runs past it fails the upload (400 IncompleteBody, S3's code for
 * a body shorter than its Content-Length) before any backend keeps the part.
 */
import type { Readable } from "node:stream";
import { SLICE_BYTES } from "../event-loop.js";
import { StorageError, where } from "./errors.js";

export interface SizedStream {
  readonly stream: Readable;
  /** The stream's bytes, all of them. */
  readonly length: number;
}

export type PartBody = Buffer | SizedStream;

/**
 * The body's bytes in order: a buffer in slices of SLICE_BYTES, a stream as it comes, counted against its
 * length. Throws IncompleteBody (and destroys the stream) when the count and the length disagree.
 */
export async function* partChunks(body: PartBody, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  if (Buffer.isBuffer(body)) {
    for (let start = 0; start < body.length; start += SLICE_BYTES) yield body.subarray(start, start + SLICE_BYTES);
    return;
  }
  let seen = 0;
  try {
    for await (const chunk of body.stream as AsyncIterable<Uint8Array>) {
      seen += chunk.length;
      if (seen > body.length) throw incompleteBody(bucket, key, body.length, seen);
      yield chunk;
    }
  } finally {
    body.stream.destroy();
  }
  if (seen !== body.length) throw incompleteBody(bucket, key, body.length, seen);
}

const incompleteBody = (bucket: string, key: string, length: number, seen: number): StorageError =>
  new StorageError(
    "IncompleteBody",
    400,
    `A part of ${where(bucket, key)} was to hold ${length} bytes; its body ${seen > length ? "held more" : `ended after ${seen}`}`,
  );
