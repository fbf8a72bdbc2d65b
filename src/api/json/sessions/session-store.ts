/**
 * What the JSON API needs of the store for console sessions (D33); store/sessions/console-sessions.ts is the
 * real one, over the job store that every API server shares. Times are ms since the epoch, by the API's clock.
 */

export interface StoredSession {
  /** hex SHA-256 of the session's token (session-tokens.ts); the token itself is never stored */
  readonly tokenHash: string;
  readonly accountId: string;
  /** the access key whose secret opened the session */
  readonly accessKeyId: string;
  readonly createdAt: number;
  /** the absolute end */
  readonly expiresAt: number;
  /** the end unless the session is used before; at most expiresAt */
  readonly idleExpiresAt: number;
}

export interface ConsoleSessionStore {
  open(session: StoredSession): Promise<void>;
  /** The session if it exists and has not ended at `now`. */
  find(tokenHash: string, now: number): Promise<StoredSession | undefined>;
  /** Moves the idle end forward (never back, never past the absolute end). */
  extend(tokenHash: string, idleExpiresAt: number): Promise<void>;
  /** Ends one session; true when it was there. */
  revoke(tokenHash: string): Promise<boolean>;
  /** Ends every session of the account; how many there were. */
  revokeAccount(accountId: string): Promise<number>;
}
