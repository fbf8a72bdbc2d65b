/**
 * The signature ledger on real SQLite and real PostgreSQL: a signature is bound to the digest of its first use,
 * across two connections (two servers) sharing the store, even when they race; binds in flight through one
 * ledger share a statement; expired rows are purged.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openPostgres, openSqlite, type StoreConnection } from "../../../src/store/connect.js";
import { type SignatureUse, StoreSignatureLedger } from "../../../src/store/signatures/signature-ledger.js";
import { createPgDatabase } from "../../helpers/stores.js";
import { QueryCounter } from "../query-counter.js";

interface SharedStore {
  readonly name: string;
  /** Two connections to one store, as two servers have. */
  readonly connections: readonly [StoreConnection, StoreConnection];
  dispose(): Promise<void>;
}

async function sqliteShared(): Promise<SharedStore> {
  const dir = await mkdtemp(join(tmpdir(), "objbatch-ledger-"));
  const file = join(dir, "jobs.sqlite");
  const connections = [await openSqlite(file), await openSqlite(file)] as const;
  return {
    name: "SQLite",
    connections,
    async dispose() {
      for (const c of connections) await c.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresShared(): Promise<SharedStore> {
  const database = await createPgDatabase();
  const connections = [await openPostgres(database.url, 4), await openPostgres(database.url, 4)] as const;
  return {
    name: "PostgreSQL",
    connections,
    async dispose() {
      for (const c of connections) await c.close();
      await database.drop();
    },
  };
}

const T0 = 1_750_000_000_000;

function use(overrides: Partial<SignatureUse> = {}): SignatureUse {
  return {
    scheme: "cos",
    accessKeyId: "AKIDledger",
    signature: randomBytes(20).toString("hex"),
    digest: "a".repeat(64),
    expiresAt: T0 + 900_000,
    ...overrides,
  };
}

async function rowCount(c: StoreConnection): Promise<number> {
  const row = await c.db
    .selectFrom("request_signatures")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const open of [sqliteShared, postgresShared]) {
  describe(`signature ledger on ${open.name}`, () => {
    let shared: SharedStore;
    before(async () => {
      shared = await open();
    });
    after(() => shared.dispose());

    it("binds a signature to its first use: the same digest passes again, another does not", async () => {
      const ledger = new StoreSignatureLedger(shared.connections[0], { now: () => T0 });
      const first = use();
      assert.equal(await ledger.bind(first), true);
      assert.equal(await ledger.bind(first), true, "an identical retry");
      assert.equal(await ledger.bind({ ...first, digest: "b".repeat(64) }), false);
      assert.equal(await ledger.bind(first), true, "the first request still passes after a refusal");
    });

    it("keeps schemes and access keys apart", async () => {
      const ledger = new StoreSignatureLedger(shared.connections[0], { now: () => T0 });
      const first = use();
      assert.equal(await ledger.bind(first), true);
      assert.equal(await ledger.bind({ ...first, scheme: "oss-v1", digest: "c".repeat(64) }), true);
      assert.equal(await ledger.bind({ ...first, accessKeyId: "AKIDother", digest: "d".repeat(64) }), true);
    });

    it("holds across two servers sharing the store, and exactly one of two racing requests wins", async () => {
      const [a, b] = shared.connections.map((c) => new StoreSignatureLedger(c, { now: () => T0 }));
      const seen = use();
      assert.equal(await a!.bind(seen), true);
      assert.equal(await b!.bind({ ...seen, digest: "e".repeat(64) }), false);
      assert.equal(await b!.bind(seen), true);
      for (let i = 0; i < 20; i++) {
        const race = use();
        const outcomes = await Promise.all([
          a!.bind({ ...race, digest: "1".repeat(64) }),
          b!.bind({ ...race, digest: "2".repeat(64) }),
        ]);
        assert.equal(outcomes.filter(Boolean).length, 1, `race ${i}: ${outcomes}`);
      }
    });

    it("records the binds in flight together, each still first-use-wins", async () => {
      const counter = new QueryCounter();
      const connection = shared.connections[0];
      const ledger = new StoreSignatureLedger({ db: connection.db.withPlugin(counter) }, { now: () => T0 });
      await ledger.bind(use()); // the first bind purges (due at once) and records alone
      counter.take();
      const uses = Array.from({ length: 30 }, () => use());
      const contested = use();
      const outcomes = await Promise.all([
        ...uses.map((u) => ledger.bind(u)),
        ledger.bind({ ...contested, digest: "1".repeat(64) }),
        ledger.bind({ ...contested, digest: "2".repeat(64) }),
      ]);
      assert.deepEqual(outcomes.slice(0, 30), new Array(30).fill(true));
      assert.deepEqual(outcomes.slice(30), [true, false], "of two uses of one signature, the first submitted wins");
      const { queries } = counter.take();
      assert.ok(queries <= 3, `32 binds in flight took ${queries} statements, not one each`);
    });

    it("purges rows once they have been expired for the grace period, and only those", async () => {
      const connection = shared.connections[0];
      await connection.db.deleteFrom("request_signatures").execute();
      let now = T0;
      const ledger = new StoreSignatureLedger(connection, {
        now: () => now,
        purgeEveryMs: 60_000,
        purgeGraceMs: 1_000,
      });
      const old = use({ expiresAt: T0 + 10_000 });
      const young = use({ expiresAt: T0 + 3_600_000 });
      assert.equal(await ledger.bind(old), true);
      assert.equal(await ledger.bind(young), true);
      assert.equal(await rowCount(connection), 2);

      now = T0 + 30_000; // old is expired, but the next purge is not due yet
      assert.equal(await ledger.bind(use({ expiresAt: now + 3_600_000 })), true);
      assert.equal(await rowCount(connection), 3);

      now = T0 + 60_000; // due: old went 49 s ago, past the grace
      assert.equal(await ledger.bind(use({ expiresAt: now + 3_600_000 })), true);
      assert.equal(await rowCount(connection), 3);
      const left = await connection.db.selectFrom("request_signatures").select("signature").execute();
      assert.ok(!left.some((r) => r.signature === old.signature), "the expired row is gone");
      assert.ok(
        left.some((r) => r.signature === young.signature),
        "the valid row stays",
      );
    });
  });
}
