/**
 * Which driver errors mean the job store is unavailable: PostgreSQL restarting, down, failing over or out of
 * connections, the network to it broken; SQLite's disk full, an I/O error, a read-only or locked file. Every
 * such error is turned into a StoreUnavailableError (errors.ts) at the edge of the store (guarded-dialect.ts),
 * so the engine knows to back off and retry. Any other driver error (a constraint, a bug) passes through
 * unchanged. Why: docs/decisions.md D14.
 */
import { sqlitePrimaryName } from "../sqlite/sqlite-error.js";
import { isStoreUnavailable, type StoreFailure } from "./errors.js";

/** Node's socket errors: the server is not there, or the connection to it broke. */
const SOCKET_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** pg's own messages for a connection that is gone or could not be made in time. */
const PG_CONNECTION_MESSAGES = ["Connection terminated", "is not queryable", "timeout exceeded when trying to connect"];

/** What SQLite's primary result codes (sqlite/sqlite-error.ts) say of the store. */
const SQLITE_FAILURES: Readonly<Record<string, StoreFailure>> = {
  SQLITE_BUSY: "unreachable",
  SQLITE_LOCKED: "unreachable",
  SQLITE_READONLY: "unwritable",
  SQLITE_IOERR: "unwritable",
  SQLITE_FULL: "unwritable",
  SQLITE_CANTOPEN: "unreachable",
  SQLITE_PROTOCOL: "unreachable",
};

/**
 * How a driver error says the store is unavailable, or undefined when it says something else (a constraint
 * violation, bad SQL). Recognises pg's errors (SQLSTATE classes 08 connection, 53 insufficient resources, 57P01-03
 * shutdown and startup, 58 system errors, 25006 read-only after a failover), socket errors, and SQLite's from
 * better-sqlite3 (`code` SQLITE_FULL, SQLITE_IOERR_WRITE, ...) and node:sqlite (`errcode` 13, 266, ...).
 */
export function storeFailureOf(e: unknown): StoreFailure | undefined {
  if (e === null || typeof e !== "object") return undefined;
  if (isStoreUnavailable(e)) return e.failure;
  const err = e as { code?: unknown; message?: unknown; errors?: unknown };
  const sqlite = sqlitePrimaryName(e);
  if (sqlite !== undefined) return SQLITE_FAILURES[sqlite];
  const code = typeof err.code === "string" ? err.code : undefined;
  if (code !== undefined) {
    if (SOCKET_CODES.has(code)) return "unreachable";
    if (/^[0-9A-Z]{5}$/.test(code)) {
      const pg = postgresFailure(code);
      if (pg) return pg;
    }
  }
  if (typeof err.message === "string" && PG_CONNECTION_MESSAGES.some((m) => (err.message as string).includes(m))) {
    return "unreachable";
  }
  // Node's happy-eyeballs connect fails with an AggregateError of the attempts' errors.
  if (Array.isArray(err.errors) && err.errors.some((inner) => storeFailureOf(inner) !== undefined)) {
    return "unreachable";
  }
  return undefined;
}

function postgresFailure(sqlstate: string): StoreFailure | undefined {
  if (sqlstate.startsWith("08")) return "unreachable"; // connection exception
  if (sqlstate === "57P01" || sqlstate === "57P02" || sqlstate === "57P03") return "unreachable"; // shutdown, startup
  if (sqlstate === "53300") return "unreachable"; // too many connections
  if (sqlstate.startsWith("53")) return "unwritable"; // disk full, out of memory, ...
  if (sqlstate.startsWith("58")) return "unwritable"; // I/O error, system error
  if (sqlstate === "25006") return "unwritable"; // read-only transaction: a standby after a failover
  return undefined;
}
