/**
 * Access tokens' rows (D44): issue one, find one by its secret's hash, list an account's oldest first, revoke one
 * of an account's, note its use, count an account's live ones, purge long-expired ones. Each is one statement;
 * every statement a client's request reaches names the account, so another account's token is never found.
 * Times are ms since the epoch.
 */
import { type Kysely, type Selectable, sql } from "kysely";
import type { AccessTokensTable, Database } from "../schema.js";

export interface AccessTokenRow {
  readonly tokenId: string;
  readonly accountId: string;
  readonly name?: string;
  /** hex SHA-256 of the secret */
  readonly tokenHash: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt?: number;
  readonly lastUsedAt?: number;
}

export async function insertAccessToken(db: Kysely<Database>, token: AccessTokenRow): Promise<void> {
  await db
    .insertInto("access_tokens")
    .values({
      token_id: token.tokenId,
      account_id: token.accountId,
      name: token.name ?? null,
      token_hash: token.tokenHash,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      revoked_at: token.revokedAt ?? null,
      last_used_at: token.lastUsedAt ?? null,
    })
    .execute();
}

/** The token whose secret hashes to `tokenHash`, expired and revoked ones too (the caller says why it refuses). */
export async function findAccessTokenByHash(
  db: Kysely<Database>,
  tokenHash: string,
): Promise<AccessTokenRow | undefined> {
  const row = await db.selectFrom("access_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  return row && tokenOf(row);
}

/** Where a page of an account's tokens starts: after this one (oldest first). */
export interface AccessTokenCursor {
  readonly createdAt: number;
  readonly tokenId: string;
}

export async function listAccountAccessTokens(
  db: Kysely<Database>,
  accountId: string,
  limit: number,
  after?: AccessTokenCursor,
): Promise<AccessTokenRow[]> {
  let query = db.selectFrom("access_tokens").selectAll().where("account_id", "=", accountId);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb("created_at", ">", after.createdAt),
        eb.and([eb("created_at", "=", after.createdAt), eb("token_id", ">", after.tokenId)]),
      ]),
    );
  }
  const rows = await query.orderBy("created_at").orderBy("token_id").limit(limit).execute();
  return rows.map(tokenOf);
}

/**
 * Revokes the account's token at `now`, or leaves the time of an earlier revocation as it was; true when the
 * account has that token (revoking twice is no error), false when it has none by that id.
 */
export async function revokeAccountAccessToken(
  db: Kysely<Database>,
  accountId: string,
  tokenId: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("access_tokens")
    .set({ revoked_at: sql<number>`coalesce(revoked_at, ${now})` })
    .where("token_id", "=", tokenId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Notes that the token authenticated a request at `now`, unless it was noted less than `minGapMs` before: racing
 * servers write it at most once per gap between them.
 */
export async function touchAccessToken(
  db: Kysely<Database>,
  tokenId: string,
  now: number,
  minGapMs: number,
): Promise<void> {
  await db
    .updateTable("access_tokens")
    .set({ last_used_at: now })
    .where("token_id", "=", tokenId)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", now - minGapMs)]))
    .execute();
}

/** How many of the account's tokens are live at `now` (neither expired nor revoked). */
export async function countLiveAccessTokens(db: Kysely<Database>, accountId: string, now: number): Promise<number> {
  const row = await db
    .selectFrom("access_tokens")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_id", "=", accountId)
    .where("expires_at", ">", now)
    .where("revoked_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Drops the tokens that expired before `before`, revoked or not; how many went. */
export async function purgeExpiredAccessTokens(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db.deleteFrom("access_tokens").where("expires_at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function tokenOf(row: Selectable<AccessTokensTable>): AccessTokenRow {
  return {
    tokenId: row.token_id,
    accountId: row.account_id,
    ...(row.name === null ? {} : { name: row.name }),
    tokenHash: row.token_hash,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    ...(row.revoked_at === null ? {} : { revokedAt: Number(row.revoked_at) }),
    ...(row.last_used_at === null ? {} : { lastUsedAt: Number(row.last_used_at) }),
  };
}
