/**
 * The SQLite adapter on whichever engine this Node uses (node:sqlite on 24+, better-sqlite3 before).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { openSqliteDatabase, SQLITE_ENGINE } from "../../src/sqlite/database.js";

describe(`SQLite adapter (${SQLITE_ENGINE})`, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-sqlite-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

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
