/**
 * Long synchronous work on the main thread (hashing a multi-megabyte report part, joining its rows) blocks
 * every request the server is answering meanwhile: an 8 MiB MD5 is 12-18 ms of a DescribeJob's latency. These
 * helpers cut such work into slices with a turn of the event loop between them, so a request waits at most one
 * slice (about a millisecond) behind it.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

/** Bytes processed between two turns of the event loop: about a millisecond of MD5 or copying. */
export const SLICE_BYTES = 512 * 1024;

/** Lets the event loop run: timers, I/O callbacks and requests that arrived meanwhile go first. */
export async function yieldToEventLoop(): Promise<void> {
  await nextTurn();
}

/** Calls `update` with consecutive slices of `bytes`, yielding to the event loop between two slices. */
export async function inSlices(bytes: Uint8Array, update: (slice: Uint8Array) => void): Promise<void> {
  for (let start = 0; start < bytes.length; start += SLICE_BYTES) {
    if (start > 0) await nextTurn();
    update(bytes.subarray(start, start + SLICE_BYTES));
  }
}
