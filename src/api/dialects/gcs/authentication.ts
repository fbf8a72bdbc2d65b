/**
 * Who a Google dialect request is (D46): `Authorization: Bearer <token>`, a token objbatch issued to an account
 * (accounts/access-tokens.ts), and the `{project}` of its path, which must name that account: the account's id or
 * one of the projects the config gives it (`accounts[].projects`). A project that names another account, or none,
 * is NOT_FOUND for this token, exactly like a missing one, so a token tells nothing about other accounts.
 *
 * No credentials, another scheme (an AWS SigV4 signature, Basic), an unknown, expired or revoked token are
 * UNAUTHENTICATED (401, with WWW-Authenticate: Bearer, as Google answers). A store outage while a token is
 * checked is UNAVAILABLE (the verifier throws the store's DomainError).
 */
import type { AccessTokenVerifier } from "../../../accounts/access-tokens.js";
import type { Account, AccountRegistry } from "../../../accounts/types.js";
import { GoogleApiError, notFound } from "./errors.js";

const MAX_TOKEN_LENGTH = 4096;

function unauthenticated(message: string, reason: string): GoogleApiError {
  return new GoogleApiError("UNAUTHENTICATED", message, { reason });
}

export const WWW_AUTHENTICATE = 'Bearer realm="objbatch"';

/** The account id of the request's bearer token; throws UNAUTHENTICATED. */
export async function authenticateBearer(
  authorization: string | undefined,
  verifier: AccessTokenVerifier | undefined,
  now: Date,
): Promise<string> {
  if (authorization === undefined || authorization.trim() === "") {
    throw unauthenticated(
      "Request is missing required authentication credential. Expected an OAuth 2 access token (Authorization: Bearer <token>) that objbatch issued.",
      "CREDENTIALS_MISSING",
    );
  }
  const m = /^Bearer +(\S+) *$/i.exec(authorization);
  if (m === null) {
    const scheme = authorization.split(" ", 1)[0]!.slice(0, 32);
    throw unauthenticated(
      `Request had invalid authentication credentials: the ${scheme} scheme is not accepted here; send Authorization: Bearer <token> with a token objbatch issued.`,
      "ACCESS_TOKEN_TYPE_UNSUPPORTED",
    );
  }
  const token = m[1]!;
  if (verifier === undefined || token.length > MAX_TOKEN_LENGTH) {
    throw unauthenticated("Request had invalid authentication credentials.", "ACCESS_TOKEN_INVALID");
  }
  const verdict = await verifier.verify(token, now);
  if (verdict.ok) return verdict.accountId;
  switch (verdict.reason) {
    case "expired":
      throw unauthenticated(
        "Request had invalid authentication credentials: the access token has expired.",
        "ACCESS_TOKEN_EXPIRED",
      );
    case "revoked":
      throw unauthenticated(
        "Request had invalid authentication credentials: the access token was revoked.",
        "ACCESS_TOKEN_REVOKED",
      );
    default:
      throw unauthenticated("Request had invalid authentication credentials.", "ACCESS_TOKEN_INVALID");
  }
}

/** The account a project names: its id, or one of its configured projects. */
export function accountOfProject(accounts: AccountRegistry, project: string): Account | undefined {
  const byId = accounts.byId(project);
  if (byId !== undefined) return byId;
  return accounts.all().find((a) => a.projects?.includes(project));
}

/** The project must name the token's account; anything else is NOT_FOUND. */
export function requireProject(accounts: AccountRegistry, project: string, accountId: string): void {
  if (accountOfProject(accounts, project)?.id !== accountId) {
    throw notFound(`Project "${project.slice(0, 64)}" was not found, or this access token can't use it.`);
  }
}
