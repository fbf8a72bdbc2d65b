/**
 * The edge of the job store: wraps a Kysely dialect's driver so that every error meaning "the store is
 * unavailable" (store-unavailable.ts) leaves the store as one StoreUnavailableError, whatever the engine
 * (pg, better-sqlite3, node:sqlite) said, and so that every statement's outcome is recorded for /healthz
 * (store-health.ts). Everything else passes through untouched.
 *
 * SQLite rolls a transaction back by itself when a statement in it fails for a full disk or an I/O error;
 * Kysely then asks for a rollback, which SQLite refuses ("no transaction is active"). That refusal would hide
 * the real error, so it is ignored here: the transaction is gone, as the rollback wanted.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { StoreUnavailableError } from "./errors.js";
import type { StoreHealth } from "./store-health.js";
import { storeFailureOf } from "./store-unavailable.js";

export function guardDialect(inner: Dialect, health: StoreHealth): Dialect {
  return {
    createAdapter: (): DialectAdapter => inner.createAdapter(),
    createDriver: (): Driver => new GuardedDriver(inner.createDriver(), health),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => inner.createIntrospector(db),
  };
}

/**
 * Statements that only read; anything else counts as a write. A pragma reads when it assigns nothing
 * (`pragma user_version`, `pragma user_version;`); the word boundary belongs to the keywords, not after the end.
 */
const READ_ONLY_SQL = /^\s*(?:(?:select|show)\b|with\b[\s\S]*\bselect\b|pragma\s+\w+\s*;?\s*$)/i;

function isWrite(query: CompiledQuery): boolean {
  if (query.query.kind === "SelectQueryNode") return false;
  if (query.query.kind === "RawNode") return !READ_ONLY_SQL.test(query.sql);
  return true;
}

class GuardedConnection implements DatabaseConnection {
  inTransaction = false;
  /** A write ran in the open transaction: its commit is a write. */
  wroteInTransaction = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: StoreHealth,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const write = isWrite(query);
    try {
      const result = await this.inner.executeQuery<R>(query);
      if (this.inTransaction) this.wroteInTransaction ||= write;
      this.health.succeeded(write && !this.inTransaction);
      return result;
    } catch (e) {
      throw storeError(e, this.health);
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      for await (const result of this.inner.streamQuery<R>(query, chunkSize)) yield result;
      this.health.succeeded(false);
    } catch (e) {
      throw storeError(e, this.health);
    }
  }
}

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: StoreHealth,
  ) {}

  async init(): Promise<void> {
    await this.guard(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await this.guard(() => this.inner.acquireConnection()), this.health);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as GuardedConnection;
    await this.guard(() => this.inner.beginTransaction(c.inner, settings));
    c.inTransaction = true;
    c.wroteInTransaction = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as GuardedConnection;
    try {
      await this.guard(() => this.inner.commitTransaction(c.inner));
      this.health.succeeded(c.wroteInTransaction);
    } finally {
      c.inTransaction = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as GuardedConnection;
    try {
      await this.inner.rollbackTransaction(c.inner);
    } catch (e) {
      if (!/no transaction is active/i.test((e as Error)?.message ?? "")) throw storeError(e, this.health);
    } finally {
      c.inTransaction = false;
    }
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    await this.guard(() => this.inner.savepoint!((connection as GuardedConnection).inner, name, compile));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.guard(() => this.inner.rollbackToSavepoint!((connection as GuardedConnection).inner, name, compile));
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler["compileQuery"],
  ): Promise<void> {
    await this.guard(() => this.inner.releaseSavepoint!((connection as GuardedConnection).inner, name, compile));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection((connection as GuardedConnection).inner);
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw storeError(e, this.health);
    }
  }
}

/** Records an unavailable store and turns its error into a StoreUnavailableError; other errors pass. */
function storeError(e: unknown, health: StoreHealth): unknown {
  if (e instanceof StoreUnavailableError) return e;
  const failure = storeFailureOf(e);
  if (!failure) return e;
  health.failed(failure);
  return new StoreUnavailableError(failure, e);
}
