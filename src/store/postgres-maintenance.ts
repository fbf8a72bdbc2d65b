/**
 * What a shared PostgreSQL job store needs of its server's housekeeping (D50). The listing and scheduling queries
 * are written for their indexes, but PostgreSQL picks a plan from the statistics autovacuum keeps. With autovacuum
 * off, the statistics stay those of the empty tables the migrations made however many jobs arrive, and the planner
 * sorts a whole account's jobs for a page of 100 (8.5 ms at 4,800 jobs, against 0.4 ms walking the index); the
 * dead rows that every progress update leaves are never reclaimed either. objbatch cannot turn autovacuum on (it is
 * the server's setting), so it says so when it starts.
 */
import { type Kysely, sql } from "kysely";
import type { StoreConnection } from "./connect.js";

/** The warning for a server's `autovacuum` setting, or undefined when it is on. */
export function autovacuumWarning(setting: string): string | undefined {
  if (setting === "on") return undefined;
  return (
    "PostgreSQL's autovacuum is off on the job store's server: its planner statistics and dead rows are never " +
    "maintained, so listings and scheduling slow down as jobs accumulate. Turn autovacuum on (the default), or " +
    "run VACUUM ANALYZE on the job store's database regularly."
  );
}

/** The warnings about the store's server housekeeping (none for SQLite, which plans without statistics). */
export async function storeMaintenanceWarnings(connection: StoreConnection): Promise<string[]> {
  if (connection.dialect !== "postgres") return [];
  const setting = await autovacuumSetting(connection.db as Kysely<unknown>);
  const warning = autovacuumWarning(setting);
  return warning === undefined ? [] : [warning];
}

async function autovacuumSetting(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ setting: string }>`select current_setting('autovacuum') as setting`.execute(db);
  return rows[0]?.setting ?? "on";
}
