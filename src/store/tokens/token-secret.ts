/**
 * A bearer access token's secret and public id (D44). The secret is `obt_` and 32 random bytes in base64url: the
 * prefix lets a leaked token be recognised (secret scanners, logs) and lets a request that carries something else
 * be refused without a look in the store. The store keeps only its hex SHA-256, and a token is found by that hash:
 * no secret is ever compared byte by byte, so there is no timing to measure. The token id is separate and public:
 * it names the token in listings and revocations and proves nothing.
 */
import { createHash, randomBytes } from "node:crypto";

const SECRET = /^obt_[A-Za-z0-9_-]{43}$/;

export function newAccessTokenSecret(): string {
  return `obt_${randomBytes(32).toString("base64url")}`;
}

export function newAccessTokenId(): string {
  return `tok_${randomBytes(12).toString("base64url")}`;
}

/** Whether a bearer value has the shape of an objbatch access token at all (else it is not looked up). */
export function isAccessTokenSecret(value: string): boolean {
  return SECRET.test(value);
}

/** What the store knows a token by: the hex SHA-256 of its secret. */
export function accessTokenHash(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
