/**
 * Drops the recorded signatures that can no longer be accepted (their validity ended), so the table holds only
 * the signatures of the last few minutes or hours, whatever the request rate over the server's life.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Deletes rows whose expiry is before `now` (ms since the epoch); returns how many went. */
export async function purgeExpiredSignatures(db: Kysely<Database>, now: number): Promise<number> {
  const result = await db.deleteFrom("request_signatures").where("expires_at", "<", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
