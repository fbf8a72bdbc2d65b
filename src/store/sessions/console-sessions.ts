/**
 * The JSON API's console sessions (D33), in the job store so that every API server sharing it sees the same
 * ones: a session opened through one server works through all, and one revoked through any is refused by all at
 * once. The clock is the caller's (`now` on each call). Ended sessions are purged now and then, when a session is
 * opened after `purgeEveryMs` has passed, once they have been over for `purgeGraceMs` (nothing reads them then:
 * every read names the time).
 *
 * Built on the StoreConnection the JobStore uses (one pool, one place where store outages surface); store errors
 * propagate to the caller unchanged.
 */
import type { StoreConnection } from "../connect.js";
import {
  deleteAccountSessions,
  deleteSession,
  extendSession,
  findLiveSession,
  insertSession,
  purgeEndedSessions,
  type SessionRow,
} from "./session-rows.js";

export type { SessionRow } from "./session-rows.js";

export interface ConsoleSessionsOptions {
  /** How often ended sessions are purged. Default one minute. */
  readonly purgeEveryMs?: number;
  /** How long after its end a session's row is kept. Default one hour. */
  readonly purgeGraceMs?: number;
}

export class StoreConsoleSessions {
  private readonly purgeEveryMs: number;
  private readonly purgeGraceMs: number;
  private nextPurgeAt = 0;

  constructor(
    private readonly conn: Pick<StoreConnection, "db">,
    options: ConsoleSessionsOptions = {},
  ) {
    this.purgeEveryMs = options.purgeEveryMs ?? 60_000;
    this.purgeGraceMs = options.purgeGraceMs ?? 60 * 60_000;
  }

  async open(session: SessionRow): Promise<void> {
    const now = session.createdAt;
    if (now >= this.nextPurgeAt) {
      this.nextPurgeAt = now + this.purgeEveryMs;
      await purgeEndedSessions(this.conn.db, now - this.purgeGraceMs);
    }
    await insertSession(this.conn.db, session);
  }

  find(tokenHash: string, now: number): Promise<SessionRow | undefined> {
    return findLiveSession(this.conn.db, tokenHash, now);
  }

  extend(tokenHash: string, idleExpiresAt: number): Promise<void> {
    return extendSession(this.conn.db, tokenHash, idleExpiresAt);
  }

  revoke(tokenHash: string): Promise<boolean> {
    return deleteSession(this.conn.db, tokenHash);
  }

  revokeAccount(accountId: string): Promise<number> {
    return deleteAccountSessions(this.conn.db, accountId);
  }

  /** Drops sessions that ended before `before` now (the purge `open` does now and then); how many went. */
  purge(before: number): Promise<number> {
    return purgeEndedSessions(this.conn.db, before);
  }
}
