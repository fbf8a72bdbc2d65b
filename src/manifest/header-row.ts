/**
 * A manifest stream without its header row (Google's manifest CSV, csv-layout.ts): the bytes up to and including
 * the first line feed are dropped, a UTF-8 BOM with them, and counted, so the byte ranges cut from the rest can
 * be moved back to where they are in the manifest object. A header is one line, never a quoted field spanning
 * lines. A manifest that is only a header leaves nothing.
 */
const LF = 0x0a;

export async function* withoutHeaderRow(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  onHeader: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  let dropped = 0;
  let inHeader = true;
  for await (const part of source) {
    const buf = typeof part === "string" ? Buffer.from(part) : Buffer.isBuffer(part) ? part : Buffer.from(part);
    if (!inHeader) {
      yield buf;
      continue;
    }
    const nl = buf.indexOf(LF);
    if (nl === -1) {
      dropped += buf.length;
      continue;
    }
    dropped += nl + 1;
    inHeader = false;
    onHeader(dropped);
    if (nl + 1 < buf.length) yield buf.subarray(nl + 1);
  }
  if (inHeader) onHeader(dropped);
}
