/**
 * Inline chunks: the tasks of a generated or inventory manifest, stored in the chunk row itself
 * (chunks.tasks) instead of as a byte range of a CSV manifest object.
 *
 * Why inline: a generator's listing and an inventory's gzip data files cannot be cut into byte ranges a
 * runner fetches later (the listing is not an object, a gzip stream cannot be entered in the middle), so
 * the preparer flattens them once into tasks. Keeping those tasks in the chunk row means:
 * - several servers sharing a PostgreSQL store read the same chunks, with no local temp file and no
 *   internal object to write, clean up or grant access to;
 * - a chunk, its lease and its tasks live and die together: a crash while preparing throws away the partly
 *   written chunks (the preparer starts over), a crash while running re-leases the chunk with its tasks, so
 *   exactly-once accounting works exactly as for CSV chunks;
 * - memory stays bounded: the preparer holds at most a few chunks' worth of tasks before writing them, and
 *   a runner holds one chunk (chunkSize tasks, 1,000 by default).
 * The cost is store size: about 60-120 bytes per task, ~1 GB for 10 million objects at peak, the same
 * order as the report rows an AllTasks report keeps anyway. A chunk's tasks are cleared as soon as it is
 * done (complete-chunk.ts), so the store shrinks as the job runs.
 *
 * Format: a JSON array with one tuple per task, `[bucket, key]` or `[bucket, key, versionId]` (key decoded,
 * not URL-encoded), or `[bucket, rawKey, versionId | null, httpStatus, errorCode, message]` for a record
 * that cannot become a task: it fails in the report without running, as a bad CSV row does. JSON keeps
 * any byte of a key or version id intact without an escaping scheme of our own, and JSON.parse is fast.
 */
import { failed, type TaskRow } from "../domain/task.js";

export type InlineTask =
  | readonly [bucket: string, key: string]
  | readonly [bucket: string, key: string, versionId: string]
  | readonly [bucket: string, key: string, versionId: string | null, httpStatus: number, code: string, message: string];

export function inlineTask(bucket: string, key: string, versionId?: string): InlineTask {
  return versionId === undefined ? [bucket, key] : [bucket, key, versionId];
}

export function invalidInlineTask(bucket: string, rawKey: string, code: string, message: string): InlineTask {
  return [bucket, rawKey, null, 400, code, message];
}

export function encodeInlineTasks(tasks: readonly InlineTask[]): string {
  return JSON.stringify(tasks);
}

/** The TaskRows of an inline chunk, in order. Throws on text that is not an inline chunk (store corruption). */
export function parseInlineTasks(text: string): TaskRow[] {
  const tuples = JSON.parse(text) as unknown;
  if (!Array.isArray(tuples)) throw new Error("inline chunk tasks are not a JSON array");
  return tuples.map(inlineTaskRow);
}

/** One inline task (as stored, or as a reader hands it on) as the TaskRow a runner works on. */
export function inlineTaskRow(t: readonly unknown[]): TaskRow {
  const bucket = String(t[0]);
  const key = String(t[1]);
  if (t.length >= 6) {
    const versionId = typeof t[2] === "string" ? t[2] : undefined;
    return { task: { bucket, key, versionId }, invalid: failed(Number(t[3]), String(t[4]), String(t[5])) };
  }
  return t.length === 3 ? { task: { bucket, key, versionId: String(t[2]) } } : { task: { bucket, key } };
}

/** One planned inline chunk, as the store records it. */
export interface InlineChunkPlan {
  readonly seq: number;
  readonly firstRecord: number;
  readonly records: number;
  readonly tasks: string;
}

/**
 * Groups tasks into chunks of `chunkSize`, encoding each as it fills. The caller drains `take()` whenever
 * `shouldFlush` says enough has piled up (a few MB), so memory holds only that much.
 */
export class InlineChunker {
  private current: InlineTask[] = [];
  private ready: InlineChunkPlan[] = [];
  private readyBytes = 0;
  private seq = 0;
  /** Tasks added so far. */
  total = 0;
  /** Chunks cut so far (including those not taken yet). */
  chunks = 0;

  constructor(
    private readonly chunkSize: number,
    private readonly flushBytes = 4 * 1024 * 1024,
    private readonly flushChunks = 100,
  ) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1)
      throw new RangeError(`chunkSize must be positive: ${chunkSize}`);
  }

  add(task: InlineTask): void {
    this.current.push(task);
    this.total++;
    if (this.current.length >= this.chunkSize) this.cut();
  }

  /** True once the encoded chunks waiting to be taken are worth a store round trip. */
  get shouldFlush(): boolean {
    return this.readyBytes >= this.flushBytes || this.ready.length >= this.flushChunks;
  }

  /** Cuts the last, partial chunk. Call once, after the last add(). */
  end(): void {
    if (this.current.length > 0) this.cut();
  }

  take(): InlineChunkPlan[] {
    const out = this.ready;
    this.ready = [];
    this.readyBytes = 0;
    return out;
  }

  private cut(): void {
    const tasks = encodeInlineTasks(this.current);
    const records = this.current.length;
    this.ready.push({ seq: this.seq++, firstRecord: this.total - records, records, tasks });
    this.readyBytes += tasks.length;
    this.chunks++;
    this.current = [];
  }
}
