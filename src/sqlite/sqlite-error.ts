/**
 * What an SQLite error says, read the same from either engine (database.ts): better-sqlite3 names the result
 * code (`code` "SQLITE_BUSY", "SQLITE_IOERR_WRITE", ...), node:sqlite numbers it (`errcode` 5, 778, ..., with
 * `code` "ERR_SQLITE_ERROR"). Extended codes keep their primary code in the low byte, and their names start
 * with the primary's, so both reduce to the primary code's name.
 */

/** SQLite's primary result codes by number (sqlite3.h). */
const PRIMARY_NAMES: readonly string[] = [
  "SQLITE_OK",
  "SQLITE_ERROR",
  "SQLITE_INTERNAL",
  "SQLITE_PERM",
  "SQLITE_ABORT",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_INTERRUPT",
  "SQLITE_IOERR",
  "SQLITE_CORRUPT",
  "SQLITE_NOTFOUND",
  "SQLITE_FULL",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
  "SQLITE_EMPTY",
  "SQLITE_SCHEMA",
  "SQLITE_TOOBIG",
  "SQLITE_CONSTRAINT",
  "SQLITE_MISMATCH",
  "SQLITE_MISUSE",
  "SQLITE_NOLFS",
  "SQLITE_AUTH",
  "SQLITE_FORMAT",
  "SQLITE_RANGE",
  "SQLITE_NOTADB",
  "SQLITE_NOTICE",
  "SQLITE_WARNING",
];

/**
 * The primary result code's name (`SQLITE_BUSY` for SQLITE_BUSY_SNAPSHOT too), or undefined when `e` is not an
 * SQLite error.
 */
export function sqlitePrimaryName(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const { code, errcode } = e as { code?: unknown; errcode?: unknown };
  if (typeof errcode === "number") return PRIMARY_NAMES[errcode & 0xff]; // node:sqlite
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return undefined;
  // better-sqlite3: a primary's name is one word after SQLITE_; an extended code's adds `_` and another.
  const second = code.indexOf("_", "SQLITE_".length);
  return second < 0 ? code : code.slice(0, second);
}

/** SQLITE_BUSY or one of its extended codes: another connection holds the lock this one needs. */
export function isSqliteBusy(e: unknown): boolean {
  return sqlitePrimaryName(e) === "SQLITE_BUSY";
}
