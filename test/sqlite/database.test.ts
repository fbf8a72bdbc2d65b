/**
 * The SQLite adapter on whichever engine this Node uses (node:sqlite on 24+, better-sqlite3 before).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { forKysely, openSqliteDatabase, SQLITE_ENGINE, type SqliteDatabase } from "../../src/sqlite/database.js";

describe(`SQLite adapter (${SQLITE_ENGINE})`, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-sqlite-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("keeps compiled statements for Kysely by their text, the most recently used, never busy under a stream", () => {
    const db = openSqliteDatabase(join(dir, "kept.sqlite"));
    const compiled: string[] = [];
    const counting: SqliteDatabase = {
      ...db,
      engine: db.engine,
      open: db.open,
      prepare: (sql) => {
        compiled.push(sql);
        return db.prepare(sql);
      },
    };
    const k = forKysely(counting);
    k.prepare("create table t (k integer primary key, v text)").run([]);
    const insert = "insert into t (k, v) values (?, ?)";
    for (let i = 0; i < 300; i++) k.prepare(insert).run([i, `v${i}`]);
    assert.equal(compiled.filter((sql) => sql === insert).length, 1, "compiled once, run 300 times");

    // A stream holds its own statement: the kept one runs meanwhile.
    const select = "select k from t where k < ? order by k";
    const rows = k.prepare(select).iterate([3]);
    assert.deepEqual({ ...(rows.next().value as object) }, { k: 0 });
    assert.equal(k.prepare(select).all([2]).length, 2);
    assert.deepEqual(
      [...rows].map((r) => (r as { k: number }).k),
      [1, 2],
    );

    // At most 256 are kept: the least recently used is compiled again, the one just used is not.
    for (let i = 0; i < 256; i++) k.prepare(`select ${i} as n`).all([]);
    k.prepare(insert).run([1000, "again"]);
    assert.equal(compiled.filter((sql) => sql === insert).length, 2, "dropped after 256 others, compiled again");
    k.prepare("select 255 as n").all([]);
    assert.equal(compiled.filter((sql) => sql === "select 255 as n").length, 1);
    k.close();
  });

  it("opens in WAL mode with a busy timeout, runs statements and transactions", () => {
    const db = openSqliteDatabase(join(dir, "a.sqlite"));
    assert.deepEqual({ ...(db.prepare("PRAGMA journal_mode").get() as object) }, { journal_mode: "wal" });
    assert.deepEqual({ ...(db.prepare("PRAGMA busy_timeout").get() as object) }, { timeout: 5000 });
    // SQLite's default page cache (2,000 KiB) on both engines, not better-sqlite3's 16 MB (D23).
    assert.deepEqual({ ...(db.prepare("PRAGMA cache_size").get() as object) }, { cache_size: -2000 });
    db.exec("create table t (k text primary key, v integer)");
    const insert = db.prepare("insert into t (k, v) values (?, ?)");
    assert.equal(insert.reader, false);
    assert.equal(Number(insert.run("a", 1).changes), 1);
    const many = db.transaction((rows: [string, number][]) => {
      for (const [k, v] of rows) insert.run(k, v);
    });
    many([
      ["b", 2],
      ["c", 3],
    ]);
    assert.throws(
      () =>
        many([
          ["d", 4],
          ["a", 5],
        ]),
      /UNIQUE/,
    );
    const select = db.prepare("select k, v from t order by k");
    assert.equal(select.reader, true);
    assert.deepEqual(
      select.all().map((r) => ({ ...(r as object) })),
      [
        { k: "a", v: 1 },
        { k: "b", v: 2 },
        { k: "c", v: 3 },
      ],
      "the failed transaction left nothing behind",
    );
    assert.deepEqual({ ...(db.prepare("select v from t where k = @k").get({ k: "b" }) as object) }, { v: 2 });
    db.close();
    assert.equal(db.open, false);
  });

  it("waits for another connection's lock instead of failing when it opens a database", async () => {
    const file = join(dir, "locked.sqlite");
    const boot = new URL("../../src/engine/worker-boot.mjs", import.meta.url);
    const entry = new URL("./hold-lock.ts", import.meta.url).href;
    const holder = new Worker(boot, { workerData: { entry, file, ms: 400 } });
    try {
      await new Promise((resolve, reject) => {
        holder.once("message", resolve);
        holder.once("error", reject);
      });
      const started = Date.now();
      const db = openSqliteDatabase(file); // switching to WAL needs the lock the other thread holds
      assert.ok(Date.now() - started >= 200, "it waited for the lock");
      assert.deepEqual({ ...(db.prepare("PRAGMA journal_mode").get() as object) }, { journal_mode: "wal" });
      db.close();
    } finally {
      await holder.terminate();
    }
  });

  it("waits for another connection's write instead of failing when it switches a new database to WAL (D52)", async () => {
    // The switch reads the header under a shared lock, then asks for the write lock that the other thread holds:
    // SQLite answers that at once with SQLITE_BUSY, without its busy timeout.
    const file = join(dir, "reserved.sqlite");
    const boot = new URL("../../src/engine/worker-boot.mjs", import.meta.url);
    const entry = new URL("./hold-lock.ts", import.meta.url).href;
    const holder = new Worker(boot, { workerData: { entry, file, ms: 300, lock: "reserved" } });
    const released = new Promise((resolve) => holder.on("message", (m) => m === "released" && resolve(m)));
    try {
      await new Promise((resolve, reject) => {
        holder.once("message", resolve);
        holder.once("error", reject);
      });
      const db = openSqliteDatabase(file); // threw "database is locked" before D52
      await released;
      assert.deepEqual({ ...(db.prepare("PRAGMA journal_mode").get() as object) }, { journal_mode: "wal" });
      assert.deepEqual({ ...(db.prepare("select count(*) as n from held").get() as object) }, { n: 1 });
      db.close();
    } finally {
      await holder.terminate();
    }
  });

  it("lets several threads open one new database at once", async () => {
    const file = join(dir, "shared.sqlite");
    // Open from four threads at the same moment through the adapter itself.
    const boot = new URL("../../src/engine/worker-boot.mjs", import.meta.url);
    const entry = new URL("./open-in-worker.ts", import.meta.url).href;
    const results = await Promise.all(
      Array.from({ length: 4 }, () => {
        const worker = new Worker(boot, { workerData: { entry, file } });
        return new Promise<string>((resolve, reject) => {
          worker.once("message", (m) => resolve(String(m)));
          worker.once("error", reject);
        }).finally(() => worker.terminate());
      }),
    );
    assert.deepEqual(results, ["wal", "wal", "wal", "wal"]);
  });
});
