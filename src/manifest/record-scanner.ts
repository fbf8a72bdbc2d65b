/**
 * Finds CSV record boundaries in a byte stream without decoding it, and cuts a manifest into chunks of N
 * records (byte ranges a runner later fetches with a ranged GET and hands to `parseChunk`).
 *
 * The one definition of "a record" lives here, in RecordScanner; the chunk planner (streaming, once per job)
 * and the chunk parser (one chunk in memory) both run it, so they cannot disagree on where records start and
 * end, nor on which records are blank.
 *
 * Rules (RFC 4180 on bytes):
 * - A record ends at a `\n` outside quotes; a `\r` just before it belongs to the terminator (the parser drops
 *   it). A last record without a final newline ends at the end of the manifest.
 * - A `"` opens a quoted field only at the start of a field (first byte of the record or right after a `,`).
 *   Inside a quoted field `""` is an escaped quote and a newline does not end the record; the next lone `"`
 *   closes the field. A `"` anywhere else is data as far as boundaries go (the parser then rejects the record
 *   as malformed, as strict csv-parse does).
 * - Blank records are not tasks: a record made only of spaces, tabs and carriage returns (an empty line, a
 *   CRLF line, a line of stray indentation) is skipped by both the planner and the parser. It is still inside
 *   some chunk's byte range.
 * - A UTF-8 byte-order mark at byte 0 of the manifest is not part of the first record.
 * - No record may be longer than `maxRecordBytes` (1 MiB by default): an unclosed quote would otherwise turn
 *   the rest of the manifest into one record, and one chunk, that a runner would have to hold in memory.
 *
 * Speed: the scanner only calls Buffer.indexOf (memchr) for `\n` and `"`, remembers the next quote so a
 * quote-free buffer is searched for quotes once, and looks at the bytes of a record only to tell a blank one
 * (for an ordinary record, one byte).
 */
import { createHash } from "node:crypto";
import { ManifestError } from "./errors.js";

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
/** A chunk is closed early once it holds this many bytes, so a runner never fetches more than about this. */
export const DEFAULT_MAX_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Called once per non-blank record, in order. `start` is the absolute offset of its first byte, `end` the
 * offset of its terminating `\n` (or of the end of the manifest), `next` the offset just after the
 * terminator, `hasQuote` whether the record contains any `"` byte (so it needs a real CSV parser).
 */
export type RecordSink = (start: number, end: number, next: number, hasQuote: boolean) => void;

export interface RecordScannerOptions {
  readonly maxRecordBytes?: number;
  /** Skip a UTF-8 BOM at absolute offset 0. */
  readonly skipBom?: boolean;
}

/** True when buf[from, to) holds a byte other than space, tab or CR. */
function hasContent(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) return true;
  }
  return false;
}

function isBomPrefix(buf: Buffer): boolean {
  return (
    (buf.length < 1 || buf[0] === 0xef) && (buf.length < 2 || buf[1] === 0xbb) && (buf.length < 3 || buf[2] === 0xbf)
  );
}

/**
 * The record-boundary state machine. Feed it buffers in order with push(), then call end() once. It keeps no
 * reference to a buffer once push() returns, so the next may reuse its memory.
 */
export class RecordScanner {
  /** Non-blank records seen so far. */
  records = 0;
  /** Bytes pushed so far (including a skipped BOM). */
  bytes = 0;
  /** True after end() when the manifest ended inside a quoted field (its last record is malformed). */
  unterminatedQuote = false;

  private readonly sink: RecordSink;
  private readonly maxRecordBytes: number;
  /** Absolute offset of the buffer being scanned. */
  private base = 0;
  private recStart = 0;
  /** A non-blank byte of the current record was seen in an earlier buffer. */
  private recContent = false;
  private recQuote = false;
  private inQuotes = false;
  /** The previous buffer ended with a `"` inside a quoted field: escape or close depends on the next byte. */
  private quotePending = false;
  /** Last byte of the previous buffer (-1 before the first), to tell whether a `"` starts a field. */
  private lastByte = -1;
  private bomPending: boolean;
  private bomStash: Buffer | null = null;

  constructor(sink: RecordSink, options: RecordScannerOptions = {}) {
    this.sink = sink;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.bomPending = options.skipBom ?? false;
  }

  push(input: Buffer): void {
    let buf = input;
    let pos = 0;
    if (this.bomPending) {
      // The BOM test needs the first three bytes, which a stream may deliver in pieces.
      const joined = this.bomStash === null ? buf : Buffer.concat([this.bomStash, buf]);
      if (joined.length < 3 && isBomPrefix(joined)) {
        // A copy: the scanner keeps no pushed buffer, whose bytes a reader may reuse (storage/one-buffer-read.ts).
        this.bomStash = Buffer.from(joined);
        return;
      }
      this.bomPending = false;
      this.bomStash = null;
      buf = joined;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        pos = 3;
        this.recStart = 3;
      }
    }
    const len = buf.length;
    if (len === 0) return;
    this.bytes += len;

    if (this.quotePending) {
      this.quotePending = false;
      if (buf[0] === QUOTE) pos = 1;
      else this.inQuotes = false;
    }

    // Next `"` and next `\n` at or after pos; -1 for none in the rest of the buffer, -2 before the first search.
    // Each is searched for again only once pos has passed it.
    let nextQuote = -2;
    let nl = -2;
    while (pos < len) {
      if (this.inQuotes) {
        const q = buf.indexOf(QUOTE, pos);
        if (q === -1) {
          pos = len;
          break;
        }
        if (q + 1 === len) {
          this.quotePending = true;
          pos = len;
          break;
        }
        const after = buf[q + 1];
        if (after === QUOTE) {
          pos = q + 2;
          continue;
        }
        if (after === COMMA && q + 2 < len && buf[q + 2] === QUOTE) {
          // `","`: the next field is quoted too (the usual inventory layout); stay in quotes.
          pos = q + 3;
          continue;
        }
        this.inQuotes = false;
        pos = q + 1;
        continue;
      }
      if (nl !== -1 && nl < pos) nl = buf.indexOf(LF, pos);
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = buf.indexOf(QUOTE, pos);
      if (nextQuote !== -1 && (nl === -1 || nextQuote < nl)) {
        const q = nextQuote;
        this.recQuote = true;
        const prev = q > 0 ? buf[q - 1] : this.lastByte;
        if (this.base + q === this.recStart || prev === COMMA) {
          this.inQuotes = true;
          pos = q + 1;
        } else {
          nextQuote = buf.indexOf(QUOTE, q + 1);
        }
        continue;
      }
      if (nl === -1) break;
      this.endRecord(buf, nl);
      pos = nl + 1;
    }

    // The buffer ends inside a record: remember whether that part of it was blank.
    if (!this.recContent) {
      const from = this.recStart - this.base;
      if (from < len) this.recContent = hasContent(buf, Math.max(from, 0), len);
    }
    this.lastByte = buf[len - 1];
    this.base += len;
    if (this.base - this.recStart > this.maxRecordBytes) this.tooLarge();
  }

  end(): void {
    if (this.bomStash !== null) {
      const stash = this.bomStash;
      this.bomStash = null;
      this.bomPending = false;
      this.push(stash);
    }
    this.bomPending = false;
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    this.unterminatedQuote = this.inQuotes;
    if (this.recStart < this.base) {
      if (this.recContent) {
        this.records++;
        this.sink(this.recStart, this.base, this.base, this.recQuote);
      }
      this.recStart = this.base;
      this.recContent = false;
      this.recQuote = false;
    }
  }

  private endRecord(buf: Buffer, nl: number): void {
    const end = this.base + nl;
    if (end - this.recStart > this.maxRecordBytes) this.tooLarge();
    let content = this.recContent;
    if (!content) {
      const from = this.recStart - this.base;
      content = hasContent(buf, Math.max(from, 0), nl);
    }
    if (content) {
      this.records++;
      this.sink(this.recStart, end, end + 1, this.recQuote);
    }
    this.recStart = end + 1;
    this.recContent = false;
    this.recQuote = false;
  }

  private tooLarge(): never {
    throw new ManifestError(
      "ManifestRecordTooLarge",
      `Manifest record ${this.records + 1} (starting at byte ${this.recStart}) is longer than ${this.maxRecordBytes} ` +
        `bytes${this.inQuotes ? "; a quoted field is probably never closed" : ""}`,
    );
  }
}

/** One chunk of a manifest: records [firstRecord, firstRecord + records) in bytes [startByte, endByte). */
export interface ChunkPlan {
  /** 0-based position of the chunk in the manifest. */
  readonly seq: number;
  readonly startByte: number;
  /** Exclusive; just after the terminator of the chunk's last record. */
  readonly endByte: number;
  /** 0-based index (blank records not counted) of the chunk's first record in the manifest. */
  readonly firstRecord: number;
  /**
   * Non-blank records in the chunk: recordsPerChunk, except in the last chunk and in a chunk closed early
   * because it reached maxChunkBytes (only with records far longer than usual).
   */
  readonly records: number;
}

export interface ManifestSummary {
  /** Non-blank records, that is tasks. */
  readonly totalRecords: number;
  /** Bytes read from the source. */
  readonly totalBytes: number;
  readonly chunkCount: number;
  /** Lower-case hex MD5 of every byte read, comparable to a single-part ETag; undefined with `md5: false`. */
  readonly md5?: string;
  /** True when the manifest ends inside a quoted field: its last record will fail as malformed. */
  readonly unterminatedQuote: boolean;
}

export interface PlanOptions {
  readonly maxRecordBytes?: number;
  /** Close a chunk once it spans this many bytes even if it has fewer than recordsPerChunk records. */
  readonly maxChunkBytes?: number;
  /**
   * Compute the MD5 of the manifest (default true). It costs more than the scan itself (about 0.7 s per
   * 500 MB), so skip it when the ETag is not an MD5 anyway (isMd5Etag in etag.ts).
   */
  readonly md5?: boolean;
}

function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`manifest stream yielded ${typeof chunk}, expected bytes`);
}

/**
 * Streams a manifest once and yields its chunks as they are cut; the generator's return value is the
 * summary. Chunks are contiguous: the first starts at 0, each starts where the previous ended, the last ends
 * after the last record (blank bytes after it belong to no chunk). Memory stays constant whatever the size.
 * Throws ManifestError when a record is longer than maxRecordBytes.
 */
export async function* scanChunks(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  recordsPerChunk: number,
  options: PlanOptions = {},
): AsyncGenerator<ChunkPlan, ManifestSummary, undefined> {
  if (!Number.isSafeInteger(recordsPerChunk) || recordsPerChunk < 1) {
    throw new RangeError(`recordsPerChunk must be a positive integer, got ${recordsPerChunk}`);
  }
  const maxChunkBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
  const ready: ChunkPlan[] = [];
  let seq = 0;
  let chunkStart = 0;
  let chunkFirst = 0;
  let inChunk = 0;
  let lastNext = 0;
  const scanner = new RecordScanner(
    (_start, _end, next) => {
      lastNext = next;
      if (++inChunk === recordsPerChunk || next - chunkStart >= maxChunkBytes) {
        ready.push({ seq, startByte: chunkStart, endByte: next, firstRecord: chunkFirst, records: inChunk });
        seq++;
        chunkStart = next;
        chunkFirst += inChunk;
        inChunk = 0;
      }
    },
    { maxRecordBytes: options.maxRecordBytes, skipBom: true },
  );
  const md5 = options.md5 === false ? undefined : createHash("md5");

  for await (const chunk of source) {
    const buf = asBuffer(chunk);
    md5?.update(buf);
    scanner.push(buf);
    if (ready.length > 0) {
      const batch = ready.splice(0, ready.length);
      for (const plan of batch) yield plan;
    }
  }
  scanner.end();
  if (ready.length > 0) {
    const batch = ready.splice(0, ready.length);
    for (const plan of batch) yield plan;
  }
  if (inChunk > 0) {
    yield { seq, startByte: chunkStart, endByte: lastNext, firstRecord: chunkFirst, records: inChunk };
    seq++;
  }
  return {
    totalRecords: scanner.records,
    totalBytes: scanner.bytes,
    chunkCount: seq,
    md5: md5?.digest("hex"),
    unterminatedQuote: scanner.unterminatedQuote,
  };
}

/**
 * Streams a manifest once, calling (and awaiting, so a slow store applies back-pressure) onChunk for each
 * chunk in order, and resolves to the summary. See scanChunks.
 */
export async function planChunks(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  recordsPerChunk: number,
  onChunk?: (chunk: ChunkPlan) => void | Promise<void>,
  options: PlanOptions = {},
): Promise<ManifestSummary> {
  const chunks = scanChunks(source, recordsPerChunk, options);
  for (;;) {
    const step = await chunks.next();
    if (step.done) return step.value;
    if (onChunk) await onChunk(step.value);
  }
}
