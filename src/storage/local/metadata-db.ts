/**
 * Object metadata of the local backend, in `<dataDir>/meta/objects.sqlite` (never inside bucket directories).
 *
 * One row per object that has anything worth remembering; a file without a row is an object with defaults
 * (content type from its extension, STANDARD, private, no tags, ETag computed on demand). Every attribute column
 * is NULL when it holds the default, so "default" never needs a row.
 *
 * The ETag cache (etag, size, mtime_ns) is valid only while the file still has that size and mtime: a hand edit
 * invalidates it. Writes that only cache an ETag are batched (write-behind, one transaction per event-loop turn):
 * losing them in a crash costs one recomputation, never a wrong answer.
 *
 * Tags and ACLs, the writes of bulk jobs (PutObjectTagging, PutObjectAcl over a million objects), are batched
 * too, but write-through: every write made in one event-loop turn is committed in one transaction, and each
 * caller's promise settles only once that transaction has committed (or failed). A caller that reports its
 * task done has its write in the database; a crash before the commit loses only writes no caller was told
 * about. One transaction per turn instead of one per object also spares the worker threads, which each hold
 * a connection to this database, from queueing on SQLite's write lock once per object.
 *
 * The per-object reads of bulk jobs (a copy's source and target rows, a delete's Object Lock state) are batched
 * the same way (readTogether): every read asked for in one event-loop turn runs in one read transaction once
 * the turn is over. A read of its own pays for a read transaction (about 10 µs of WAL locking), a read inside
 * one costs under 1 µs. Each read still runs after its caller asked for it, so it sees every write committed
 * before, as a read of its own would. Inside that transaction a bucket is asked once whether it has any row at
 * all: the reads of a bucket without rows (objects dropped by hand, or copied from such objects) are answered
 * without a statement each, from the same snapshot the statements would have read.
 *
 * The schema and its migrations are in metadata-schema.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { openSqliteDatabase, type SqliteDatabase, type SqliteStatement } from "../../sqlite/database.js";
import { migrateMetadataDb } from "./metadata-schema.js";

export interface ObjectRow {
  etag: string | null;
  /** File size and mtime (ns, decimal string) the ETag was computed for. */
  size: number | null;
  mtime_ns: string | null;
  content_type: string | null;
  cache_control: string | null;
  content_disposition: string | null;
  content_encoding: string | null;
  content_language: string | null;
  expires: string | null;
  /** JSON object, keys lower-cased. */
  user_metadata: string | null;
  /** JSON array of {key, value}. */
  tags: string | null;
  /** JSON AccessControlList. */
  acl: string | null;
  /** NULL = STANDARD. */
  storage_class: string | null;
  restore_tier: string | null;
  /** Epoch milliseconds: when the requested restore completes and until when the restored copy is readable. */
  restore_ready_at: number | null;
  restore_expiry: number | null;
  /** Object Lock: 'ON' while a legal hold is set, else NULL. */
  legal_hold: string | null;
  /** Object Lock retention: 'COMPLIANCE' | 'GOVERNANCE' and its end (epoch ms), or both NULL. */
  retention_mode: string | null;
  retention_until: number | null;
  /** Google's event-based hold: 'ON' while it is set, else NULL. Blocks delete and overwrite like a legal hold. */
  event_based_hold: string | null;
}

const COLUMNS = [
  "etag",
  "size",
  "mtime_ns",
  "content_type",
  "cache_control",
  "content_disposition",
  "content_encoding",
  "content_language",
  "expires",
  "user_metadata",
  "tags",
  "acl",
  "storage_class",
  "restore_tier",
  "restore_ready_at",
  "restore_expiry",
  "legal_hold",
  "retention_mode",
  "retention_until",
  "event_based_hold",
] as const satisfies readonly (keyof ObjectRow)[];

/** The columns of an object's Object Lock and hold state. */
export type LockColumn = "legal_hold" | "retention_mode" | "retention_until" | "event_based_hold";

/** The columns of an object's metadata (content headers and user metadata). */
export const METADATA_COLUMNS = [
  "content_type",
  "cache_control",
  "content_disposition",
  "content_encoding",
  "content_language",
  "expires",
  "user_metadata",
] as const satisfies readonly (keyof ObjectRow)[];
export type MetadataColumn = (typeof METADATA_COLUMNS)[number];

export const EMPTY_ROW: Readonly<ObjectRow> = Object.freeze(
  Object.fromEntries(COLUMNS.map((c) => [c, null])) as unknown as ObjectRow,
);

interface PendingEtag {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  mtimeNs: string;
}

const FLUSH_AT = 1000;

/** A read waiting for the next batch's read transaction, with the promise of its caller. */
interface QueuedRead {
  readonly read: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** A write waiting for the next batch's transaction, with the promise of its caller. */
interface QueuedWrite {
  readonly run: () => void;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class MetadataDb {
  private readonly db: SqliteDatabase;
  private readonly getStmt: SqliteStatement;
  private readonly existsStmt: SqliteStatement;
  private readonly anyInBucketStmt: SqliteStatement;
  private readonly pairStmt: SqliteStatement;
  private readonly replaceStmt: SqliteStatement;
  private readonly deleteStmt: SqliteStatement;
  private readonly upsertEtagStmt: SqliteStatement;
  private readonly setTagsStmt: SqliteStatement;
  private readonly setAclStmt: SqliteStatement;
  private readonly setRestoreStmt: SqliteStatement;
  private readonly lockStmt: SqliteStatement;
  private readonly setLegalHoldStmt: SqliteStatement;
  private readonly setRetentionStmt: SqliteStatement;
  private readonly setEventBasedHoldStmt: SqliteStatement;
  private readonly setMetadataStmt: SqliteStatement;
  private readonly flushTxn: (items: PendingEtag[]) => void;
  private readonly pending = new Map<string, PendingEtag>();
  private flushScheduled = false;
  private queued: QueuedWrite[] = [];
  private readonly commitTxn: (writes: readonly QueuedWrite[]) => void;
  private reads: QueuedRead[] = [];
  private readonly readTxn: (reads: readonly QueuedRead[]) => void;
  /**
   * While a batch of reads runs in its read transaction: whether each bucket asked about has any row (one
   * snapshot, so a bucket without rows answers every read of its keys with "no row").
   */
  private bucketsInBatch: Map<string, boolean> | undefined;

  constructor(metaDir: string) {
    fs.mkdirSync(metaDir, { recursive: true });
    this.db = openSqliteDatabase(path.join(metaDir, "objects.sqlite"));
    migrateMetadataDb(this.db);
    this.getStmt = this.db.prepare(`SELECT ${COLUMNS.join(", ")} FROM objects WHERE bucket = ? AND key = ?`);
    this.existsStmt = this.db.prepare("SELECT 1 FROM objects WHERE bucket = ? AND key = ?");
    this.anyInBucketStmt = this.db.prepare("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1");
    this.pairStmt = this.db.prepare(
      `SELECT 0 AS which, ${COLUMNS.join(", ")} FROM objects WHERE bucket = ? AND key = ?
       UNION ALL SELECT 1 AS which, ${COLUMNS.join(", ")} FROM objects WHERE bucket = ? AND key = ?`,
    );
    this.replaceStmt = this.db.prepare(
      `INSERT OR REPLACE INTO objects (bucket, key, ${COLUMNS.join(", ")}) VALUES (@bucket, @key, ${COLUMNS.map((c) => `@${c}`).join(", ")})`,
    );
    this.deleteStmt = this.db.prepare("DELETE FROM objects WHERE bucket = ? AND key = ?");
    this.upsertEtagStmt = this.db.prepare(
      `INSERT INTO objects (bucket, key, etag, size, mtime_ns) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (bucket, key) DO UPDATE SET etag = excluded.etag, size = excluded.size, mtime_ns = excluded.mtime_ns`,
    );
    this.setTagsStmt = this.db.prepare(
      "INSERT INTO objects (bucket, key, tags) VALUES (?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET tags = excluded.tags",
    );
    this.setAclStmt = this.db.prepare(
      "INSERT INTO objects (bucket, key, acl) VALUES (?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET acl = excluded.acl",
    );
    this.setRestoreStmt = this.db.prepare(
      `INSERT INTO objects (bucket, key, restore_tier, restore_ready_at, restore_expiry) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (bucket, key) DO UPDATE SET restore_tier = excluded.restore_tier,
         restore_ready_at = excluded.restore_ready_at, restore_expiry = excluded.restore_expiry`,
    );
    this.lockStmt = this.db.prepare(
      "SELECT legal_hold, retention_mode, retention_until, event_based_hold FROM objects WHERE bucket = ? AND key = ?",
    );
    this.setLegalHoldStmt = this.db.prepare(
      "INSERT INTO objects (bucket, key, legal_hold) VALUES (?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET legal_hold = excluded.legal_hold",
    );
    this.setEventBasedHoldStmt = this.db.prepare(
      "INSERT INTO objects (bucket, key, event_based_hold) VALUES (?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET event_based_hold = excluded.event_based_hold",
    );
    this.setMetadataStmt = this.db.prepare(
      `INSERT INTO objects (bucket, key, ${METADATA_COLUMNS.join(", ")}) VALUES (@bucket, @key, ${METADATA_COLUMNS.map((c) => `@${c}`).join(", ")})
       ON CONFLICT (bucket, key) DO UPDATE SET ${METADATA_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}`,
    );
    this.setRetentionStmt = this.db.prepare(
      `INSERT INTO objects (bucket, key, retention_mode, retention_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (bucket, key) DO UPDATE SET retention_mode = excluded.retention_mode,
         retention_until = excluded.retention_until`,
    );
    this.flushTxn = this.db.transaction((items: PendingEtag[]) => {
      for (const p of items) this.upsertEtagStmt.run(p.bucket, p.key, p.etag, p.size, p.mtimeNs);
    });
    this.commitTxn = this.db.transaction((writes: readonly QueuedWrite[]) => {
      for (const w of writes) w.run();
    });
    // A deferred transaction that only reads takes no write lock: it waits for no writer and holds none up.
    this.readTxn = this.db.transaction((reads: readonly QueuedRead[]) => {
      this.bucketsInBatch = new Map();
      try {
        for (const r of reads) answer(r);
      } finally {
        this.bucketsInBatch = undefined;
      }
    });
  }

  get(bucket: string, key: string): ObjectRow | undefined {
    const row = this.getStmt.get(bucket, key) as ObjectRow | undefined;
    if (this.pending.size === 0) return row;
    const p = this.pending.get(pendingKey(bucket, key));
    if (p === undefined) return row;
    return { ...(row ?? EMPTY_ROW), etag: p.etag, size: p.size, mtime_ns: p.mtimeNs };
  }

  /**
   * The source's row and the target's (whether it has one, and its Object Lock state), in one read
   * transaction (the copy path does this for every object; each SQLite read transaction costs a few
   * shared-memory lock calls).
   */
  sourceAndTarget(
    sourceBucket: string,
    sourceKey: string,
    targetBucket: string,
    targetKey: string,
  ): { source: ObjectRow | undefined; targetHasRow: boolean; target: ObjectRow | undefined } {
    let source: ObjectRow | undefined;
    let target: ObjectRow | undefined;
    let targetHasRow = false;
    const rows = this.mayHaveRows(sourceBucket) || this.mayHaveRows(targetBucket);
    for (const { which, ...row } of (rows
      ? this.pairStmt.all(sourceBucket, sourceKey, targetBucket, targetKey)
      : NO_ROWS) as (ObjectRow & {
      which: number;
    })[]) {
      if (which === 0) source = row;
      else {
        targetHasRow = true;
        target = row;
      }
    }
    if (this.pending.size > 0) {
      const p = this.pending.get(pendingKey(sourceBucket, sourceKey));
      if (p !== undefined) source = { ...(source ?? EMPTY_ROW), etag: p.etag, size: p.size, mtime_ns: p.mtimeNs };
      if (this.pending.has(pendingKey(targetBucket, targetKey))) targetHasRow = true;
    }
    return { source, targetHasRow, target };
  }

  has(bucket: string, key: string): boolean {
    return (
      (this.mayHaveRows(bucket) && this.existsStmt.get(bucket, key) !== undefined) ||
      this.pending.has(pendingKey(bucket, key))
    );
  }

  /** Replaces the whole row (or deletes it when `row` is undefined). */
  replace(bucket: string, key: string, row: ObjectRow | undefined): void {
    this.pending.delete(pendingKey(bucket, key));
    if (row === undefined) this.deleteStmt.run(bucket, key);
    else this.replaceStmt.run({ bucket, key, ...row });
  }

  delete(bucket: string, key: string): void {
    this.replace(bucket, key, undefined);
  }

  /**
   * Deletes the object's row; resolves once committed, with this turn's other writes (a bulk delete of objects
   * that have rows, as every object written through objbatch does, costs no write transaction per object).
   * An ETag cached and not yet written is forgotten at once.
   */
  deleteRow(bucket: string, key: string): Promise<void> {
    if (this.pending.size > 0) this.pending.delete(pendingKey(bucket, key));
    return this.enqueue(() => this.deleteStmt.run(bucket, key));
  }

  /** Remembers an ETag for a file of this size and mtime; written in the next batch. */
  cacheEtag(bucket: string, key: string, etag: string, size: number, mtimeNs: string): void {
    this.pending.set(pendingKey(bucket, key), { bucket, key, etag, size, mtimeNs });
    if (this.pending.size >= FLUSH_AT) this.flush();
    else this.schedule();
  }

  /** Forgets an ETag cached for a file that is gone, if it was not written yet. */
  forgetEtag(bucket: string, key: string): void {
    if (this.pending.size > 0) this.pending.delete(pendingKey(bucket, key));
  }

  /** Sets the object's tags; resolves once committed (batched with this turn's other writes). */
  setTags(bucket: string, key: string, tagsJson: string | null): Promise<void> {
    return this.enqueue(() => this.setTagsStmt.run(bucket, key, tagsJson));
  }

  /** Sets the object's ACL; resolves once committed (batched with this turn's other writes). */
  setAcl(bucket: string, key: string, aclJson: string | null): Promise<void> {
    return this.enqueue(() => this.setAclStmt.run(bucket, key, aclJson));
  }

  /**
   * Runs `read` (synchronous calls of this MetadataDb, e.g. `() => db.lock(bucket, key)`) together with the other
   * reads asked for in this event-loop turn, in one read transaction, and resolves with what it returns (or
   * rejects with what it throws).
   */
  readTogether<T>(read: () => T): Promise<T> {
    if (!this.db.open) return Promise.reject(new Error("the metadata database is closed"));
    return new Promise<T>((resolve, reject) => {
      this.reads.push({ read, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Writes queued and not yet committed (for tests and the bench). */
  get queuedWrites(): number {
    return this.queued.length;
  }

  private enqueue(run: () => void): Promise<void> {
    if (!this.db.open) return Promise.reject(new Error("the metadata database is closed"));
    return new Promise((resolve, reject) => {
      this.queued.push({ run, resolve, reject });
      if (this.queued.length >= FLUSH_AT) this.commitQueued();
      else this.schedule();
    });
  }

  /** A flush once this event-loop turn is over. */
  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Answers the queued reads in one read transaction, or each on its own if that transaction fails (reads change
   * nothing, so one answered already and run again costs only its time).
   */
  private answerReads(): void {
    if (this.reads.length === 0) return;
    const reads = this.reads;
    this.reads = [];
    try {
      this.readTxn(reads);
    } catch {
      for (const r of reads) answer(r);
    }
  }

  /**
   * Commits the queued writes in one transaction and settles their promises. When that transaction fails, each
   * write is tried on its own, so one bad write fails its own caller only.
   */
  private commitQueued(): void {
    if (this.queued.length === 0) return;
    const writes = this.queued;
    this.queued = [];
    try {
      this.commitTxn(writes);
    } catch {
      for (const w of writes) {
        try {
          w.run();
          w.resolve();
        } catch (e) {
          w.reject(e);
        }
      }
      return;
    }
    for (const w of writes) w.resolve();
  }

  setRestore(bucket: string, key: string, tier: string, readyAt: number, expiry: number): void {
    this.setRestoreStmt.run(bucket, key, tier, readyAt, expiry);
  }

  /** The Object Lock columns of an object's row (undefined without a row: nothing is locked). */
  lock(bucket: string, key: string): Pick<ObjectRow, LockColumn> | undefined {
    if (!this.mayHaveRows(bucket)) return undefined;
    return this.lockStmt.get(bucket, key) as Pick<ObjectRow, LockColumn> | undefined;
  }

  /**
   * False only inside a batch's read transaction (readTogether) for a bucket that has no row in its snapshot;
   * elsewhere every read asks its own statement.
   */
  private mayHaveRows(bucket: string): boolean {
    const buckets = this.bucketsInBatch;
    if (buckets === undefined) return true;
    let any = buckets.get(bucket);
    if (any === undefined) {
      any = this.anyInBucketStmt.get(bucket) !== undefined;
      buckets.set(bucket, any);
    }
    return any;
  }

  setEventBasedHold(bucket: string, key: string, hold: "ON" | null): void {
    this.setEventBasedHoldStmt.run(bucket, key, hold);
  }

  /** Replaces the object's metadata columns, leaving every other column (tags, ACL, locks, ETag) as it is. */
  setMetadata(bucket: string, key: string, columns: Pick<ObjectRow, MetadataColumn>): void {
    this.setMetadataStmt.run({ bucket, key, ...columns });
  }

  setLegalHold(bucket: string, key: string, legalHold: "ON" | null): void {
    this.setLegalHoldStmt.run(bucket, key, legalHold);
  }

  setRetention(bucket: string, key: string, mode: string | null, until: number | null): void {
    this.setRetentionStmt.run(bucket, key, mode, until);
  }

  /** Commits the queued writes, answers the queued reads and writes the cached ETags. */
  flush(): void {
    this.flushScheduled = false;
    if (!this.db.open) return;
    this.commitQueued();
    this.answerReads();
    if (this.pending.size === 0) return;
    const items = [...this.pending.values()];
    this.pending.clear();
    this.flushTxn(items);
  }

  close(): void {
    if (!this.db.open) return;
    this.flush();
    this.db.close();
  }
}

/** Settles a queued read with what its function returns or throws (a read is answered once). */
function answer(r: QueuedRead): void {
  let value: unknown;
  try {
    value = r.read();
  } catch (e) {
    r.reject(e);
    return;
  }
  r.resolve(value);
}

const pendingKey = (bucket: string, key: string): string => `${bucket}\u0000${key}`;

const NO_ROWS: readonly never[] = [];
