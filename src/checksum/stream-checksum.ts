/**
 * Checksums a stream of bytes (an object being read) without holding it in memory.
 */
import type { Readable } from "node:stream";
import type { ChecksumAlgorithm } from "./algorithms.js";
import { createHasher } from "./hasher.js";

export interface StreamChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** The checksum's bytes. */
  readonly digest: Buffer;
  /** How many bytes were read. */
  readonly size: number;
}

/**
 * Reads `stream` to its end through the algorithm's hasher. An aborted `signal` destroys the stream and
 * rejects with the signal's reason; a failing stream rejects with its error. Either way the stream is closed.
 */
export async function checksumStream(
  stream: Readable,
  algorithm: ChecksumAlgorithm,
  signal?: AbortSignal,
): Promise<StreamChecksum> {
  const hasher = createHasher(algorithm);
  let size = 0;
  const onAbort = () => stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      const bytes: Uint8Array = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      hasher.update(bytes);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stream.destroy();
  }
  return { algorithm, digest: await hasher.digest(), size };
}
