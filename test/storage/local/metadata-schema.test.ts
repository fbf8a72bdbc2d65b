/**
 * The metadata schema and its migrations (metadata-schema.ts): a data dir written before Object Lock existed
 * (schema version 0, no user_version) opens with every object and attribute intact, gains the lock columns once,
 * and several storages opening it at once agree.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openSqliteDatabase } from "../../../src/sqlite/database.js";
import { LocalStorage } from "../../../src/storage/local/index.js";
import { METADATA_SCHEMA_VERSION } from "../../../src/storage/local/metadata-schema.js";
import { rejectsWith, text } from "./helpers.js";

/** The table exactly as the first release created it. */
const FIRST_RELEASE_SCHEMA = `
CREATE TABLE objects (
  bucket TEXT NOT NULL, key TEXT NOT NULL, etag TEXT, size INTEGER, mtime_ns TEXT, content_type TEXT,
  cache_control TEXT, content_disposition TEXT, content_encoding TEXT, content_language TEXT, expires TEXT,
  user_metadata TEXT, tags TEXT, acl TEXT, storage_class TEXT, restore_tier TEXT, restore_ready_at INTEGER,
  restore_expiry INTEGER, PRIMARY KEY (bucket, key)
) WITHOUT ROWID;`;

describe("local metadata schema migration", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("upgrades a first-release data dir in place, keeping its attributes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "objbatch-migrate-"));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, "meta"), { recursive: true });
    mkdirSync(join(dataDir, "buckets", "b"), { recursive: true });
    writeFileSync(join(dataDir, "buckets", "b", "old.txt"), "old data");
    const old = openSqliteDatabase(join(dataDir, "meta", "objects.sqlite"));
    old.exec(FIRST_RELEASE_SCHEMA);
    old
      .prepare("INSERT INTO objects (bucket, key, tags, content_type, storage_class) VALUES (?, ?, ?, ?, ?)")
      .run("b", "old.txt", JSON.stringify([{ key: "team", value: "blue" }]), "text/x-old", "STANDARD_IA");
    old.close();

    const storage = new LocalStorage({ dataDir });
    try {
      assert.deepEqual(await storage.getTagging("b", "old.txt"), [{ key: "team", value: "blue" }]);
      const info = await storage.head("b", "old.txt");
      assert.equal(info.metadata.contentType, "text/x-old");
      assert.equal(info.storageClass, "STANDARD_IA");
      assert.equal(info.objectLock, undefined);
      assert.equal(await text(storage.get("b", "old.txt")), "old data");
      await storage.putLegalHold("b", "old.txt", "ON");
      await rejectsWith(storage.delete("b", "old.txt"), "AccessDenied", 403);
      assert.deepEqual(await storage.getTagging("b", "old.txt"), [{ key: "team", value: "blue" }]);
    } finally {
      await storage.close();
    }
    const db = openSqliteDatabase(join(dataDir, "meta", "objects.sqlite"));
    // Spread: node:sqlite (Node 24) returns rows with a null prototype.
    assert.deepEqual(
      { ...(db.prepare("PRAGMA user_version").get() as object) },
      { user_version: METADATA_SCHEMA_VERSION },
    );
    const columns = (db.prepare("PRAGMA table_info(objects)").all() as { name: string }[]).map((c) => c.name);
    for (const c of ["legal_hold", "retention_mode", "retention_until", "event_based_hold"]) {
      assert.ok(columns.includes(c), c);
    }
    db.close();

    // Opening the upgraded dir again migrates nothing and keeps the hold.
    const reopened = new LocalStorage({ dataDir });
    try {
      assert.equal((await reopened.head("b", "old.txt")).objectLock?.legalHold, "ON");
    } finally {
      await reopened.close();
    }
  });

  it("lets several storages open a fresh or old data dir at once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "objbatch-migrate-"));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, "meta"), { recursive: true });
    const old = openSqliteDatabase(join(dataDir, "meta", "objects.sqlite"));
    old.exec(FIRST_RELEASE_SCHEMA);
    old.close();
    const storages = [1, 2, 3].map(() => new LocalStorage({ dataDir }));
    try {
      await storages[0].createBucket("b");
      await storages[0].put("b", "k", "v");
      await storages[1].putRetention("b", "k", { mode: "GOVERNANCE", retainUntilDate: new Date(Date.now() + 60_000) });
      await rejectsWith(storages[2].delete("b", "k"), "AccessDenied", 403);
    } finally {
      for (const s of storages) await s.close();
    }
  });
});
