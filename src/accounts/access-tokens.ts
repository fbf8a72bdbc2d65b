/**
 * Bearer access tokens that objbatch issues to an account, for the clients that do not sign requests (the gcloud
 * CLI and the Google dialect). A token is shown once when it is issued; the store keeps only its hash, its
 * account, when it expires and whether it was revoked.
 */

/** A token as listed: everything but the secret, which exists only in the answer that issued it. */
export interface AccessTokenInfo {
  readonly tokenId: string;
  readonly accountId: string;
  readonly name?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt?: Date;
  readonly lastUsedAt?: Date;
}

export type TokenVerdict =
  | { readonly ok: true; readonly accountId: string; readonly tokenId: string }
  | { readonly ok: false; readonly reason: "unknown" | "expired" | "revoked" };

export interface AccessTokenVerifier {
  /** The account a bearer token belongs to at `now`, or why it is refused. Throws only when the store is down. */
  verify(token: string, now: Date): Promise<TokenVerdict>;
}
