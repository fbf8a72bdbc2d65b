/**
 * The first use of a request signature wins: the (scheme, access key, signature) is inserted with the digest of
 * the request it came with, in one statement that does nothing when the row is already there (another request,
 * maybe on another server sharing the store, came first); only then is the digest the row holds read back. The
 * caller accepts the request only when the two digests are the same, so an identical retry passes and any other
 * request under the same signature is refused, however the servers race.
 *
 * Several uses are recorded by one multi-row insert (the ledger gathers the requests in flight, D24's group
 * commit): one statement and one commit for the lot, each row still first-use-wins on its own.
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
  const [digest] = await recordSignatures(db, [use]);
  return digest as string;
}

/**
 * Records each use that is its signature's first, in one insert, and returns for each use, in order, the digest
 * its signature is bound to. Of two uses of one signature in the list, the earlier is the first.
 */
export async function recordSignatures(db: Kysely<Database>, uses: readonly SignatureUse[]): Promise<string[]> {
  const firsts = new Map<string, SignatureUse>();
  for (const use of uses) {
    const key = keyOf(use);
    if (!firsts.has(key)) firsts.set(key, use);
  }
  const inserted = await db
    .insertInto("request_signatures")
    .values(
      [...firsts.values()].map((use) => ({
        scheme: use.scheme,
        access_key_id: use.accessKeyId,
        signature: use.signature,
        bound_digest: use.digest,
        expires_at: use.expiresAt,
      })),
    )
    .onConflict((oc) => oc.columns(["scheme", "access_key_id", "signature"]).doNothing())
    .returning(["scheme", "access_key_id", "signature", "bound_digest"])
    .execute();
  // First uses (every request but a retry or a replay): this one statement.
  const bound = new Map(
    inserted.map((r) => [
      keyOf({ scheme: r.scheme, accessKeyId: r.access_key_id, signature: r.signature }),
      r.bound_digest,
    ]),
  );
  for (const [key, use] of firsts) {
    if (bound.has(key)) continue;
    const row = await db
      .selectFrom("request_signatures")
      .select("bound_digest")
      .where("scheme", "=", use.scheme)
      .where("access_key_id", "=", use.accessKeyId)
      .where("signature", "=", use.signature)
      .executeTakeFirst();
    // Only a purge between the two statements could remove the row, and it removes expired rows only: a use
    // that is still valid was just inserted or found, so the row is there.
    bound.set(key, row?.bound_digest ?? use.digest);
  }
  return uses.map((use) => bound.get(keyOf(use)) as string);
}

function keyOf(use: Pick<SignatureUse, "scheme" | "accessKeyId" | "signature">): string {
  return JSON.stringify([use.scheme, use.accessKeyId, use.signature]);
}
