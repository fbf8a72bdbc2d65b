/**
 * The schema of the local backend's metadata database (meta/objects.sqlite) and its migrations.
 *
 * Version 0 is the table as the first release created it (without a schema version). Each later version is
 * one migration, applied in order; PRAGMA user_version records how many have run. Migrations only add
 * columns whose NULL means "as before", so a data dir written by an older objbatch keeps every object and
 * attribute, and its objects simply have no Object Lock state.
 *
 * Several threads and processes may open one data dir at once (the engine's chunk workers each open their
 * own storage), so the check and the migrations run in one BEGIN IMMEDIATE transaction: the first opener
 * migrates, the others wait for its lock (busy timeout) and then find nothing left to do.
 */
import type { SqliteDatabase } from "../../sqlite/database.js";

const VERSION_0 = `
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  etag TEXT,
  size INTEGER,
  mtime_ns TEXT,
  content_type TEXT,
  cache_control TEXT,
  content_disposition TEXT,
  content_encoding TEXT,
  content_language TEXT,
  expires TEXT,
  user_metadata TEXT,
  tags TEXT,
  acl TEXT,
  storage_class TEXT,
  restore_tier TEXT,
  restore_ready_at INTEGER,
  restore_expiry INTEGER,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
`;

/** Migration i takes the schema from version i to version i + 1. */
const MIGRATIONS: readonly string[] = [
  // 1: Object Lock. legal_hold 'ON' or NULL (off); retention_mode 'COMPLIANCE' | 'GOVERNANCE' with
  // retention_until in epoch milliseconds, or both NULL.
  `ALTER TABLE objects ADD COLUMN legal_hold TEXT;
   ALTER TABLE objects ADD COLUMN retention_mode TEXT;
   ALTER TABLE objects ADD COLUMN retention_until INTEGER;`,
  // 2: Google's event-based hold (D45): 'ON' or NULL (off).
  "ALTER TABLE objects ADD COLUMN event_based_hold TEXT;",
];

export const METADATA_SCHEMA_VERSION = MIGRATIONS.length;

export function migrateMetadataDb(db: SqliteDatabase): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(VERSION_0);
    const { user_version: version } = db.prepare("PRAGMA user_version").get() as { user_version: number };
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The local metadata database has schema version ${version}, newer than this objbatch knows (${MIGRATIONS.length}); upgrade objbatch`,
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    if (version !== MIGRATIONS.length) db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
    db.exec("COMMIT");
  } catch (e) {
    db.exec("ROLLBACK");
    throw e;
  }
}
