/**
 * The ledger of request signatures, in the job store so that every server sharing the store sees the same one:
 * `bind` records a signature's first use (record-signature.ts) and says whether this use is the same request.
 * Expired rows are purged now and then, on the first use after `purgeEveryMs` has passed, once they have been
 * expired for `purgeGraceMs`: another server whose clock runs behind this one's may still accept the signature
 * for that long.
 *
 * The uses in flight through this process are recorded together (store/group-commit.ts, as creates are, D24): the
 * uses of one event-loop turn go in one insert, and while one insert runs, new uses queue for the next, so a burst
 * of signed writes costs a few statements and commits, not one each; a lone use waits one turn.
 *
 * Built on the StoreConnection the JobStore uses (one pool, one place where store outages surface); store errors
 * propagate to the caller unchanged.
 */
import type { StoreConnection } from "../connect.js";
import { isStoreUnavailable } from "../errors.js";
import { GroupCommit } from "../group-commit.js";
import { purgeExpiredSignatures } from "./purge-signatures.js";
import { recordSignatures, type SignatureUse } from "./record-signature.js";

export type { SignatureUse } from "./record-signature.js";

export interface SignatureLedgerOptions {
  /** The clock expiry is judged by, ms since the epoch. Default Date.now. */
  readonly now?: () => number;
  /** How often expired rows are purged. Default one minute. */
  readonly purgeEveryMs?: number;
  /** How long after its expiry a row is kept (clock differences between servers). Default 15 minutes. */
  readonly purgeGraceMs?: number;
}

export const DEFAULT_SIGNATURE_PURGE_EVERY_MS = 60_000;
export const DEFAULT_SIGNATURE_PURGE_GRACE_MS = 15 * 60_000;
/** The most uses one insert records (5 parameters a row; SQLite allows 32,766). */
const MAX_USES_PER_INSERT = 256;

export class StoreSignatureLedger {
  private readonly now: () => number;
  private readonly purgeEveryMs: number;
  private readonly purgeGraceMs: number;
  private nextPurgeAt = 0;
  private readonly records: GroupCommit<SignatureUse, string>;

  constructor(
    private readonly conn: Pick<StoreConnection, "db">,
    options: SignatureLedgerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.purgeEveryMs = options.purgeEveryMs ?? DEFAULT_SIGNATURE_PURGE_EVERY_MS;
    this.purgeGraceMs = options.purgeGraceMs ?? DEFAULT_SIGNATURE_PURGE_GRACE_MS;
    this.records = new GroupCommit((uses) => recordSignatures(this.conn.db, uses), {
      maxBatch: MAX_USES_PER_INSERT,
      isolate: (e) => !isStoreUnavailable(e),
    });
  }

  /** True when `use` is the signature's first use or the same request again; false for any other request. */
  async bind(use: SignatureUse): Promise<boolean> {
    const now = this.now();
    if (now >= this.nextPurgeAt) {
      this.nextPurgeAt = now + this.purgeEveryMs;
      await purgeExpiredSignatures(this.conn.db, now - this.purgeGraceMs);
    }
    return (await this.records.submit(use)) === use.digest;
  }
}
