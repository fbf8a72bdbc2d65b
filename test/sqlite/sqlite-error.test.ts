/**
 * SQLite's result codes read alike from either engine: the errors this Node's engine really throws, and the
 * shapes of the other engine's.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqliteDatabase, SQLITE_ENGINE } from "../../src/sqlite/database.js";
import { isSqliteBusy, sqlitePrimaryName } from "../../src/sqlite/sqlite-error.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}

describe(`SQLite errors (${SQLITE_ENGINE})`, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-sqlite-error-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("names what this engine throws: a writer already there, a constraint, bad SQL", () => {
    const file = join(dir, "errors.sqlite");
    const holder = openSqliteDatabase(file);
    const other = openSqliteDatabase(file);
    try {
      holder.exec("create table t (k integer primary key)");
      holder.exec("insert into t values (1)");
      holder.exec("begin immediate");
      other.exec("pragma busy_timeout = 0");
      const busy = thrown(() => other.exec("begin immediate"));
      assert.equal(sqlitePrimaryName(busy), "SQLITE_BUSY");
      assert.equal(isSqliteBusy(busy), true);
      holder.exec("rollback");

      const unique = thrown(() => other.exec("insert into t values (1)"));
      assert.equal(sqlitePrimaryName(unique), "SQLITE_CONSTRAINT");
      assert.equal(isSqliteBusy(unique), false);
      assert.equal(sqlitePrimaryName(thrown(() => other.exec("select * from missing"))), "SQLITE_ERROR");
    } finally {
      other.close();
      holder.close();
    }
  });

  it("reads either engine's shape, extended codes by their primary", () => {
    // better-sqlite3 names the code; node:sqlite numbers it (extended codes keep the primary in the low byte).
    assert.equal(sqlitePrimaryName({ code: "SQLITE_BUSY" }), "SQLITE_BUSY");
    assert.equal(sqlitePrimaryName({ code: "SQLITE_BUSY_SNAPSHOT" }), "SQLITE_BUSY");
    assert.equal(sqlitePrimaryName({ code: "SQLITE_IOERR_WRITE" }), "SQLITE_IOERR");
    assert.equal(sqlitePrimaryName({ code: "ERR_SQLITE_ERROR", errcode: 5 }), "SQLITE_BUSY");
    assert.equal(sqlitePrimaryName({ code: "ERR_SQLITE_ERROR", errcode: 517 }), "SQLITE_BUSY"); // BUSY_SNAPSHOT
    assert.equal(sqlitePrimaryName({ code: "ERR_SQLITE_ERROR", errcode: 778 }), "SQLITE_IOERR"); // IOERR_WRITE
    assert.equal(sqlitePrimaryName({ code: "ERR_SQLITE_ERROR", errcode: 2067 }), "SQLITE_CONSTRAINT"); // UNIQUE
    assert.equal(isSqliteBusy({ code: "ERR_SQLITE_ERROR", errcode: 6 }), false); // SQLITE_LOCKED
    // Not SQLite's: a socket error, PostgreSQL's SQLSTATE, a bare message, nothing.
    assert.equal(sqlitePrimaryName({ code: "ECONNREFUSED" }), undefined);
    assert.equal(sqlitePrimaryName({ code: "23505" }), undefined);
    assert.equal(sqlitePrimaryName(new Error("database is locked")), undefined);
    assert.equal(sqlitePrimaryName(undefined), undefined);
  });
});
