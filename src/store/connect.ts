/**
 * Opens the job store: SQLite (embedded default, one file in the data dir) or PostgreSQL (shared by several
 * API servers and workers). Both get the same schema and the same queries, behind one guarded edge
 * (guarded-dialect.ts): an unreachable or unwritable store shows as a StoreUnavailableError, and its health is
 * known for /healthz.
 */
import { type Dialect, Kysely, PostgresDialect, sql } from "kysely";
import { forKysely, openSqliteDatabase } from "../sqlite/database.js";
import { WalCheckpointer } from "../sqlite/wal-checkpointer.js";
import { guardDialect } from "./guarded-dialect.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";
import { ImmediateSqliteDialect } from "./sqlite-dialect.js";
import { StoreHealth } from "./store-health.js";

export type StoreDialect = "sqlite" | "postgres";

export interface StoreConnection {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  readonly health: StoreHealth;
  /**
   * Proves the store works: on SQLite a write (rewriting the header's user_version, the smallest write there
   * is: a full disk serves reads but fails this), on PostgreSQL a read (its writes fail with the connection).
   */
  probe(): Promise<void>;
  close(): Promise<void>;
}

function guarded(inner: Dialect, dialect: StoreDialect): StoreConnection {
  const health = new StoreHealth();
  const db = new Kysely<Database>({ dialect: guardDialect(inner, health) });
  return {
    db,
    dialect,
    health,
    probe: dialect === "sqlite" ? () => rewriteUserVersion(db) : async () => void (await sql`select 1`.execute(db)),
    close: () => db.destroy(),
  };
}

async function rewriteUserVersion(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(db);
  const version = Number(rows[0]?.user_version ?? 0);
  await sql.raw(`pragma user_version = ${Math.trunc(version)}`).execute(db);
}

export interface OpenStoreOptions {
  /**
   * SQLite: checkpoint the WAL from a thread of its own (sqlite/wal-checkpointer.ts, D51), so that no commit on
   * the event loop copies the log back into the file. For a long-running objbatch; a file only, not `:memory:`.
   */
  readonly backgroundCheckpoints?: boolean;
}

export async function openSqlite(file: string, options: OpenStoreOptions = {}): Promise<StoreConnection> {
  const raw = openSqliteDatabase(file);
  const conn = guarded(new ImmediateSqliteDialect({ database: forKysely(raw) }), "sqlite");
  await migrateToLatest(conn.db as Kysely<unknown>, "sqlite");
  if (!options.backgroundCheckpoints || isInMemory(file)) return conn;
  const checkpointer = WalCheckpointer.start(file, (pages) => raw.exec(`PRAGMA wal_autocheckpoint = ${pages}`));
  return {
    ...conn,
    async close() {
      await checkpointer.close();
      await conn.close();
    },
  };
}

function isInMemory(file: string): boolean {
  return file === "" || file === ":memory:" || file.startsWith("file::memory:");
}

let int8ParserInstalled = false;

export async function openPostgres(connectionString: string, poolSize = 10): Promise<StoreConnection> {
  // Loaded only for a PostgreSQL store: an embedded (SQLite) objbatch never holds the driver in memory.
  const { default: pg } = await import("pg");
  if (!int8ParserInstalled) {
    // BIGINT columns hold milliseconds and counters, all well inside Number's exact range.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
    int8ParserInstalled = true;
  }
  // A connection attempt to a server that does not answer gives up after 10 s (the default waits forever);
  // keep-alive notices a peer that vanished without closing the connection.
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: 10_000, keepAlive: true });
  // An idle connection the server closes (restart, failover, an administrator) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on("error", (err) => {
    process.emitWarning(`job store connection lost: ${err.message}`, { code: "OBJBATCH_PG_IDLE_ERROR" });
  });
  // Nor may one that is checked out (in a transaction, or between a query's answer and its release): pg emits
  // 'error' on the client then too, and an 'error' event nobody listens to ends the process. The query in
  // flight gets the error itself, and the pool drops the client when it comes back.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  const conn = guarded(new PostgresDialect({ pool }), "postgres");
  await migrateToLatest(conn.db as Kysely<unknown>, "postgres");
  return conn;
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<StoreConnection> {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return openPostgres(url);
  const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  return openSqlite(file, options);
}
