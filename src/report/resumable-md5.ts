/**
 * An MD5 that can be carried across processes: its state is saved as text after each part of a results file,
 * in the same transaction that records the part, and picked up by whoever writes the next part (maybe another
 * server, after a restart). Node's crypto cannot export a hash state; hash-wasm's hashers can (save/load).
 */
import { createMD5, type IHasher } from "hash-wasm";
import { inSlices, SLICE_BYTES, yieldToEventLoop } from "../event-loop.js";

let hasher: Promise<IHasher> | undefined;

/** The buffer a part's rows are encoded into, one text at a time: a chunk's rows are about 60 KB. */
const SCRATCH_BYTES = 128 * 1024;

/** One hasher serves every call: each call loads its state, updates and saves with no await in between. */
function shared(): Promise<IHasher> {
  hasher ??= createMD5();
  return hasher;
}

/** The state of an MD5 over no bytes. */
export async function emptyMd5State(): Promise<string> {
  const h = await shared();
  h.init();
  return Buffer.from(h.save()).toString("base64");
}

/**
 * The state after `bytes` were added to `state`. A report part (megabytes) is hashed in slices with the event
 * loop turning between them (event-loop.ts), on a hasher of its own, since the shared one may be used meanwhile.
 */
export async function md5StateAfter(state: string, bytes: Uint8Array): Promise<string> {
  if (bytes.length <= SLICE_BYTES) {
    // Load, update and save with no await in between: the shared hasher is never seen half-way.
    const h = await shared();
    h.load(Buffer.from(state, "base64"));
    h.update(bytes);
    return Buffer.from(h.save()).toString("base64");
  }
  const h = await createMD5();
  h.load(Buffer.from(state, "base64"));
  await inSlices(bytes, (slice) => h.update(slice));
  return Buffer.from(h.save()).toString("base64");
}

/**
 * The state after the UTF-8 bytes of `texts` were added to `state`, and how many bytes that was: a report part
 * measured as it is read from the store, never held whole. A hasher of its own, the event loop turning after
 * every SLICE_BYTES.
 */
export async function md5StateAfterTexts(
  state: string,
  texts: AsyncIterable<string>,
): Promise<{ readonly state: string; readonly bytes: number }> {
  const h = await createMD5();
  h.load(Buffer.from(state, "base64"));
  let bytes = 0;
  let sinceTurn = 0;
  // Every text is encoded into one buffer (grown for a longer one), hashed before the next is encoded: a buffer of
  // its own for each, a chunk's rows, left 8 MiB of them a part to the collector, in malloc's heap (D23).
  let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  for await (const text of texts) {
    const length = Buffer.byteLength(text, "utf8");
    if (length > scratch.length) scratch = Buffer.allocUnsafeSlow(length);
    scratch.write(text, 0, length, "utf8");
    h.update(scratch.subarray(0, length));
    bytes += length;
    sinceTurn += length;
    if (sinceTurn >= SLICE_BYTES) {
      sinceTurn = 0;
      await yieldToEventLoop();
    }
  }
  return { state: Buffer.from(h.save()).toString("base64"), bytes };
}

/** The hex MD5 of everything added to `state`. */
export async function md5Hex(state: string): Promise<string> {
  const h = await shared();
  h.load(Buffer.from(state, "base64"));
  return h.digest("hex");
}
