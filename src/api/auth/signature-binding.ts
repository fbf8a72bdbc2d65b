/**
 * A signature is good for the request it signed and nothing else. Some signatures do not cover the whole
 * request: a COS signature never covers the body, an OSS V1 signature covers none of the query parameters but
 * the sub-resource. For those, objbatch remembers each signature with a digest of the request it first came with
 * (the SignatureLedger, kept in the job store so every server sharing the store sees it) and refuses the same
 * signature on any other request for as long as the signature is valid. An identical retry, the same bytes
 * again, has the same digest and passes (docs/decisions.md D15).
 *
 * Only requests that change something are bound (every method but GET and HEAD): a captured read can be
 * repeated, as with any bearer of a signature, but not turned into another write.
 */
import { createHash } from "node:crypto";
import { DomainError } from "../../domain/errors.js";

/** One use of a signature: who signed, the signature, what it came with and until when it is valid. */
export interface SignatureUse {
  /** The scheme (`cos`, `oss-v1`, `oss-v4`), so two schemes' signature values never meet. */
  readonly scheme: string;
  readonly accessKeyId: string;
  readonly signature: string;
  /** requestDigest of the request. */
  readonly digest: string;
  /** When the signature stops being accepted (end of its window plus the clock-skew allowance), ms. */
  readonly expiresAt: number;
}

/** Where signatures are remembered (store/signatures/signature-ledger.ts). */
export interface SignatureLedger {
  /** True for a signature's first use and for the same request again; false for any other request. */
  bind(use: SignatureUse): Promise<boolean>;
}

/** Whether requests with this method are bound to their first use (everything but reads). */
export function changesState(method: string): boolean {
  const m = method.toUpperCase();
  return m !== "GET" && m !== "HEAD";
}

/** Hex SHA-256 over the method, the request target as received and the body's own SHA-256. */
export function requestDigest(method: string, url: string, body: Uint8Array): string {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  return createHash("sha256").update(`${method.toUpperCase()}\n${url}\n${bodyHash}`, "utf8").digest("hex");
}

/**
 * Binds the use in the ledger; throws AccessDenied when the signature was first seen with another request.
 * `advice` tells the client how to sign so that this does not happen. Store errors propagate.
 */
export async function requireFirstUse(ledger: SignatureLedger, use: SignatureUse, advice: string): Promise<void> {
  if (await ledger.bind(use)) return;
  throw new DomainError(
    "AccessDenied",
    `This signature was already used for a different request; a signature is good for the one request it was first seen with. ${advice}`,
  );
}
