/**
 * Bearer access tokens in the job store (D44), so that every API server sharing it honours the same ones: a token
 * issued through one server works through all, and one revoked through any is refused by all at once. It issues a
 * token (the secret is returned once and only its hash is kept), lists and revokes an account's tokens, and
 * verifies a bearer secret: the AccessTokenVerifier the Google dialect authenticates with.
 *
 * The clock is the caller's (`now` on each call). A token's last use is written at most once a minute (a
 * conditional UPDATE, only when the row read says the minute has passed), so a busy client costs one write a
 * minute, not one per request; a failure of that write never refuses the request. Tokens are purged
 * `purgeGraceMs` after they expire, revoked or not, when a token is issued after `purgeEveryMs` has passed (as
 * console sessions are, D33): until then a listing still shows them, expired or revoked.
 *
 * Built on the StoreConnection the JobStore uses (one pool, one place where store outages surface): store errors
 * propagate unchanged, a StoreUnavailableError when the store is down (D14).
 */
import type { AccessTokenInfo, AccessTokenVerifier, TokenVerdict } from "../../accounts/access-tokens.js";
import type { StoreConnection } from "../connect.js";
import {
  type AccessTokenCursor,
  type AccessTokenRow,
  countLiveAccessTokens,
  findAccessTokenByHash,
  insertAccessToken,
  listAccountAccessTokens,
  purgeExpiredAccessTokens,
  revokeAccountAccessToken,
  touchAccessToken,
} from "./token-rows.js";
import { accessTokenHash, isAccessTokenSecret, newAccessTokenId, newAccessTokenSecret } from "./token-secret.js";

export type { AccessTokenCursor } from "./token-rows.js";

export interface AccessTokenStoreOptions {
  /** How often expired tokens are purged. Default one minute. */
  readonly purgeEveryMs?: number;
  /** How long after it expires a token's row is kept (and listed). Default seven days. */
  readonly purgeGraceMs?: number;
  /** A token's last use is written at most this often. Default one minute. */
  readonly lastUsedEveryMs?: number;
}

export interface IssueAccessToken {
  readonly accountId: string;
  readonly name?: string;
  /** How long the token lives, ms; the caller checks its bounds. */
  readonly ttlMs: number;
  readonly now: Date;
}

export interface IssuedAccessToken {
  /** The secret: shown once, here, and never again. */
  readonly token: string;
  readonly info: AccessTokenInfo;
}

export class StoreAccessTokens implements AccessTokenVerifier {
  private readonly purgeEveryMs: number;
  private readonly purgeGraceMs: number;
  private readonly lastUsedEveryMs: number;
  private nextPurgeAt = 0;

  constructor(
    private readonly conn: Pick<StoreConnection, "db">,
    options: AccessTokenStoreOptions = {},
  ) {
    this.purgeEveryMs = options.purgeEveryMs ?? 60_000;
    this.purgeGraceMs = options.purgeGraceMs ?? 7 * 24 * 60 * 60_000;
    this.lastUsedEveryMs = options.lastUsedEveryMs ?? 60_000;
  }

  async issue(request: IssueAccessToken): Promise<IssuedAccessToken> {
    const now = request.now.getTime();
    if (now >= this.nextPurgeAt) {
      this.nextPurgeAt = now + this.purgeEveryMs;
      await purgeExpiredAccessTokens(this.conn.db, now - this.purgeGraceMs);
    }
    const token = newAccessTokenSecret();
    const row: AccessTokenRow = {
      tokenId: newAccessTokenId(),
      accountId: request.accountId,
      ...(request.name === undefined ? {} : { name: request.name }),
      tokenHash: accessTokenHash(token),
      createdAt: now,
      expiresAt: now + request.ttlMs,
    };
    await insertAccessToken(this.conn.db, row);
    return { token, info: infoOf(row) };
  }

  /** The account's tokens, oldest first, expired and revoked ones until they are purged; never a secret. */
  async list(accountId: string, limit: number, after?: AccessTokenCursor): Promise<AccessTokenInfo[]> {
    return (await listAccountAccessTokens(this.conn.db, accountId, limit, after)).map(infoOf);
  }

  /** Revokes the account's token (again is no error); false when the account has no token by that id. */
  revoke(accountId: string, tokenId: string, now: Date): Promise<boolean> {
    return revokeAccountAccessToken(this.conn.db, accountId, tokenId, now.getTime());
  }

  /** How many of the account's tokens are live at `now`. */
  countLive(accountId: string, now: Date): Promise<number> {
    return countLiveAccessTokens(this.conn.db, accountId, now.getTime());
  }

  async verify(token: string, now: Date): Promise<TokenVerdict> {
    if (!isAccessTokenSecret(token)) return { ok: false, reason: "unknown" };
    const row = await findAccessTokenByHash(this.conn.db, accessTokenHash(token));
    const at = now.getTime();
    if (!row) return { ok: false, reason: "unknown" };
    if (row.revokedAt !== undefined) return { ok: false, reason: "revoked" };
    if (row.expiresAt <= at) return { ok: false, reason: "expired" };
    if (row.lastUsedAt === undefined || at - row.lastUsedAt >= this.lastUsedEveryMs) {
      // Advisory: a store that cannot write it now still lets the holder in (the read above worked).
      await touchAccessToken(this.conn.db, row.tokenId, at, this.lastUsedEveryMs).catch(() => undefined);
    }
    return { ok: true, accountId: row.accountId, tokenId: row.tokenId };
  }

  /** Drops tokens that expired before `before` now (the purge `issue` does now and then); how many went. */
  purge(before: Date): Promise<number> {
    return purgeExpiredAccessTokens(this.conn.db, before.getTime());
  }
}

function infoOf(row: AccessTokenRow): AccessTokenInfo {
  return {
    tokenId: row.tokenId,
    accountId: row.accountId,
    ...(row.name === undefined ? {} : { name: row.name }),
    createdAt: new Date(row.createdAt),
    expiresAt: new Date(row.expiresAt),
    ...(row.revokedAt === undefined ? {} : { revokedAt: new Date(row.revokedAt) }),
    ...(row.lastUsedAt === undefined ? {} : { lastUsedAt: new Date(row.lastUsedAt) }),
  };
}
