/**
 * store/guarded-dialect.ts, the edge of the job store, on a Kysely handle of the test's own over real SQLite and
 * real PostgreSQL, with the StoreHealth it reports to in the test's hands: which statements count as reads and
 * which as writes (a read clears an unreachable store, only a write clears a failed write, and a write in a
 * transaction counts at its commit), savepoints passing through, errors that are not the store's passing
 * through untouched, and the store's own failures leaving as one StoreUnavailableError: SQLite on a tmpfs that
 * fills up (in a transaction too, where SQLite's refusal of Kysely's rollback must not hide the real error), a
 * SQLite file that cannot be opened, a PostgreSQL nobody answers for. The faults are real (helpers/store-faults.ts);
 * JobStore's own view of them is in store-unavailable.test.ts.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Dialect, Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { forKysely, openSqliteDatabase } from "../../src/sqlite/database.js";
import { isStoreUnavailable } from "../../src/store/errors.js";
import { guardDialect } from "../../src/store/guarded-dialect.js";
import { StoreHealth } from "../../src/store/store-health.js";
import { storeFailureOf } from "../../src/store/store-unavailable.js";
import { freezableProxy, mountSmallDisk, PAGES_OF_TEXT, throughPort } from "../helpers/store-faults.js";
import { createPgDatabase } from "../helpers/stores.js";

interface Database {
  notes: { id: number; body: string };
}

interface Guarded {
  readonly db: Kysely<Database>;
  readonly health: StoreHealth;
}

function guard(inner: Dialect): Guarded {
  const health = new StoreHealth();
  return { db: new Kysely<Database>({ dialect: guardDialect(inner, health) }), health };
}

/** SQLite opened the way the job store opens it, when the first statement needs it. */
function sqliteDialect(file: string): Dialect {
  return new SqliteDialect({ database: async () => forKysely(openSqliteDatabase(file)) });
}

/** A pg pool that, like the job store's, lets a connection the server cut fail its query instead of the process. */
function postgresDialect(url: string): Dialect {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return new PostgresDialect({ pool });
}

async function createNotes(db: Kysely<Database>) {
  await db.schema
    .createTable("notes")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("body", "text", (c) => c.notNull())
    .execute();
}

const ids = async (db: Kysely<Database>) =>
  (await db.selectFrom("notes").select("id").orderBy("id").execute()).map((r) => Number(r.id));

/** Asserts that `work` rejects with the store's one error for an unavailable store, of kind `failure`. */
async function rejectsUnavailable(work: Promise<unknown>, failure: "unreachable" | "unwritable") {
  await assert.rejects(work, (e: unknown) => {
    assert.ok(isStoreUnavailable(e), `a StoreUnavailableError, not ${String(e)}`);
    assert.equal(e.kind, "StoreUnavailable");
    assert.equal(e.failure, failure);
    assert.equal(storeFailureOf(e.cause), failure, "the driver's own error is kept as the cause");
    return true;
  });
}

interface Kind {
  readonly name: "sqlite" | "postgres";
  open(): Promise<{ dialect: Dialect; dispose(): Promise<void> }>;
  /** Raw SQL that only reads, beyond what every dialect takes. */
  readonly reads: readonly string[];
  /** Raw SQL that writes, beyond what every dialect takes. */
  readonly writes: readonly string[];
}

const KINDS: readonly Kind[] = [
  {
    name: "sqlite",
    async open() {
      const dir = await mkdtemp(join(tmpdir(), "objbatch-guarded-"));
      return { dialect: sqliteDialect(join(dir, "store.sqlite")), dispose: () => rm(dir, { recursive: true }) };
    },
    reads: ["pragma user_version", "PRAGMA journal_mode;"],
    writes: ["pragma user_version = 0"],
  },
  {
    name: "postgres",
    async open() {
      const database = await createPgDatabase();
      return { dialect: postgresDialect(database.url), dispose: () => database.drop() };
    },
    reads: ["show server_version", "SHOW TimeZone"],
    writes: ["set local statement_timeout = 0"],
  },
];

for (const kind of KINDS) {
  describe(`the guarded dialect on ${kind.name}`, () => {
    let store: Guarded;
    let dispose: () => Promise<void>;
    let next = 1;
    before(async () => {
      const opened = await kind.open();
      dispose = opened.dispose;
      store = guard(opened.dialect);
      await createNotes(store.db);
    });
    after(async () => {
      await store.db.destroy();
      await dispose();
    });

    it("counts selects and raw SQL that only reads as reads: they clear an unreachable store, not a failed write", async () => {
      const { db, health } = store;
      const reads: [string, () => Promise<unknown>][] = [
        ["a select", () => db.selectFrom("notes").selectAll().execute()],
        ["raw select", () => sql`select 1 as one`.execute(db)],
        ["raw with ... select", () => sql`with x as (select 1 as n) select n from x`.execute(db)],
        ...kind.reads.map((text): [string, () => Promise<unknown>] => [text, () => sql.raw(text).execute(db)]),
      ];
      for (const [what, read] of reads) {
        health.failed("unreachable");
        await read();
        assert.equal(health.ok, true, `${what} got through: the store is reachable`);
        health.failed("unwritable");
        await read();
        assert.equal(health.ok, false, `${what} says nothing of writes`);
        health.succeeded(true);
      }
    });

    it("counts every other statement as a write, which clears a failed write", async () => {
      const { db, health } = store;
      const writes: [string, () => Promise<unknown>][] = [
        ["an insert", () => db.insertInto("notes").values({ id: next++, body: "a" }).execute()],
        ["an update", () => db.updateTable("notes").set({ body: "b" }).where("id", "=", 1).execute()],
        ["a delete", () => db.deleteFrom("notes").where("id", "=", -1).execute()],
        ["raw insert", () => sql`insert into notes (id, body) values (${next++}, 'c')`.execute(db)],
        ["raw update ... returning", () => sql`update notes set body = 'd' where id = 1 returning id`.execute(db)],
        ["a schema change", () => db.schema.createIndex(`notes_body_${next++}`).on("notes").column("body").execute()],
      ];
      if (kind.name === "sqlite") {
        writes.push(
          ...kind.writes.map((text): [string, () => Promise<unknown>] => [text, () => sql.raw(text).execute(db)]),
        );
      }
      for (const [what, write] of writes) {
        health.failed("unwritable");
        await write();
        assert.equal(health.ok, true, `${what} is a write`);
      }
    });

    it("counts a transaction's writes at its commit, and a transaction of reads or a rolled back one as no write", async () => {
      const { db, health } = store;
      health.failed("unwritable");
      await db.transaction().execute(async (trx) => {
        await trx.insertInto("notes").values({ id: next++, body: "in a transaction" }).execute();
        if (kind.name === "postgres") await sql.raw(kind.writes[0]).execute(trx);
        assert.equal(health.ok, false, "nothing is durable before the commit");
      });
      assert.equal(health.ok, true, "the commit wrote");

      health.failed("unwritable");
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom("notes").selectAll().execute();
        await sql`select 1`.execute(trx);
      });
      assert.equal(health.ok, false, "a transaction that only read wrote nothing");

      const rolledBack = next++;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("notes").values({ id: rolledBack, body: "gone" }).execute();
          throw new Error("changed my mind");
        }),
        /changed my mind/,
      );
      assert.equal(health.ok, false, "a rolled back write wrote nothing");
      assert.ok(!(await ids(db)).includes(rolledBack));

      await db.transaction().execute(async (trx) => {
        await trx.insertInto("notes").values({ id: next++, body: "again" }).execute();
      });
      assert.equal(health.ok, true, "the connection left no transaction behind: the next one commits and counts");
    });

    it("passes savepoints through to the engine", async () => {
      const { db } = store;
      const [a, b, c] = [next++, next++, next++];
      const trx = await db.startTransaction().execute();
      await trx.insertInto("notes").values({ id: a, body: "kept" }).execute();
      const afterA = await trx.savepoint("after_a").execute();
      await afterA.insertInto("notes").values({ id: b, body: "undone" }).execute();
      const back = await afterA.rollbackToSavepoint("after_a").execute();
      const again = await back.savepoint("after_undo").execute();
      await again.insertInto("notes").values({ id: c, body: "kept" }).execute();
      await (await again.releaseSavepoint("after_undo").execute()).commit().execute();
      const stored = await ids(db);
      assert.ok(stored.includes(a) && stored.includes(c), String(stored));
      assert.ok(!stored.includes(b), "rolled back to the savepoint");
    });

    it("passes an error that is not the store's through unchanged, and leaves the health alone", async () => {
      const { db, health } = store;
      const taken = next++;
      await db.insertInto("notes").values({ id: taken, body: "first" }).execute();
      const duplicate = await db
        .insertInto("notes")
        .values({ id: taken, body: "second" })
        .execute()
        .then(
          () => assert.fail("a duplicate primary key was accepted"),
          (e: unknown) => e,
        );
      assert.ok(!isStoreUnavailable(duplicate), String(duplicate));
      assert.equal(storeFailureOf(duplicate), undefined);
      const { code, errcode } = duplicate as { code?: string; errcode?: number };
      if (kind.name === "postgres") assert.equal(code, "23505");
      else assert.ok(/^SQLITE_CONSTRAINT/.test(code ?? "") || (errcode ?? 0) % 256 === 19, String(duplicate));
      assert.equal(health.ok, true);

      await assert.rejects(
        sql`selec 1`.execute(db),
        (e: unknown) => !isStoreUnavailable(e) && /syntax/i.test(String(e)),
      );
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await trx.insertInto("notes").values({ id: taken, body: "third" }).execute();
        }),
        (e: unknown) => !isStoreUnavailable(e),
      );
      assert.equal(health.ok, true, "a refused statement is no outage");
      assert.deepEqual(
        (await db.selectFrom("notes").select("body").where("id", "=", taken).execute()).map((r) => r.body),
        ["first"],
      );
    });
  });
}

describe("the guarded dialect on SQLite whose disk fills up", () => {
  let disk: Awaited<ReturnType<typeof mountSmallDisk>>;
  let store: Guarded;
  before(async () => {
    disk = await mountSmallDisk("2m");
    store = guard(sqliteDialect(join(disk.dir, "store.sqlite")));
    await createNotes(store.db);
    await store.db.insertInto("notes").values({ id: 1, body: "before" }).execute();
  });
  after(async () => {
    await store?.db.destroy();
    await disk?.dispose();
  });

  it("fails writes as unwritable, in a transaction too, serves reads meanwhile, and works again once space is freed", async () => {
    const { db, health } = store;
    await disk.fill();

    await rejectsUnavailable(db.insertInto("notes").values({ id: 2, body: PAGES_OF_TEXT }).execute(), "unwritable");
    assert.equal(health.ok, false);
    // SQLite rolls the transaction back by itself; Kysely's rollback is refused, and that refusal must not
    // replace the real error.
    await rejectsUnavailable(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("notes").values({ id: 3, body: PAGES_OF_TEXT }).execute();
      }),
      "unwritable",
    );
    assert.deepEqual(await ids(db), [1], "reads still work, and the failed writes left nothing");
    assert.equal(health.ok, false, "a read does not make a full disk healthy");

    await disk.free();
    await db.transaction().execute(async (trx) => {
      await trx.insertInto("notes").values({ id: 4, body: PAGES_OF_TEXT }).execute();
    });
    assert.equal(health.ok, true, "a committed write clears the failure");
    assert.deepEqual(await ids(db), [1, 4]);
  });
});

describe("the guarded dialect on a SQLite file that cannot be opened", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-guarded-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("fails as unreachable while the file cannot be opened, and is healthy once a statement gets through", async () => {
    const file = join(dir, "store.sqlite");
    await mkdir(file); // a directory where the database file should be: SQLITE_CANTOPEN
    const { db, health } = guard(sqliteDialect(file));
    try {
      await rejectsUnavailable(sql`select 1`.execute(db), "unreachable");
      await rejectsUnavailable(sql`select 1`.execute(db), "unreachable");
      assert.equal(health.ok, false);
      await rmdir(file);
      await sql`select 1`.execute(db);
      assert.equal(health.ok, true);
    } finally {
      await db.destroy();
    }
  });
});

describe("the guarded dialect on a PostgreSQL nobody answers for", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  before(async () => {
    database = await createPgDatabase();
  });
  after(() => database?.drop());

  it("fails as unreachable while nothing listens, and is healthy once a statement gets through again", async () => {
    const first = freezableProxy(new URL(database.url));
    const port = await first.listen();
    const { db, health } = guard(postgresDialect(throughPort(database.url, port)));
    const second = freezableProxy(new URL(database.url));
    try {
      await sql`select 1`.execute(db);
      await first.close();
      await rejectsUnavailable(sql`select 1`.execute(db), "unreachable");
      assert.equal(health.ok, false);

      await second.listen(port);
      await sql`select 1`.execute(db);
      assert.equal(health.ok, true);
    } finally {
      await db.destroy();
      await second.close().catch(() => undefined);
    }
  });
});
