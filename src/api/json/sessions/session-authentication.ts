/**
 * Who sent a JSON API request by its console session cookie (D33): the cookie's token names a live session in
 * the store (shared by every API server, so a revocation anywhere is seen everywhere), whose access key must
 * still be configured for the same account; a request that changes something (anything but GET and HEAD) must
 * carry the session's CSRF token in X-CSRF-Token. Each use moves the session's idle end forward, written at most
 * once a minute per session (more often only for an idle timeout under ten minutes). SigV4's rules (body hashes,
 * signature binding, D15) are not for sessions: the plugin (plugin.ts) comes here only for a request that
 * carries no signature.
 */
import type { FastifyRequest } from "fastify";
import type { Account, AccountRegistry } from "../../../accounts/types.js";
import { changesState } from "../../auth/signature-binding.js";
import { ProblemError } from "../problems.js";
import { CSRF_HEADER } from "./session-cookie.js";
import type { SessionPolicy } from "./session-policy.js";
import type { ConsoleSessionStore, StoredSession } from "./session-store.js";
import { csrfTokenOf, isSessionToken, sameSecret, sessionTokenHash } from "./session-tokens.js";

/** A request's caller by its session. */
export interface SessionCaller {
  readonly account: Account;
  /** The session as it stands after this use (its idle end moved). */
  readonly session: StoredSession;
  /** The session's CSRF token (derived from the cookie's token, never stored). */
  readonly csrfToken: string;
}

/** How far the idle end must move before it is written: a tenth of the idle timeout, at most a minute. */
const IDLE_WRITE_STEP_MS = 60_000;

export type SessionAuthentication = (request: FastifyRequest, token: string) => Promise<SessionCaller>;

export function sessionAuthentication(
  accounts: AccountRegistry,
  sessions: ConsoleSessionStore,
  policy: SessionPolicy,
  now: () => number,
): SessionAuthentication {
  return async (request, token) => {
    if (!isSessionToken(token)) throw sessionProblem("The session cookie is not an objbatch session.");
    const tokenHash = sessionTokenHash(token);
    const at = now();
    const session = await sessions.find(tokenHash, at);
    if (session === undefined) {
      throw sessionProblem("The session has ended: it expired, was signed out or was revoked. Sign in again.");
    }
    const key = accounts.byAccessKeyId(session.accessKeyId);
    if (key === undefined || key.account.id !== session.accountId) {
      await sessions.revoke(tokenHash);
      throw sessionProblem("The access key the session was opened with is no longer configured. Sign in again.");
    }
    const csrfToken = csrfTokenOf(token);
    if (changesState(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== "string" || !sameSecret(sent, csrfToken)) {
        throw new ProblemError(
          403,
          "csrf-token-invalid",
          "The session's CSRF token is missing or wrong",
          "A request that changes something in a console session must send the session's csrfToken (from POST " +
            "or GET /api/v1/session) in the X-CSRF-Token header.",
        );
      }
    }
    const idleEnd = Math.min(at + policy.idleTimeoutSeconds * 1000, session.expiresAt);
    const step = Math.min(IDLE_WRITE_STEP_MS, policy.idleTimeoutSeconds * 100);
    if (idleEnd - session.idleExpiresAt < step) return { account: key.account, session, csrfToken };
    await sessions.extend(tokenHash, idleEnd);
    return { account: key.account, session: { ...session, idleExpiresAt: idleEnd }, csrfToken };
  };
}

function sessionProblem(detail: string): ProblemError {
  return new ProblemError(401, "unauthenticated", "The request is not authenticated", detail);
}
