/**
 * Heartbeat: pushes back the expiry of the leases a worker still holds.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export async function renewLeases(db: Kysely<Database>, leaseTokens: readonly string[], expires: number) {
  if (leaseTokens.length === 0) return;
  await db
    .updateTable("chunks")
    .set({ lease_expires: expires })
    .where("state", "=", "leased")
    .where("lease_token", "in", leaseTokens)
    .execute();
}
