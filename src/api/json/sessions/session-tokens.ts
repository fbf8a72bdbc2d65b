/**
 * A console session's secrets (D33). The token (32 random bytes, base64url) is the cookie's value and is known
 * only to the browser: the store keeps its SHA-256. The CSRF token is derived from it (HMAC-SHA256 keyed by the
 * token), so it is stored nowhere, and GET /api/v1/session can give it again to a console that reloaded. Every
 * comparison of a secret is of SHA-256 digests with timingSafeEqual: constant time whatever the lengths.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether a cookie's value has the shape of a token at all (else it is not looked up). */
export function isSessionToken(value: string): boolean {
  return TOKEN.test(value);
}

/** What the store knows a session by: the hex SHA-256 of its token. */
export function sessionTokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The session's CSRF token, which a request that changes something sends in X-CSRF-Token. */
export function csrfTokenOf(token: string): string {
  return createHmac("sha256", token).update("objbatch console csrf").digest("base64url");
}

/** Whether two secrets are the same, in time that does not depend on where they differ or their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
