/**
 * One synchronous SQLite API for the job store and the local backend's metadata, over two engines:
 * - Node 24 and later: the built-in `node:sqlite`. better-sqlite3 before 13 aborts the process on Node 24.19+
 *   (its statements are node::ObjectWrap objects, and a statement collected outside a JavaScript context
 *   trips an assertion in RemoveEnvironmentCleanupHook), and better-sqlite3 13 no longer runs on Node 20.
 * - Node 20 and 22: better-sqlite3, loaded only then.
 * Both get the same pragmas (WAL, synchronous NORMAL, a busy timeout) and behave the same to callers.
 */
import { createRequire } from "node:module";
import { isSqliteBusy } from "./sqlite-error.js";

export interface SqliteRunResult {
  readonly changes: number | bigint;
  readonly lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  /** True when the statement returns rows. */
  readonly reader: boolean;
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

export interface SqliteDatabase {
  readonly engine: "node:sqlite" | "better-sqlite3";
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  /** Wraps `fn` so each call runs in one transaction (rolled back if it throws). */
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

const require = createRequire(import.meta.url);
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

export const SQLITE_ENGINE: SqliteDatabase["engine"] = NODE_MAJOR >= 24 ? "node:sqlite" : "better-sqlite3";

/**
 * busy_timeout first: several threads may open a new database at once, and switching it to WAL takes a lock.
 * The busy timeout does not cover all of that switch, though: it reads the database's header under a shared lock
 * and then asks for the write lock while still holding it, and SQLite answers a connection that holds a read lock
 * and finds another writer with SQLITE_BUSY at once, without waiting (waiting could deadlock). So the pragmas are
 * run again after a short sleep while they find the database busy, for as long as the busy timeout (D52).
 * cache_size: SQLite's own default page cache, about 2 MB a connection (node:sqlite keeps it); better-sqlite3 is
 * built with 16 MB. A page cache fills as a database grows and is never given back, in the malloc heap of the
 * thread that uses the connection: through a 1,000,000-task job the job store's and the local backend's
 * caches grew the main thread's heap by 13 MB, and the pages they held are on local disk, in the OS's cache
 * anyway (docs/decisions.md D23).
 */
const BUSY_TIMEOUT_MS = 5000;
const PRAGMAS = [
  `busy_timeout = ${BUSY_TIMEOUT_MS}`,
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "foreign_keys = ON",
  "cache_size = -2000",
];

export function openSqliteDatabase(file: string): SqliteDatabase {
  const db = SQLITE_ENGINE === "node:sqlite" ? openBuiltin(file) : openBetterSqlite3(file);
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (const pragma of PRAGMAS) execWhileBusy(db, `PRAGMA ${pragma}`, deadline);
  return db;
}

/** Runs `sql`, again after a short sleep each time SQLite finds the database busy, until `deadline`. */
function execWhileBusy(db: SqliteDatabase, sql: string, deadline: number): void {
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    try {
      db.exec(sql);
      return;
    } catch (e) {
      if (!isSqliteBusy(e) || Date.now() + pause > deadline) throw e;
      Atomics.wait(SLEEPER, 0, 0, pause);
    }
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

interface BuiltinStatement {
  run(...params: unknown[]): SqliteRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  columns(): unknown[];
}

interface BuiltinDatabase {
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): BuiltinStatement;
  close(): void;
}

function openBuiltin(file: string): SqliteDatabase {
  const { DatabaseSync } = require("node:sqlite") as {
    DatabaseSync: new (path: string, options: { timeout: number }) => BuiltinDatabase;
  };
  const db = new DatabaseSync(file, { timeout: 5000 });
  const wrap = (stmt: BuiltinStatement): SqliteStatement => {
    const reader = stmt.columns().length > 0;
    return {
      reader,
      run: (...params) => stmt.run(...params),
      get: (...params) => stmt.get(...params),
      all: (...params) => stmt.all(...params),
      iterate: (...params) => stmt.iterate(...params),
    };
  };
  return {
    engine: "node:sqlite",
    get open() {
      return db.isOpen;
    },
    exec: (sql) => db.exec(sql),
    prepare: (sql) => wrap(db.prepare(sql)),
    transaction:
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        db.exec("BEGIN");
        try {
          fn(...args);
          db.exec("COMMIT");
        } catch (e) {
          db.exec("ROLLBACK");
          throw e;
        }
      },
    close: () => db.close(),
  };
}

interface BetterStatement extends SqliteStatement {}

interface BetterDatabase {
  readonly open: boolean;
  exec(sql: string): void;
  prepare(sql: string): BetterStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  close(): void;
}

function openBetterSqlite3(file: string): SqliteDatabase {
  const Database = require("better-sqlite3") as new (path: string) => BetterDatabase;
  const db = new Database(file);
  return {
    engine: "better-sqlite3",
    get open() {
      return db.open;
    },
    exec: (sql) => db.exec(sql),
    prepare: (sql) => db.prepare(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}

/**
 * The database as Kysely's SqliteDialect wants it: statements take their parameters as one array.
 */
export function forKysely(db: SqliteDatabase) {
  // Preparing a statement costs more than running most of the store's: compiled statements are kept by their
  // text, the most recently used STATEMENTS_KEPT of them. A kept statement is only run or read at once (all,
  // run); a stream gets a statement of its own, so a kept one is never left busy under an open iterator.
  const kept = new Map<string, KyselyStatement>();
  const compile = (sql: string): KyselyStatement => {
    const stmt = db.prepare(sql);
    return {
      reader: stmt.reader,
      all: (params) => stmt.all(...params),
      run: (params) => stmt.run(...params),
      iterate: (params) => db.prepare(sql).iterate(...params),
    };
  };
  return {
    close: () => {
      kept.clear();
      db.close();
    },
    prepare: (sql: string): KyselyStatement => {
      let stmt = kept.get(sql);
      if (stmt) {
        kept.delete(sql); // and set again below: the most recently used go last
      } else {
        stmt = compile(sql);
        if (kept.size >= STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
      }
      kept.set(sql, stmt);
      return stmt;
    },
  };
}

interface KyselyStatement {
  readonly reader: boolean;
  all(params: ReadonlyArray<unknown>): unknown[];
  run(params: ReadonlyArray<unknown>): SqliteRunResult;
  iterate(params: ReadonlyArray<unknown>): IterableIterator<unknown>;
}

/** Compiled statements the job store keeps (a multi-row insert is a text per row count, so a few hundred). */
const STATEMENTS_KEPT = 256;
