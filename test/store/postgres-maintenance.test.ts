import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { autovacuumWarning, storeMaintenanceWarnings } from "../../src/store/postgres-maintenance.js";
import { postgresTestStore, sqliteTestStore } from "../helpers/stores.js";

test("autovacuum on asks for nothing; off is named, with what to do instead", () => {
  assert.equal(autovacuumWarning("on"), undefined);
  const warning = autovacuumWarning("off");
  assert.match(warning ?? "", /autovacuum is off/);
  assert.match(warning ?? "", /VACUUM ANALYZE/);
});

test("a PostgreSQL store is warned about exactly when its server runs without autovacuum", async () => {
  const s = await postgresTestStore();
  try {
    const connection = s.connection!;
    const { rows } = await sql<{ autovacuum: string }>`show autovacuum`.execute(connection.db);
    const warnings = await storeMaintenanceWarnings(connection);
    if (rows[0]?.autovacuum === "on") assert.deepEqual(warnings, []);
    else assert.deepEqual(warnings, [autovacuumWarning("off")]);
  } finally {
    await s.dispose();
  }
});

test("a SQLite store has no server housekeeping to warn of", async () => {
  const s = await sqliteTestStore();
  try {
    assert.deepEqual(await storeMaintenanceWarnings(s.connection!), []);
  } finally {
    await s.dispose();
  }
});
