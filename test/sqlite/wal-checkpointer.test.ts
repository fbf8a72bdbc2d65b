import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { openSqliteDatabase } from "../../src/sqlite/database.js";
import { DEFAULT_BACKSTOP_PAGES, WalCheckpointer } from "../../src/sqlite/wal-checkpointer.js";
import { openSqlite } from "../../src/store/connect.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "objbatch-checkpoint-"));
}

/** Waits for `done` (no deadline of its own beyond a generous one: the thread runs when the machine lets it). */
async function eventually(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await sleep(10);
  }
}

test("the thread copies the log into the database file while the owner's commits only append", async () => {
  const dir = await tempDir();
  const file = join(dir, "db.sqlite");
  const owner = openSqliteDatabase(file);
  const checkpointer = WalCheckpointer.start(file, (pages) => owner.exec(`PRAGMA wal_autocheckpoint = ${pages}`), {
    intervalMs: 20,
    backstopPages: 100_000,
  });
  try {
    // The owner would not checkpoint before 100,000 pages: 3 MB (about 750 pages) stays in its log...
    // (node:sqlite hands rows out with a null prototype: compare the values.)
    const setting = owner.prepare("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number };
    assert.equal(setting.wal_autocheckpoint, 100_000);
    owner.exec("CREATE TABLE t (x BLOB)");
    const insert = owner.prepare("INSERT INTO t VALUES (randomblob(4000))");
    owner.transaction(() => {
      for (let i = 0; i < 750; i++) insert.run();
    })();
    // ...until the thread copies it into the database file.
    await eventually(() => statSync(file).size >= 3_000_000, "the database file holds the committed pages");
    assert.equal((owner.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 750);
  } finally {
    await checkpointer.close();
    owner.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a store opened for a long-running objbatch checkpoints in the background; others keep SQLite's own", async () => {
  const dir = await tempDir();
  try {
    const file = join(dir, "jobs.sqlite");
    const autocheckpoint = async (c: Awaited<ReturnType<typeof openSqlite>>) =>
      (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(c.db)).rows[0]?.wal_autocheckpoint;

    const background = await openSqlite(file, { backgroundCheckpoints: true });
    assert.equal(await autocheckpoint(background), DEFAULT_BACKSTOP_PAGES);
    await background.close();

    const plain = await openSqlite(file);
    assert.equal(await autocheckpoint(plain), 1000);
    await plain.close();

    const memory = await openSqlite(":memory:", { backgroundCheckpoints: true });
    assert.equal(await autocheckpoint(memory), 1000);
    await memory.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
