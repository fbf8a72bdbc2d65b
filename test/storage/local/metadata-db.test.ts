/**
 * The local backend's metadata database (metadata-db.ts): tag and ACL writes are batched, one transaction per
 * event-loop turn, and each caller hears back only once its write is committed, so a task reported done has
 * its write in the database even when the process is killed right after; one bad write fails its own caller
 * only. Cached ETags are write-behind and a delete forgets one not yet written. The per-object reads of bulk
 * jobs are batched too: the reads asked for in one turn share one read transaction, each made after its caller
 * asked, so it sees what was committed before.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { openSqliteDatabase } from "../../../src/sqlite/database.js";
import { LocalStorage } from "../../../src/storage/local/index.js";
import { MetadataDb } from "../../../src/storage/local/metadata-db.js";

describe("MetadataDb batched writes", () => {
  let root: string;
  let db: MetadataDb;
  const committedTags = (bucket: string, key: string): string | null | undefined => {
    const other = openSqliteDatabase(join(root, "meta", "objects.sqlite"));
    try {
      const row = other.prepare("SELECT tags FROM objects WHERE bucket = ? AND key = ?").get(bucket, key) as
        | { tags: string | null }
        | undefined;
      return row?.tags;
    } finally {
      other.close();
    }
  };
  before(() => {
    root = mkdtempSync(join(tmpdir(), "objbatch-metadata-db-"));
    db = new MetadataDb(join(root, "meta"));
  });
  after(() => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("commits the writes of one turn in one transaction and answers each caller after the commit", async () => {
    const writes = [db.setTags("b", "one", '["1"]'), db.setTags("b", "two", '["2"]'), db.setAcl("b", "one", "{}")];
    assert.equal(db.queuedWrites, 3);
    assert.equal(committedTags("b", "one"), undefined, "nothing is committed before the callers are answered");
    await Promise.all(writes);
    assert.equal(db.queuedWrites, 0);
    assert.equal(committedTags("b", "one"), '["1"]', "seen by another connection once answered");
    assert.equal(committedTags("b", "two"), '["2"]');
    assert.equal(db.get("b", "one")?.acl, "{}");
  });

  it("fails only the caller whose write fails, and commits the others", async () => {
    const good = db.setTags("b", "good", '["g"]');
    const bad = db.setTags("b", null as unknown as string, '["x"]'); // NOT NULL constraint
    const alsoGood = db.setTags("b", "also-good", '["a"]');
    await assert.rejects(bad, /NOT NULL/);
    await good;
    await alsoGood;
    assert.equal(committedTags("b", "good"), '["g"]');
    assert.equal(committedTags("b", "also-good"), '["a"]');
  });

  it("commits queued writes on close, and refuses writes once closed", async () => {
    const other = new MetadataDb(join(root, "meta"));
    const write = other.setTags("b", "at-close", '["c"]');
    other.close();
    await write;
    assert.equal(committedTags("b", "at-close"), '["c"]');
    await assert.rejects(other.setTags("b", "late", "[]"), /closed/);
  });

  it("forgets a cached ETag not yet written when its file is deleted", () => {
    db.cacheEtag("b", "cached", '"e"', 1, "1");
    assert.equal(db.get("b", "cached")?.etag, '"e"');
    db.forgetEtag("b", "cached");
    db.flush();
    assert.equal(db.has("b", "cached"), false);
  });
});

describe("MetadataDb batched reads", () => {
  let root: string;
  let db: MetadataDb;
  let other: MetadataDb;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "objbatch-metadata-reads-"));
    db = new MetadataDb(join(root, "meta"));
    other = new MetadataDb(join(root, "meta"));
  });
  after(() => {
    db.close();
    other.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers each read with its own value, and fails only the read that throws", async () => {
    await db.setTags("b", "tagged", '["t"]');
    const tagged = db.readTogether(() => db.get("b", "tagged")?.tags);
    const missing = db.readTogether(() => db.has("b", "missing"));
    const bad = db.readTogether(() => {
      throw new Error("this read fails");
    });
    const lock = db.readTogether(() => db.lock("b", "tagged"));
    assert.equal(await tagged, '["t"]');
    assert.equal(await missing, false);
    await assert.rejects(bad, /this read fails/);
    assert.deepEqual(
      { ...(await lock) },
      {
        legal_hold: null,
        retention_mode: null,
        retention_until: null,
        event_based_hold: null,
      },
    );
  });

  it("sees what another connection committed before the read was asked for", async () => {
    other.setLegalHold("b", "held", "ON");
    assert.equal((await db.readTogether(() => db.lock("b", "held")))?.legal_hold, "ON");
  });

  it("runs the reads of one turn in one read transaction (one snapshot)", async () => {
    // The first read commits a hold through another connection; the second, in the same read transaction, still
    // sees the snapshot taken by the first. The next turn's read sees the hold.
    const first = db.readTogether(() => {
      const seen = db.lock("b", "snap");
      other.setLegalHold("b", "snap", "ON");
      return seen;
    });
    const second = db.readTogether(() => db.lock("b", "snap"));
    assert.equal(await first, undefined);
    assert.equal(await second, undefined, "the same snapshot as the first read");
    assert.equal((await db.readTogether(() => db.lock("b", "snap")))?.legal_hold, "ON");
  });

  it("answers the reads of a bucket without rows as no row, and sees a bucket's first row once committed", async () => {
    // Inside one batch a bucket is asked once whether it has rows; the answers must be those of a statement per key.
    const none = () =>
      Promise.all([
        db.readTogether(() => db.lock("empty", "k")),
        db.readTogether(() => db.has("empty", "k")),
        db.readTogether(() => db.sourceAndTarget("empty", "k", "b", "tagged")),
        db.readTogether(() => db.sourceAndTarget("b", "tagged", "empty", "k")),
      ]);
    const [lock, has, fromEmpty, intoEmpty] = await none();
    assert.equal(lock, undefined);
    assert.equal(has, false);
    assert.equal(fromEmpty.source, undefined);
    assert.equal(fromEmpty.target?.tags, '["t"]', "the other bucket's row is still read");
    assert.equal(intoEmpty.source?.tags, '["t"]');
    assert.equal(intoEmpty.targetHasRow, false);
    // A row committed by another connection before the next batch is seen by it, in every kind of read.
    other.setLegalHold("empty", "k", "ON");
    const [lock2, has2, fromEmpty2, intoEmpty2] = await none();
    assert.equal(lock2?.legal_hold, "ON");
    assert.equal(has2, true);
    assert.equal(fromEmpty2.source?.legal_hold, "ON");
    assert.equal(intoEmpty2.targetHasRow, true);
    // An ETag cached and not yet written counts as a row for has() and the copy's target, as before.
    db.cacheEtag("pending-only", "k", '"e"', 1, "1");
    assert.equal(await db.readTogether(() => db.has("pending-only", "k")), true);
    assert.equal((await db.readTogether(() => db.sourceAndTarget("b", "x", "pending-only", "k"))).targetHasRow, true);
  });

  it("answers queued reads on close, and refuses reads once closed", async () => {
    const third = new MetadataDb(join(root, "meta"));
    const read = third.readTogether(() => third.has("b", "tagged"));
    third.close();
    assert.equal(await read, true);
    await assert.rejects(
      third.readTogether(() => 1),
      /closed/,
    );
  });
});

describe("Tagging killed mid-job", () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), "objbatch-tag-crash-"));
    const bucket = join(dataDir, "buckets", "crash");
    for (let d = 0; d < 4; d++) mkdirSync(join(bucket, `d${d}`), { recursive: true });
    for (let i = 0; i < 4000; i++) writeFileSync(join(bucket, `d${i % 4}`, `k${i}`), "x");
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("keeps the tags of every task it reported done before SIGKILL", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", new URL("./tagging-child.ts", import.meta.url).pathname, dataDir, "4000"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const done: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      done.push(line);
      if (done.length === 1500) child.kill("SIGKILL");
    }
    await exited;
    assert.ok(done.length >= 1500 || child.exitCode === 0, `the child reported ${done.length} tasks`);
    const storage = new LocalStorage({ dataDir });
    try {
      for (const key of done) {
        assert.deepEqual(await storage.getTagging("crash", key), [{ key: "job", value: "crash" }], key);
      }
    } finally {
      await storage.close();
    }
  });
});
