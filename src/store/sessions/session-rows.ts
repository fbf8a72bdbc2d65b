/**
 * Console sessions' rows (D33): open one, read a live one by its token's hash, move its idle end forward, revoke
 * one or all of an account's, purge the ended ones. Each is one statement. A session is named by the hex SHA-256
 * of its token; the token itself never reaches the store.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export interface SessionRow {
  /** hex SHA-256 of the session's token */
  readonly tokenHash: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  /** ms since the epoch */
  readonly createdAt: number;
  /** the absolute end, ms since the epoch */
  readonly expiresAt: number;
  /** the end unless it is used before, ms since the epoch; at most expiresAt */
  readonly idleExpiresAt: number;
}

export async function insertSession(db: Kysely<Database>, session: SessionRow): Promise<void> {
  await db
    .insertInto("console_sessions")
    .values({
      token_hash: session.tokenHash,
      account_id: session.accountId,
      access_key_id: session.accessKeyId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      idle_expires_at: session.idleExpiresAt,
    })
    .execute();
}

/** The session, if it exists and has not ended at `now` (neither its absolute nor its idle end passed). */
export async function findLiveSession(
  db: Kysely<Database>,
  tokenHash: string,
  now: number,
): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom("console_sessions")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("expires_at", ">", now)
    .where("idle_expires_at", ">", now)
    .executeTakeFirst();
  return (
    row && {
      tokenHash: row.token_hash,
      accountId: row.account_id,
      accessKeyId: row.access_key_id,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      idleExpiresAt: Number(row.idle_expires_at),
    }
  );
}

/** Moves the idle end forward to `until` (never back, never past the absolute end). */
export async function extendSession(db: Kysely<Database>, tokenHash: string, until: number): Promise<void> {
  await db
    .updateTable("console_sessions")
    .set({ idle_expires_at: until })
    .where("token_hash", "=", tokenHash)
    .where("idle_expires_at", "<", until)
    .where("expires_at", ">=", until)
    .execute();
}

/** Ends one session; true when it was there. */
export async function deleteSession(db: Kysely<Database>, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom("console_sessions").where("token_hash", "=", tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Ends every session of the account; returns how many there were. */
export async function deleteAccountSessions(db: Kysely<Database>, accountId: string): Promise<number> {
  const result = await db.deleteFrom("console_sessions").where("account_id", "=", accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Drops the sessions that ended before `before` (ms since the epoch). The idle end is never after the absolute
 * one, so it alone says when a session ended.
 */
export async function purgeEndedSessions(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom("console_sessions").where("idle_expires_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
