/**
 * The edge of the job store (store/guarded-dialect.ts): a store that is down, hung or out of disk shows as one
 * StoreUnavailableError (kind StoreUnavailable, which every dialect answers with 503), never as a crash, and
 * the store's health for /healthz follows it: a full SQLite disk still serves reads but is unhealthy until a
 * write works again; a PostgreSQL that stops answering makes the health check answer false in bounded time.
 * Real SQLite on a tmpfs of the test's own (the tests run as root), real PostgreSQL.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { openPostgres, openSqlite } from "../../src/store/connect.js";
import { isStoreUnavailable } from "../../src/store/errors.js";
import { JobStore } from "../../src/store/job-store.js";
import { UNFINISHED_JOBS_LOCK_SPACE } from "../../src/store/jobs/insert-job.js";
import { storeFailureOf } from "../../src/store/store-unavailable.js";
import { freezableProxy, mountSmallDisk, PAGES_OF_TEXT, type SmallDisk, throughPort } from "../helpers/store-faults.js";
import { createPgDatabase, newJob, PG_ADMIN_URL } from "../helpers/stores.js";

describe("storeFailureOf", () => {
  const cases: [string, unknown, string | undefined][] = [
    [
      "pg admin shutdown",
      { code: "57P01", message: "terminating connection due to administrator command" },
      "unreachable",
    ],
    ["pg starting up", { code: "57P03" }, "unreachable"],
    ["pg connection failure", { code: "08006" }, "unreachable"],
    ["pg disk full", { code: "53100" }, "unwritable"],
    ["pg read-only standby", { code: "25006" }, "unwritable"],
    ["pg unique violation", { code: "23505" }, undefined],
    ["socket refused", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "unreachable"],
    ["pg connection terminated", new Error("Connection terminated unexpectedly"), "unreachable"],
    ["better-sqlite3 full", { code: "SQLITE_FULL", message: "database or disk is full" }, "unwritable"],
    ["better-sqlite3 I/O", { code: "SQLITE_IOERR_WRITE" }, "unwritable"],
    ["better-sqlite3 busy", { code: "SQLITE_BUSY" }, "unreachable"],
    ["node:sqlite full", { code: "ERR_SQLITE_ERROR", errcode: 13 }, "unwritable"],
    ["node:sqlite I/O (extended)", { code: "ERR_SQLITE_ERROR", errcode: 778 }, "unwritable"],
    ["sqlite constraint", { code: "SQLITE_CONSTRAINT_UNIQUE" }, undefined],
    ["node:sqlite constraint", { code: "ERR_SQLITE_ERROR", errcode: 2067 }, undefined],
    ["a bug", new TypeError("x is undefined"), undefined],
  ];
  for (const [name, error, failure] of cases) {
    it(`${name}: ${failure ?? "not a store outage"}`, () => assert.equal(storeFailureOf(error), failure));
  }
});

describe("a SQLite store whose disk fills up", () => {
  let disk: SmallDisk;
  let store: JobStore;
  before(async () => {
    disk = await mountSmallDisk("2m");
    store = new JobStore(await openSqlite(join(disk.dir, "jobs.sqlite")));
  });
  after(async () => {
    await store?.close();
    await disk?.dispose();
  });

  it("fails writes with StoreUnavailableError, keeps serving reads, and is healthy again once space is freed", async () => {
    const first = newJob();
    await store.insertJob(first);
    assert.equal(await store.isHealthy(), true);

    await disk.fill(); // fails unless the filler's write ran out of space (ENOSPC)
    const big = PAGES_OF_TEXT; // a row that needs new pages, whatever the WAL has room for
    await assert.rejects(store.insertJob(newJob({ description: big })), (e) => {
      assert.ok(isStoreUnavailable(e), String(e));
      assert.equal(e.kind, "StoreUnavailable");
      assert.equal(e.failure, "unwritable");
      return true;
    });
    // In a transaction SQLite rolls back by itself; the error is still the store's, not "no transaction is active".
    await assert.rejects(store.insertJobUnderCap(newJob({ description: big }), 100), (e) => isStoreUnavailable(e));
    assert.equal(await store.isHealthy(), false, "unhealthy while writes fail");
    assert.equal((await store.getJob(first.jobId))?.jobId, first.jobId, "reads still work");

    await disk.free();
    assert.equal(await store.isHealthy(), true, "healthy once a write works again");
    assert.equal(await store.insertJobUnderCap(newJob({ description: big }), 100), true);
  });
});

describe("a PostgreSQL store that goes away", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  before(async () => {
    database = await createPgDatabase();
  });
  after(() => database?.drop());

  it("turns a backend terminated inside a transaction into StoreUnavailableError, without crashing", async () => {
    const store = new JobStore(await openPostgres(database.url, 2));
    try {
      await store.insertJob(newJob({ accountId: "a" }));
      // Hold a transaction open (the advisory lock waits for another holder), then cut every connection.
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      const name = new URL(database.url).pathname.slice(1);
      const blocker = new pg.Client({ connectionString: database.url });
      blocker.on("error", () => undefined); // it is cut too
      await blocker.connect();
      await blocker.query("begin");
      await blocker.query("select pg_advisory_xact_lock($1, hashtext('a'))", [UNFINISHED_JOBS_LOCK_SPACE]);
      const insert = store.insertJobUnderCap(newJob({ accountId: "a" }), 10).then(
        () => "inserted",
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 200));
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
        [name],
      );
      await admin.end();
      await blocker.end().catch(() => undefined);
      const outcome = await insert;
      assert.ok(isStoreUnavailable(outcome) && outcome.failure === "unreachable", String(outcome));
      // The pool dropped the dead connections: the store works again.
      assert.equal(await store.insertJobUnderCap(newJob({ accountId: "a" }), 10), true);
      assert.equal(await store.countUnfinished("a"), 2);
      assert.equal(await store.isHealthy(), true);
    } finally {
      await store.close();
    }
  });

  it("answers the health check false in bounded time while the server hangs, true once it answers", async () => {
    const proxy = freezableProxy(new URL(database.url));
    const store = new JobStore(await openPostgres(throughPort(database.url, await proxy.listen()), 2));
    try {
      assert.equal(await store.isHealthy(500), true);
      proxy.freeze();
      assert.equal(await store.isHealthy(500), false, "a hung store is unhealthy, and the check does not hang");
      proxy.thaw();
      assert.equal(await store.isHealthy(5_000), true);
    } finally {
      await proxy.close();
      await store.close().catch(() => undefined);
    }
  });

  it("fails with StoreUnavailableError while nothing listens", async () => {
    const proxy = freezableProxy(new URL(database.url));
    const store = new JobStore(await openPostgres(throughPort(database.url, await proxy.listen()), 2));
    try {
      await proxy.close();
      await assert.rejects(store.getJob("x"), (e) => isStoreUnavailable(e) && e.failure === "unreachable");
      assert.equal(await store.isHealthy(500), false);
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});
