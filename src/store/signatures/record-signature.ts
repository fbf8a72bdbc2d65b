/**
 * The first use of a request signature wins: the (scheme, access key, signature) is inserted with the digest of
 * the request it came with, in one statement that does nothing when the row is already there (another request,
 * maybe on another server sharing the store, came first); only then is the digest the row holds read back. The
 * caller accepts the request only when the two digests are the same, so an identical retry passes and any other
 * request under the same signature is refused, however the servers race.
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

export interface SignatureUse {
  /** The signature scheme (`cos`, `oss-v1`, ...), so that values of two schemes never meet. */
  readonly scheme: string;
  readonly accessKeyId: string;
  readonly signature: string;
  /** Hex SHA-256 of what the signature is bound to (the request's method, target and body). */
  readonly digest: string;
  /** When the signature stops being accepted, ms since the epoch; the row is kept until then. */
  readonly expiresAt: number;
}

/** Records the use if it is the first, and returns the digest the signature is bound to (the first use's). */
export async function recordSignature(db: Kysely<Database>, use: SignatureUse): Promise<string> {
  const inserted = await db
    .insertInto("request_signatures")
    .values({
      scheme: use.scheme,
      access_key_id: use.accessKeyId,
      signature: use.signature,
      bound_digest: use.digest,
      expires_at: use.expiresAt,
    })
    .onConflict((oc) => oc.columns(["scheme", "access_key_id", "signature"]).doNothing())
    .returning("bound_digest")
    .executeTakeFirst();
  // The first use (every request but a retry or a replay): one statement.
  if (inserted !== undefined) return inserted.bound_digest;
  const row = await db
    .selectFrom("request_signatures")
    .select("bound_digest")
    .where("scheme", "=", use.scheme)
    .where("access_key_id", "=", use.accessKeyId)
    .where("signature", "=", use.signature)
    .executeTakeFirst();
  // Only a purge between the two statements could remove the row, and it removes expired rows only: a use
  // that is still valid was just inserted or found, so the row is there.
  return row?.bound_digest ?? use.digest;
}
