/**
 * Opens the job store: SQLite (embedded default, one file in the data dir) or PostgreSQL (shared by several
 * API servers and workers). Both get the same schema and the same queries.
 */
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { forKysely, openSqliteDatabase } from "../sqlite/database.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";

export type StoreDialect = "sqlite" | "postgres";

export interface StoreConnection {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  close(): Promise<void>;
}

export async function openSqlite(file: string): Promise<StoreConnection> {
  const database = forKysely(openSqliteDatabase(file));
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  await migrateToLatest(db as Kysely<unknown>);
  return { db, dialect: "sqlite", close: () => db.destroy() };
}

let int8ParserInstalled = false;

export async function openPostgres(connectionString: string, poolSize = 10): Promise<StoreConnection> {
  if (!int8ParserInstalled) {
    // BIGINT columns hold milliseconds and counters, all well inside Number's exact range.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
    int8ParserInstalled = true;
  }
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle connection the server closes (restart, failover, an administrator) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on("error", (err) => {
    process.emitWarning(`job store connection lost: ${err.message}`, { code: "OBJBATCH_PG_IDLE_ERROR" });
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db as Kysely<unknown>);
  return { db, dialect: "postgres", close: () => db.destroy() };
}

export async function openStore(url: string): Promise<StoreConnection> {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return openPostgres(url);
  const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  return openSqlite(file);
}
