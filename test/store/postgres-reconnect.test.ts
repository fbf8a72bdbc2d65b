/**
 * A PostgreSQL job store survives the server closing its idle connections (restart, failover, an
 * administrator): no crash, and the next query works on a new connection.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { PG_ADMIN_URL, postgresTestStore, type TestStore } from "../helpers/stores.js";

describe("JobStore on postgres when connections are cut", () => {
  let t: TestStore;
  before(async () => {
    t = await postgresTestStore();
  });
  after(() => t.dispose());

  it("keeps working after every connection to its database is terminated", async () => {
    await t.store.countUnfinished("a");
    const warned = once(process, "warning");
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const database = new URL(t.url).pathname.slice(1);
    const { rowCount } = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [database],
    );
    await admin.end();
    assert.ok((rowCount ?? 0) >= 1, "the store had an idle connection to cut");
    const [warning] = (await warned) as [Error & { code?: string }];
    assert.equal(warning.code, "OBJBATCH_PG_IDLE_ERROR");
    assert.equal(await t.store.countUnfinished("a"), 0);
  });
});
